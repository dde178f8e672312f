#pragma once
// systemd's notification protocol (Type=notify): READY, STATUS and WATCHDOG through
// sd_notify(3). Outside systemd ($NOTIFY_SOCKET unset) every call is a no-op.
#include <chrono>
#include <optional>
#include <string>

namespace meshops::monitor {

/// Tells systemd start-up is done, with a status line.
void notify_ready(const std::string& status);
/// Updates the status line `systemctl status` shows.
void notify_status(const std::string& status);
/// Pets the watchdog.
void notify_watchdog();
/// Tells systemd we are stopping.
void notify_stopping(const std::string& status);
/// The watchdog interval (WatchdogSec=) when one is set for us, else nullopt. Pet it at least
/// twice per interval.
std::optional<std::chrono::microseconds> watchdog_interval();

} // namespace meshops::monitor
