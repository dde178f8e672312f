#pragma once
// An access log record as a typed JSON object, for `filter --json` and follow mode's NDJSON.
#include "meshops/nginx/log_parse.hpp"

#include <nlohmann/json_fwd.hpp>

namespace meshops::nginx {

/// rec as {"event": "request", "ts": RFC 3339 or null, "<variable>": value, ...}, keys in that
/// order (the variables in the order of the format, not sorted): integers as
/// numbers ("-" as null), seconds as "<variable>_ms" numbers in ms ($upstream_response_time:
/// the sum of its list), times as RFC 3339, strings decoded (\xHH, escape=json), plus
/// "method", "path" and "protocol" when $request is a valid request line. A key the line
/// holds twice (a JSON log_format may name one twice) takes its first value, as Record::get
/// does; a field of the line named "event" or "ts" gives way to ours.
nlohmann::ordered_json record_to_json(const Record& rec, Escape escape);

} // namespace meshops::nginx
