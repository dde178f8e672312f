#include "meshops/monitor/sd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace meshops::monitor {
namespace {
void send(const std::string& message) { sd_notify(/*unset_environment=*/0, message.c_str()); }
// STATUS= ends at a newline; a multi-line status would smuggle in another assignment.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}
} // namespace

void notify_ready(const std::string& status) { send("READY=1\nSTATUS=" + one_line(status)); }
void notify_status(const std::string& status) { send("STATUS=" + one_line(status)); }
void notify_watchdog() { send("WATCHDOG=1"); }
void notify_stopping(const std::string& status) { send("STOPPING=1\nSTATUS=" + one_line(status)); }

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec);
  return std::nullopt;
}

} // namespace meshops::monitor
