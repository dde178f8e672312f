#pragma once
// SIGINT/SIGTERM ending a long-running loop (--follow, --watch) cleanly: the loop sees the
// flag, prints its last output and returns, instead of the process dying mid-write. One flag
// and one pair of handlers for every tool.
#include <atomic>

namespace meshops::sys {

/// Installs handlers for SIGINT and SIGTERM that set the stop flag instead of ending the process.
void catch_stop_signals();

/// True once SIGINT or SIGTERM arrived after catch_stop_signals().
bool stop_requested();

/// The flag itself, for a loop that takes one (monitor::Runner::run, net::serve_throughput).
const std::atomic<bool>& stop_flag();

} // namespace meshops::sys
