#include "meshops/sys/stop.hpp"

#include <csignal>

namespace meshops::sys {
namespace {

// Lock-free, so setting it is async-signal-safe.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_stop_signal(int) { g_stop.store(true); }

} // namespace

void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop.load(); }

const std::atomic<bool>& stop_flag() { return g_stop; }

} // namespace meshops::sys
