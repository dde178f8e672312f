#pragma once
// ts-monitor-logs' one record: a classified log line or a derived event, from any source; the
// filters of the command line. Its views are in view.hpp.
#include "meshops/sys/time.hpp"
#include "meshops/tailscale/bus_events.hpp"
#include "meshops/tailscale/log_classify.hpp"

#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>

namespace ts_monitor_logs {

using meshops::tailscale::LogCategory;
using meshops::tailscale::LogLevel;
using TimePoint = meshops::sys::Time;

struct Record {
  std::optional<TimePoint> time;  ///< nullopt: the line carried no time (never made up)
  std::string source;   ///< journal, file, logtap, bus, status, monitor
  std::string event = "log";  ///< "log", a DerivedEvent kind, or daemon_lost / daemon_back
  LogCategory category = LogCategory::other;
  LogLevel level = LogLevel::info;
  std::string peer;
  std::string message;
  std::string from, to;  ///< derived events only
};

/// A classified log line as a record; peer named through index.
Record log_record(std::optional<TimePoint> t, std::string source, std::string_view text, int verbosity,
                  const meshops::tailscale::PeerIndex& index);
/// A derived event as a record (category and level chosen by its kind).
Record event_record(std::optional<TimePoint> t, std::string source, const meshops::tailscale::DerivedEvent& e);

struct Filters {
  std::set<LogCategory> categories;  ///< empty: all
  LogLevel min_level = LogLevel::info;  ///< debug lines only with --level debug
  std::string peer;                  ///< case-insensitive name
  std::optional<std::regex> grep;
  std::optional<TimePoint> since;
};

/// Whether r passes every filter (a record without a time passes --since: it cannot be told
/// older).
bool keep(const Record& r, const Filters& f);

} // namespace ts_monitor_logs
