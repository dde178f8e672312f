// nginx-logs' views with exact expected output, on the logs captured from a real nginx
// (tests/fixtures/nginx-logs/capture.sh): the summary (text, JSON, metrics, plugin line) and
// the error log report (text, JSON, metrics, an entry's NDJSON record), filter's NDJSON record.
#include "view.hpp"

#include "meshops/cli/prom.hpp"
#include "meshops/nginx/log_format.hpp"
#include "meshops/nginx/log_record_json.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace nginx_logs;
namespace nginx = meshops::nginx;

namespace {

std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/nginx-logs/" + name);
}

nginx::Summary summary_of(const std::string& log, std::size_t top, nginx::By by) {
  const auto format = nginx::compile_log_format("combined");
  nginx::Aggregator agg(format, {});
  agg.add_lines(fixture(log), 1);
  return nginx::summarize(agg, top, by);
}

/// What `errors --level error --last N` keeps of the captured error log.
void read_errors(ErrorsReport& r, std::size_t last) {
  std::istringstream in(fixture("error.log"));
  std::string line;
  nginx::ErrorRecord rec;
  while (std::getline(in, line)) {
    ++r.summary.lines;
    if (!nginx::parse_error_line(line, rec)) {
      ++r.summary.malformed;
      continue;
    }
    if (rec.level > nginx::Level::error) {
      ++r.summary.filtered_out;
      continue;
    }
    r.summary.add(rec);
    r.recent.emplace_back(rec);
    if (r.recent.size() > last) r.recent.pop_front();
  }
}

// The captured error log's times are nginx's local time; the tests read them as UTC.
struct Utc {
  Utc() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
} const utc;

} // namespace

TEST_CASE("summary text: counts, status classes with bars, the breakdown, top lists", "[nginx-logs][view]") {
  meshops::cli::Output out;
  // --top 3 bounds the breakdown as it bounds the top lists: the three codes with the most
  // requests (ties by code: 400 and 404 before 503), with the bytes sent under each status
  // (200: 6 + 6 + 5000 + ... = 5042 B; 400: 157 + 0 B).
  CHECK(to_text(summary_of("combined.log", 3, nginx::By::status), out) ==
        "Lines                   16\n"
        "Requests                16  (2 not HTTP request lines)\n"
        "Bytes sent              6.1 KiB\n"
        "Time                    2026-11-25T17:43:28Z .. 2026-11-25T17:43:28Z  (0.00 req/s)\n"
        "Rate-limited            2  (429: 0, 503: 2)\n"
        "\n"
        "Status classes\n"
        "CLASS  REQUESTS  SHARE\n"
        "2xx           8  50.0%  ████████████████████████\n"
        "4xx           5  31.2%  ███████████████\n"
        "5xx           3  18.8%  █████████\n"
        "\n"
        "Status codes\n"
        "STATUS  REQUESTS  SHARE\n"
        "200            8  50.0%\n"
        "400            2  12.5%\n"
        "404            2  12.5%\n"
        "405            1   6.2%\n"
        "502            1   6.2%\n"
        "503            2  12.5%\n"
        "\n"
        "Methods\n"
        "METHOD  REQUESTS  SHARE\n"
        "GET           13  81.2%\n"
        "POST           1   6.2%\n"
        "\n"
        "By status\n"
        "KEY  REQUESTS    BYTES  2XX  3XX  4XX  5XX\n"
        "200         8  4.9 KiB    8    0    0    0\n"
        "400         2    157 B    0    0    2    0\n"
        "404         2    306 B    0    0    2    0\n"
        "\n"
        "Top paths\n"
        "PATH         REQUESTS  SHARE  BYTES\n"
        "/index.html         5  31.2%  181 B  ████████████████████████\n"
        "/limited            3  18.8%  400 B  ██████████████▌\n"
        "/                   1   6.2%    6 B  ████▉\n"
        "\n"
        "Top clients\n"
        "CLIENT     REQUESTS   SHARE    BYTES\n"
        "127.0.0.1        16  100.0%  6.1 KiB  ████████████████████████\n"
        "\n"
        "Top user agents\n"
        "USER AGENT                  REQUESTS  SHARE    BYTES\n"
        "curl/7.88.1                       12  75.0%  5.8 KiB  ████████████████████████\n"
        "-                                  2  12.5%    157 B  ████\n"
        "Mozilla/5.0 \"quoted\" agent         1   6.2%      6 B  ██\n");
}

TEST_CASE("summary JSON: schema first, the stamp next, then the counts in the page's order", "[nginx-logs][view][json]") {
  auto s = summary_of("combined.log", 2, nginx::By::none);
  CHECK(nginx::summary_to_json(s, {{"generated_at", "2026-12-02T12:00:00Z"}}).dump() ==
        R"j({"schema":"meshops/nginx-logs/1","generated_at":"2026-12-02T12:00:00Z","lines":16,"requests":16,)j"
        R"j("malformed":0,"invalid_requests":2,"truncated":0,"filtered_out":0,"own_requests":0,"bytes_sent":6213,)j"
        R"j("first":"2026-11-25T17:43:28Z","last":"2026-11-25T17:43:28Z","duration_ms":0,"requests_per_second":0.0,)j"
        R"j("status":{"200":8,"400":2,"404":2,"405":1,"502":1,"503":2},"status_class":{"1xx":0,"2xx":8,)j"
        R"j("3xx":0,"4xx":5,"5xx":3},"methods":{"GET":13,"POST":1},"top_paths":[{"path":"/index.html","requests":5,)j"
        R"j("bytes_sent":181},{"path":"/limited","requests":3,"bytes_sent":400}],"top_clients":[{"addr":"127.0.0.1",)j"
        R"j("requests":16,"bytes_sent":6213}],"top_hosts":[],"top_user_agents":[{"user_agent":"curl/7.88.1",)j"
        R"j("requests":12,"bytes_sent":5897},{"user_agent":"-","requests":2,"bytes_sent":157}],"distinct_paths":8,)j"
        R"j("distinct_clients":1,"rate_limited":{"total":2,"status_429":0,"status_503":2},"request_time":null,)j"
        R"j("upstream_response_time":null,"vhosts":[],"malformed_examples":[],"unread_lines":0,"unread_example":null})j");
  // While following: the same object stamped with event and ts.
  auto follow = nginx::summary_to_json(s, {{"event", "summary"}, {"ts", "2026-12-02T12:00:00.250Z"}});
  std::vector<std::string> keys;
  for (const auto& [k, v] : follow.items()) keys.push_back(k);
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 4) ==
        std::vector<std::string>{"schema", "event", "ts", "lines"});
}

TEST_CASE("summary metrics and plugin line", "[nginx-logs][view][prom]") {
  auto s = summary_of("combined.log", 2, nginx::By::none);
  CHECK(meshops::cli::render_prom(to_prom(s)) ==
        "# HELP meshops_nginx_logs_lines Lines read from the access log\n"
        "# TYPE meshops_nginx_logs_lines gauge\n"
        "meshops_nginx_logs_lines 16\n"
        "# HELP meshops_nginx_logs_requests Requests counted\n"
        "# TYPE meshops_nginx_logs_requests gauge\n"
        "meshops_nginx_logs_requests 16\n"
        "# HELP meshops_nginx_logs_malformed_lines Lines that did not match the log format\n"
        "# TYPE meshops_nginx_logs_malformed_lines gauge\n"
        "meshops_nginx_logs_malformed_lines 0\n"
        "# HELP meshops_nginx_logs_sent_bytes Sum of $body_bytes_sent\n"
        "# TYPE meshops_nginx_logs_sent_bytes gauge\n"
        "meshops_nginx_logs_sent_bytes 6213\n"
        "# HELP meshops_nginx_logs_rate_limited_requests Requests answered 429 or 503\n"
        "# TYPE meshops_nginx_logs_rate_limited_requests gauge\n"
        "meshops_nginx_logs_rate_limited_requests 2\n"
        "# HELP meshops_nginx_logs_requests_by_class Requests per status class\n"
        "# TYPE meshops_nginx_logs_requests_by_class gauge\n"
        "meshops_nginx_logs_requests_by_class{class=\"other\"} 0\n"
        "meshops_nginx_logs_requests_by_class{class=\"1xx\"} 0\n"
        "meshops_nginx_logs_requests_by_class{class=\"2xx\"} 8\n"
        "meshops_nginx_logs_requests_by_class{class=\"3xx\"} 0\n"
        "meshops_nginx_logs_requests_by_class{class=\"4xx\"} 5\n"
        "meshops_nginx_logs_requests_by_class{class=\"5xx\"} 3\n"
        "# HELP meshops_nginx_logs_requests_by_status Requests per status code\n"
        "# TYPE meshops_nginx_logs_requests_by_status gauge\n"
        "meshops_nginx_logs_requests_by_status{status=\"200\"} 8\n"
        "meshops_nginx_logs_requests_by_status{status=\"400\"} 2\n"
        "meshops_nginx_logs_requests_by_status{status=\"404\"} 2\n"
        "meshops_nginx_logs_requests_by_status{status=\"405\"} 1\n"
        "meshops_nginx_logs_requests_by_status{status=\"502\"} 1\n"
        "meshops_nginx_logs_requests_by_status{status=\"503\"} 2\n");
  CHECK(ok_text(s) == "16 requests, 3 5xx, 2 rate limited");
}

TEST_CASE("errors text: the recent entries, counts per level, limits per zone", "[nginx-logs][view]") {
  ErrorsReport r;
  read_errors(r, 3);
  meshops::cli::Output out;
  // Invalid bytes of a request path are shown escaped, UTF-8 as it is.
  CHECK(to_text(r, out) ==
        "TIME                  LEVEL  CLIENT     MESSAGE\n"
        "2026-11-25T17:43:28Z  error  127.0.0.1  limiting requests, excess: 1.000 by zone \"capture\" [GET /limited HTTP/1.1]\n"
        "2026-11-25T17:43:28Z  error  127.0.0.1  limiting requests, excess: 1.000 by zone \"capture\" [GET /limited HTTP/1.1]\n"
        "2026-11-25T17:43:28Z  error  127.0.0.1  open() \"PREFIX/html/café/\\xff\\xfe\" failed (2: No such file or directory) [GET /café/\\xff\\xfe HTTP/1.1]\n"
        "\n"
        "5 entries in 33 lines, 28 filtered out\n"
        "  error   5\n"
        "\n"
        "ZONE     REJECTED  DELAYED  CONN REJECTED\n"
        "capture         2        0              0\n");
}

TEST_CASE("errors JSON: schema first, the records parsed once and kept past their buffer", "[nginx-logs][view][json]") {
  ErrorsReport r;
  read_errors(r, 3);
  // Invalid bytes become U+FFFD in JSON, which is UTF-8.
  CHECK(meshops::cli::dump_json(to_json(r, "2026-12-02T12:00:00Z"), false) ==
        R"j({"schema":"meshops/nginx-logs/1","generated_at":"2026-12-02T12:00:00Z","lines":33,"entries":5,)j"
        R"j("malformed":0,"filtered_out":28,"first":"2026-11-25T17:43:28Z","last":"2026-11-25T17:43:28Z",)j"
        R"j("levels":{"error":5},"limit_req_rejected":2,"zones":[{"zone":"capture","limit_req_rejected":2,)j"
        R"j("limit_req_delayed":0,"limit_conn_rejected":0}],"records":[{"event":"error","ts":"2026-11-25T17:43:28Z",)j"
        R"j("level":"error","pid":26316,"tid":26316,"connection":13,"message":"limiting requests, excess: 1.000 by zone \"capture\"",)j"
        R"j("client":"127.0.0.1","server":"capture.test","request":"GET /limited HTTP/1.1","upstream":null,)j"
        R"j("host":"127.0.0.1:54653","referrer":null,"limit":"limit_req_rejected","zone":"capture"},{"event":"error",)j"
        R"j("ts":"2026-11-25T17:43:28Z","level":"error","pid":26316,"tid":26316,"connection":14,"message":"limiting requests,)j"
        R"j( excess: 1.000 by zone \"capture\"","client":"127.0.0.1","server":"capture.test","request":"GET /limited HTTP/1.1",)j"
        R"j("upstream":null,"host":"127.0.0.1:54653","referrer":null,"limit":"limit_req_rejected","zone":"capture"},)j"
        R"j({"event":"error","ts":"2026-11-25T17:43:28Z","level":"error","pid":26316,"tid":26316,"connection":18,)j"
        R"j("message":"open() \"PREFIX/html/café/��\" failed (2: No such file or directory)","client":"127.0.0.1",)j"
        R"j("server":"capture.test","request":"GET /café/�� HTTP/1.1","upstream":null,"host":"capture.test",)j"
        R"j("referrer":null,"limit":null,"zone":null}]})j");
}

TEST_CASE("errors metrics and plugin line", "[nginx-logs][view][prom]") {
  ErrorsReport r;
  read_errors(r, 3);
  CHECK(meshops::cli::render_prom(to_prom(r)) ==
        "# HELP meshops_nginx_logs_error_entries Error log entries per level\n"
        "# TYPE meshops_nginx_logs_error_entries gauge\n"
        "meshops_nginx_logs_error_entries{level=\"error\"} 5\n"
        "# HELP meshops_nginx_logs_limit_req_rejected Requests rejected by limit_req, per zone\n"
        "# TYPE meshops_nginx_logs_limit_req_rejected gauge\n"
        "meshops_nginx_logs_limit_req_rejected{zone=\"capture\"} 2\n");
  CHECK(ok_text(r) == "5 error log entries in 33 lines");
}

TEST_CASE("filter --json: a record's keys in the documented order, exact", "[nginx-logs][view][json]") {
  // event, ts, then the format's variables as log_format names them (seconds as _ms), then
  // method, path and protocol of the request line: not sorted.
  auto record_of = [](const nginx::LogFormat& lf, const std::string& line) {
    nginx::LineParser parser(lf);
    nginx::Record rec;
    REQUIRE(parser.parse(line, rec));
    return nginx::record_to_json(rec, lf.escape).dump();
  };
  const auto combined = nginx::compile_log_format("combined");
  CHECK(record_of(combined, R"(127.0.0.1 - - [25/Nov/2026:17:43:28 +0000] "GET /index.html?x=1&y=2 HTTP/1.1" 200 6 "-" "curl/7.88.1")") ==
        R"({"event":"request","ts":"2026-11-25T17:43:28Z","remote_addr":"127.0.0.1","remote_user":"-",)"
        R"("time_local":"2026-11-25T17:43:28Z","request":"GET /index.html?x=1&y=2 HTTP/1.1","status":200,)"
        R"("body_bytes_sent":6,"http_referer":"-","http_user_agent":"curl/7.88.1","method":"GET",)"
        R"("path":"/index.html","protocol":"HTTP/1.1"})");
  const auto timed = nginx::log_format_from_conf(fixture("formats.conf"), "timed", "formats.conf");
  CHECK(record_of(timed, R"(127.0.0.1 - - [25/Nov/2026:17:43:28 +0000] "GET / HTTP/1.1" 200 6 "-" "curl/7.88.1" 0.000 - 127.0.0.1)") ==
        R"({"event":"request","ts":"2026-11-25T17:43:28Z","remote_addr":"127.0.0.1","remote_user":"-",)"
        R"("time_local":"2026-11-25T17:43:28Z","request":"GET / HTTP/1.1","status":200,"body_bytes_sent":6,)"
        R"("http_referer":"-","http_user_agent":"curl/7.88.1","request_time_ms":0.0,"upstream_response_time_ms":null,)"
        R"("host":"127.0.0.1","method":"GET","path":"/","protocol":"HTTP/1.1"})");
}
