#include "meshops/nginx/log_record_json.hpp"

#include "meshops/sys/json.hpp"
#include "meshops/sys/time.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace meshops::nginx {
namespace {

nlohmann::ordered_json utc_or_null(std::optional<std::int64_t> ms) {
  return sys::or_null(ms, [](std::int64_t v) { return sys::format_utc_ms(v); });
}

nlohmann::ordered_json time_json(Var v, std::string_view raw) {
  std::optional<std::int64_t> t;
  if (v == Var::time_local) t = parse_time_local(raw);
  else if (v == Var::time_iso8601) {
    if (auto x = sys::parse_rfc3339(raw)) t = x->unix_ms();
  }
  else t = parse_msec(raw);
  return utc_or_null(t);
}

} // namespace

nlohmann::ordered_json record_to_json(const Record& rec, Escape escape) {
  // In the order nginx-logs(1) lists: ours, the format's variables as log_format names them,
  // then what $request splits into.
  nlohmann::ordered_json j;
  j["event"] = "request";
  auto t = record_time(rec);
  j["ts"] = utc_or_null(t);
  for (const auto& f : rec.fields) {
    const VarType type = var_type(f.var);
    std::string key(f.name);
    if (type == VarType::seconds || type == VarType::seconds_list) key += "_ms";
    // A key the line holds twice: the first wins, as in Record::get (set_var), so the JSON
    // says what the summary and --where read; "event" and "ts" are ours, set above.
    if (j.contains(key)) continue;
    auto& v = j[key];
    switch (type) {
      case VarType::integer: v = sys::or_null(parse_uint(f.value)); break;
      case VarType::seconds: v = sys::or_null(parse_seconds_ms(f.value)); break;
      case VarType::seconds_list: v = sys::or_null(parse_seconds_list_ms(f.value)); break;
      case VarType::time: v = time_json(f.var, f.value); break;
      case VarType::string: v = decode_value(f.value, escape); break;
    }
  }
  if (rec.has(Var::request)) {
    auto rl = parse_request_line(rec.get(Var::request));
    if (rl.valid) {
      j["method"] = std::string(rl.method);
      j["path"] = decode_value(strip_query(rl.uri), escape);
      j["protocol"] = std::string(rl.protocol);
    }
  }
  return j;
}

} // namespace meshops::nginx
