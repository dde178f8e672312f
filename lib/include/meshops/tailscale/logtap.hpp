#pragma once
// tailscaled's log tap (GET /localapi/v0/logtap, write permission): the daemon's log as
// logtail JSON records, one a line, starting with {"text":"[logtap connected]\n"} (notes 2.6).
#include "meshops/tailscale/status.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meshops::tailscale {

struct LogRecord {
  std::string text;               ///< the log text, trailing newline removed
  int verbosity = 0;              ///< logtail "v": 0 normal, 1-2 verbose
  std::optional<TimePoint> time;  ///< logtail.client_time
  bool connected_marker = false;  ///< the "[logtap connected]" greeting, not a log line
};

/// Parses one logtap record. Throws std::runtime_error on a line that is not a JSON object or
/// has "text" of the wrong type. Records without text (metrics only) give an empty text.
LogRecord parse_logtap_record(std::string_view line);

} // namespace meshops::tailscale
