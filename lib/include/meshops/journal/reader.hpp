#pragma once
// Reading tailscaled's log from the systemd journal with libsystemd's sd-journal. A module of
// its own (journal=sys,libsystemd): sys is linked by every tool, ts-status fully static, and a
// tool that reads the journal need not link monitor (libcurl) for it. Entries are delivered
// once each, in order, by cursor; follow mode waits for new ones.
#include "meshops/sys/time.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct sd_journal;

namespace meshops::journal {

struct Entry {
  sys::Time time;                              ///< __REALTIME_TIMESTAMP
  std::string message;                         ///< MESSAGE
  int priority = 6;                            ///< PRIORITY (syslog), 6 info when absent
  std::string pid;                             ///< _PID
  std::string invocation_id;                   ///< _SYSTEMD_INVOCATION_ID: one run of the unit
  std::string boot_id;                         ///< _BOOT_ID
};

class Reader {
public:
  struct Options {
    std::string unit = "tailscaled.service";  ///< _SYSTEMD_UNIT match; empty: every entry
    std::vector<std::string> files;           ///< journal files to read instead of the system journal
    std::optional<sys::Time> since;           ///< start here
    bool from_start = false;  ///< without since: read everything (else only new entries)
    std::size_t tail = 0;     ///< without since/from_start: start this many entries back
  };
  /// Opens the journal. Throws meshops::Error (Exit::unknown) when it cannot be opened.
  explicit Reader(Options options);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Calls on_entry for each entry available now; returns how many.
  std::size_t read(const std::function<void(const Entry&)>& on_entry);
  /// Waits up to timeout for the journal to change.
  void wait(std::chrono::milliseconds timeout);

  /// Whether the system journal holds any entry of unit (decides the default source).
  static bool unit_has_entries(const std::string& unit);

private:
  sd_journal* j_ = nullptr;
};

} // namespace meshops::journal
