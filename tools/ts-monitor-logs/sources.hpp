#pragma once
// Where ts-monitor-logs reads from: a log file (followed across rotation), the systemd journal
// (sd-journal), or tailscaled's own streams over the LocalAPI (IPN bus + log tap + /status).
#include "record.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace ts_monitor_logs {

using Sink = std::function<void(const Record&)>;

struct SourceOptions {
  std::string socket;  ///< LocalAPI, also used (best effort) to name peers for file/journal
  std::chrono::milliseconds timeout{5000};
  bool follow = false;
  std::optional<TimePoint> since;
  std::string unit = "tailscaled.service";
  std::string file;
  std::function<void(const std::string&)> warn;
};

/// Reads a tailscaled log file (Go log prefix), from its start; with follow, keeps reading
/// across rotation until killed.
void read_file_source(const SourceOptions& o, const Sink& sink);
/// Reads the journal of o.unit (since, or the last 100 entries); with follow, waits for more.
void read_journal_source(const SourceOptions& o, const Sink& sink);
/// Streams the IPN bus and the log tap of tailscaled and derives events from /status; runs
/// until killed, reconnecting when tailscaled restarts (said once each way). Throws
/// meshops::Error (Exit::unknown) when tailscaled cannot be reached at start.
void read_localapi_source(const SourceOptions& o, const Sink& sink);

} // namespace ts_monitor_logs
