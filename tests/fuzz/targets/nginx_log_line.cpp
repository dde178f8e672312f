// libFuzzer target for the access and error log line parsers and everything a parsed line feeds
// (typed readings, decoding, the aggregator, filters, NDJSON). The first input byte picks the
// format; the rest is the line. Also compiles the input as a log_format string.
#include "../fuzz_target.hpp"

#include "meshops/error.hpp"
#include "meshops/nginx/log_aggregate.hpp"
#include "meshops/nginx/log_error.hpp"
#include "meshops/nginx/log_filter.hpp"
#include "meshops/nginx/log_format.hpp"
#include "meshops/nginx/log_parse.hpp"
#include "meshops/nginx/log_record_json.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace meshops::nginx;

namespace {

const LogFormat& format_for(std::uint8_t selector) {
  static const LogFormat formats[] = {
      compile_log_format("combined"),
      compile_log_format("json"),
      compile_log_format(R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent )"
                         R"("$http_referer" "$http_user_agent" $request_time $upstream_response_time $host)"),
      compile_log_format(R"({"t":"$time_iso8601","s":"$status","u":"$request_uri","h":"$host","x":"$msec"})", Escape::json),
  };
  return formats[selector % 4];
}

// One line that matches each of format_for's formats, with every typed field set.
const std::string_view kGoodLine[] = {
    R"(10.0.0.1 - bob [25/Nov/2026:17:43:25 +0000] "GET /a HTTP/1.1" 503 42 "-" "curl")",
    R"({"remote_addr":"10.0.0.1","status":"404","body_bytes_sent":"9","request":"GET / HTTP/1.1"})",
    R"(10.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /a HTTP/1.1" 500 7 "-" "c" 0.005 0.004 h.test)",
    R"({"t":"2026-11-25T17:43:25+00:00","s":"301","u":"/x","h":"h.test","x":"1764092605.000"})",
};

} // namespace

MESHOPS_FUZZ_TARGET(nginx_log_line) {
  if (size == 0) return 0;
  const LogFormat& f = format_for(data[0]);
  std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);

  LineParser parser(f);
  Record rec;
  const bool matched = parser.parse(line, rec);
  // The parser a summary uses, which skips Record::fields, must read the same variables.
  LineParser lean(f, RawFields::skip);
  Record lean_rec;
  if (lean.parse(line, lean_rec) != matched) MESHOPS_FUZZ_CHECK(false);
  // A record that held another line first must come out the same as a fresh one.
  Record reused;
  (void)parser.parse(kGoodLine[data[0] % 4], reused);
  if (parser.parse(line, reused) != matched) MESHOPS_FUZZ_CHECK(false);
  if (matched) {
    for (const Record* other : {&lean_rec, &reused}) {
      if (other->present != rec.present || other->status != rec.status || other->bytes != rec.bytes ||
          other->truncated != rec.truncated)
        MESHOPS_FUZZ_CHECK(false);
      for (int v = 0; v < static_cast<int>(Var::count_); ++v)
        if (rec.has(static_cast<Var>(v)) && rec.get(static_cast<Var>(v)) != other->get(static_cast<Var>(v))) MESHOPS_FUZZ_CHECK(false);
    }
  }
  if (matched) {
    (void)record_to_json(rec, f.escape).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Filter flt;
    flt.statuses = {{500, 599}};
    flt.path_globs = {"/a*"};
    flt.host_globs = {"*.test"};
    flt.clients = {parse_cidr("10.0.0.0/8")};
    flt.min_time_ms = 1.0;
    (void)flt.matches(rec, f.escape);
  }
  Aggregator agg(f, {});
  agg.add_lines(line, 1);
  (void)summary_to_json(summarize(agg, 3, By::path)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  ErrorRecord er;
  (void)parse_error_line(line, er);
  (void)decode_value(line, Escape::default_);
  (void)decode_value(line, Escape::json);
  (void)valid_utf8(line);
  try {
    (void)compile_log_format(line);
  } catch (const meshops::Error&) {
  }
  try {
    (void)log_format_from_conf(line, "main", "fuzz");
  } catch (const meshops::Error&) {
  }
  return 0;
}
