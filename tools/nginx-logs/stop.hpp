#pragma once
// SIGINT/SIGTERM end a --follow loop cleanly (last summary printed, output flushed).
#include <atomic>
#include <csignal>

namespace nginx_logs {

inline std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

/// Installs handlers that set stop_requested() instead of killing the process.
inline void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = [](int) { stop_requested().store(true); };
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

} // namespace nginx_logs
