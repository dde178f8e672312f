#pragma once
// nginx's error log: `2024/05/01 13:00:00 [error] 12#12: *5 MESSAGE, client: A, server: S,
// request: "R", upstream: "U", host: "H"` split into its parts, and limit_req/limit_conn
// rejections counted per zone.
#include "meshops/nginx/diag.hpp"  // Level, level_name, parse_level (shared with nginx-test)

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace meshops::nginx {

/// What a limit_req/limit_conn line says happened.
enum class LimitEvent : std::uint8_t { none, req_rejected, req_delayed, conn_rejected };

/// One error log entry. Views point into the line.
struct ErrorRecord {
  std::string_view line;
  std::int64_t local_ms = 0;  ///< the timestamp as written (nginx's local time), as if it were UTC
  Level level = Level::error;
  std::int64_t pid = 0;
  std::int64_t tid = 0;
  std::optional<std::uint64_t> connection;  ///< the `*N` connection number
  std::string_view message;                 ///< without the appended context
  std::string_view client, server, request, subrequest, upstream, host, referrer;
  LimitEvent limit = LimitEvent::none;
  std::string_view zone;  ///< the zone of a limit_req/limit_conn line
};

/// Parses one error log line (without '\n'); false when it is not one (a continuation line,
/// garbage). Quoted context values keep nginx's escaping.
bool parse_error_line(std::string_view line, ErrorRecord& out);

/// An entry kept past its line's buffer (the most recent ones a summary lists): a copy of the
/// line with the parsed record pointing into it, so it is parsed once. Neither copied nor
/// moved, since the views would dangle: keep it where it is made (a deque's ends).
class ErrorEntry {
public:
  explicit ErrorEntry(const ErrorRecord& r);
  ErrorEntry(const ErrorEntry&) = delete;
  ErrorEntry& operator=(const ErrorEntry&) = delete;
  const ErrorRecord& record() const { return record_; }

private:
  std::string line_;
  ErrorRecord record_;
};

/// An entry's time (local_ms, nginx's local time without an offset) as Unix milliseconds, in
/// this host's zone: the host we read the log on is normally the host that wrote it.
std::int64_t unix_ms_of_local(std::int64_t local_ms);

/// Limit counts of one zone.
struct ZoneLimits {
  std::uint64_t rejected = 0;
  std::uint64_t delayed = 0;
  std::uint64_t conn_rejected = 0;
};

/// Counts of an error log.
struct ErrorSummary {
  std::uint64_t lines = 0;
  std::uint64_t entries = 0;
  std::uint64_t malformed = 0;
  std::uint64_t filtered_out = 0;
  std::map<Level, std::uint64_t> levels;
  std::map<std::string, ZoneLimits> zones;
  std::optional<std::int64_t> first_local_ms, last_local_ms;

  /// Counts one parsed entry.
  void add(const ErrorRecord& r);
};

} // namespace meshops::nginx
