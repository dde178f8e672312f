// nginx access/error log parsing: the log_format compiler, the line parser on real captured
// lines (tests/fixtures/nginx-logs, see capture.sh there) and on the edge cases real logs carry.
#include "meshops/error.hpp"
#include "meshops/nginx/log_aggregate.hpp"
#include "meshops/nginx/log_error.hpp"
#include "meshops/nginx/log_filter.hpp"
#include "meshops/nginx/log_format.hpp"
#include "meshops/nginx/log_parse.hpp"
#include "meshops/nginx/log_record_json.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/time.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>

#include <string>
#include <vector>

using namespace meshops;
using namespace meshops::nginx;

namespace {

std::string fixture(const std::string& name) { return sys::read_file(std::string(MESHOPS_FIXTURES) + "/nginx-logs/" + name); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t nl = text.find('\n', i);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(i, nl - i));
    i = nl + 1;
  }
  return out;
}

Summary summary_of(const LogFormat& f, const std::string& text, std::size_t top = 10) {
  Aggregator agg(f, {});
  agg.add_lines(text, 1);
  return summarize(agg, top, By::none);
}

const std::string kLine =
    R"(127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /index.html?x=1 HTTP/1.1" 200 6 "-" "curl/7.88.1")";

} // namespace

TEST_CASE("compile_log_format splits combined into typed fields and literals", "[nginx][log_format]") {
  auto f = compile_log_format("combined");
  REQUIRE(f.fields.size() == 8);
  CHECK(f.leading.empty());
  CHECK(f.fields[0].var == Var::remote_addr);
  CHECK(f.fields[0].following == " - ");
  CHECK(f.fields[2].var == Var::time_local);
  CHECK(f.fields[2].following == "] \"");
  CHECK(f.fields[3].quoted);
  CHECK(f.fields[7].var == Var::http_user_agent);
  CHECK(f.fields[7].following == "\"");
  CHECK(f.index_of(Var::status) == 4);
  CHECK(f.index_of(Var::host) == -1);
  CHECK(var_type(Var::upstream_response_time) == VarType::seconds_list);
  CHECK(compile_log_format("common").fields.size() == 6);
}

TEST_CASE("compile_log_format takes custom variables, ${name} and a leading literal", "[nginx][log_format]") {
  auto f = compile_log_format("[${msec}] $remote_addr $my_var|$status");
  CHECK(f.leading == "[");
  REQUIRE(f.fields.size() == 4);
  CHECK(f.fields[0].var == Var::msec);
  CHECK(f.fields[2].var == Var::other);
  CHECK(f.fields[2].name == "my_var");
  CHECK(f.fields[2].following == "|");
}

TEST_CASE("compile_log_format rejects formats that cannot be split", "[nginx][log_format]") {
  CHECK_THROWS_WITH(compile_log_format("$remote_addr$status"), Catch::Contains("no text between them"));
  CHECK_THROWS_WITH(compile_log_format("no variables"), Catch::Contains("no $variable"));
  CHECK_THROWS_WITH(compile_log_format("${status"), Catch::Contains("unclosed"));
  try {
    compile_log_format("$a$b");
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::usage);
  }
}

TEST_CASE("log_format_from_conf reads a multi-part log_format with its escape mode", "[nginx][log_format]") {
  const std::string conf = fixture("formats.conf");
  auto timed = log_format_from_conf(conf, "timed", "formats.conf");
  CHECK(timed.escape == Escape::default_);
  CHECK(timed.has(Var::request_time));
  CHECK(timed.has(Var::upstream_response_time));
  CHECK(timed.has(Var::host));
  auto json = log_format_from_conf(conf, "jsonl", "formats.conf");
  CHECK(json.escape == Escape::json);
  CHECK(json.leading == "{\"time_iso8601\":\"");
  CHECK(log_format_from_conf("http { }", "combined", "x").fields.size() == 8);
  CHECK_THROWS_WITH(log_format_from_conf(conf, "nope", "formats.conf"), Catch::Contains("formats.conf: no log_format named 'nope'"));
  CHECK_THROWS_WITH(log_format_from_conf("log_format x escape=yaml '$status';", "x", "c"), Catch::Contains("unknown escape mode"));
}

TEST_CASE("every line nginx wrote in the combined fixture parses", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  auto lines = lines_of(fixture("combined.log"));
  REQUIRE(lines.size() == 16);
  for (const auto& l : lines) {
    INFO(l);
    CHECK(p.parse(l, r));
    CHECK(parse_status(r.get(Var::status)) >= 200);
  }
}

TEST_CASE("a TLS handshake and an empty request are requests with status 400, not malformed", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  auto s = summary_of(f, fixture("combined.log"));
  CHECK(s.lines == 16);
  CHECK(s.malformed == 0);
  CHECK(s.requests == 16);
  CHECK(s.status.at(400) == 2);
  CHECK(s.invalid_requests == 2);
  CHECK(s.status.at(503) == 2);  // the limit_req rejections
  CHECK(s.rate_limited_503 == 2);
  auto r = parse_request_line("\\x16\\x03\\x01\\x00\\xF7");
  CHECK_FALSE(r.valid);
  CHECK_FALSE(parse_request_line("").valid);
  CHECK_FALSE(parse_request_line(" ").valid);
}

TEST_CASE("summary JSON carries the keys and counts of the issue", "[nginx][aggregate]") {
  auto f = compile_log_format("combined");
  auto j = summary_to_json(summary_of(f, fixture("combined.log"), 3));
  CHECK(j["schema"] == "meshops/nginx-logs/1");
  CHECK(j["lines"] == 16);
  CHECK(j["requests"] == 16);
  CHECK(j["malformed"] == 0);
  // 6+6+5000+153+6+6+6+6+157+6+197+197+157+157+0+153
  CHECK(j["bytes_sent"] == 6 * 7 + 5000 + 153 * 2 + 157 * 3 + 197 * 2);
  CHECK(j["status"]["200"] == 8);
  CHECK(j["status_class"]["2xx"] == 8);
  CHECK(j["status_class"]["4xx"] == 5);
  CHECK(j["status_class"]["5xx"] == 3);
  REQUIRE(j["top_paths"].size() == 3);
  CHECK(j["top_paths"][0]["path"] == "/index.html");  // query stripped: /index.html?x=1&y=2 counts here
  CHECK(j["top_paths"][0]["requests"] == 5);
  CHECK(j["top_paths"][1]["path"] == "/limited");
  CHECK(j["top_clients"][0] == nlohmann::ordered_json{{"addr", "127.0.0.1"}, {"requests", 16}, {"bytes_sent", j["bytes_sent"]}});
  CHECK(j["methods"]["GET"] == 13);
  CHECK(j["methods"]["POST"] == 1);
  CHECK(j["first"] == "2026-11-25T17:43:28Z");
  CHECK(j["rate_limited"]["total"] == 2);
}

TEST_CASE("\\xHH escapes are decoded for matching and shown escaped when not UTF-8", "[nginx][parse]") {
  CHECK(decode_value("/caf\\xC3\\xA9", Escape::default_) == "/caf\xC3\xA9");
  CHECK(decode_value("a\\x22b\\x5C", Escape::default_) == "a\"b\\");
  CHECK(decode_value("\\xZZ", Escape::default_) == "\\xZZ");
  CHECK(decode_value("a\\\"b\\u00e9\\n", Escape::json) == "a\"b\xC3\xA9\n");
  CHECK(display_key("/caf\\xC3\\xA9", Escape::default_) == "/caf\xC3\xA9");
  CHECK(display_key("/\\xFF\\xFE", Escape::default_) == "/\\xFF\\xFE");  // invalid UTF-8 stays as logged
  CHECK(valid_utf8("caf\xC3\xA9"));
  CHECK_FALSE(valid_utf8("\xFF"));
  CHECK_FALSE(valid_utf8("\xC3"));
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));  // a surrogate
  Filter flt;
  flt.path_globs = {"/caf\xC3\xA9/*"};
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  const std::string line = lines_of(fixture("combined.log")).back();  // r's views point into it
  REQUIRE(p.parse(line, r));
  CHECK(flt.matches(r, Escape::default_));
}

TEST_CASE("quotes escaped in the user agent do not end the field", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  // nginx writes \x22; other producers write \" — both stay inside the field.
  REQUIRE(p.parse(R"(10.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 200 6 "-" "Mozilla \"x\" y" trailing)", r));
  CHECK(r.get(Var::http_user_agent) == R"(Mozilla \"x\" y)");
  CHECK(decode_value(r.get(Var::http_user_agent), Escape::default_) == "Mozilla \"x\" y");
  const std::string quoted = lines_of(fixture("combined.log"))[5];
  REQUIRE(p.parse(quoted, r));
  CHECK(decode_value(r.get(Var::http_user_agent), Escape::default_) == "Mozilla/5.0 \"quoted\" agent");
}

TEST_CASE("IPv6 clients, a set $remote_user, CRLF and trailing text parse", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  REQUIRE(p.parse("2001:db8::1 - bob [25/Nov/2026:17:43:25 +0000] \"GET / HTTP/2.0\" 200 6 \"-\" \"c\"\r", r));
  CHECK(r.get(Var::remote_addr) == "2001:db8::1");
  CHECK(r.get(Var::remote_user) == "bob");
  CHECK(r.line.back() == '"');
  CHECK(parse_cidr("2001:db8::/32").contains(r.get(Var::remote_addr)));
  CHECK_FALSE(parse_cidr("10.0.0.0/8").contains(r.get(Var::remote_addr)));
  const std::string trailing = kLine + " \"extra\" 0.1";
  REQUIRE(p.parse(trailing, r));
  CHECK(r.get(Var::http_user_agent) == "curl/7.88.1");
  CHECK(r.unread == " \"extra\" 0.1");  // what the format leaves is kept for the warning
  REQUIRE(p.parse(kLine, r));
  CHECK(r.unread.empty());
}

TEST_CASE("a summary counts the lines with text the format left unread, the first as example", "[nginx][aggregate]") {
  auto f = compile_log_format("combined");
  std::string text = kLine + "\n" + kLine + " 0.005 example.com\n" + kLine + " 0.007 example.com\n";
  auto s = summary_of(f, text);
  CHECK(s.unread_lines == 2);
  REQUIRE(s.unread_example);
  CHECK(s.unread_example->line_no == 2);
  CHECK(s.unread_example->text == " 0.005 example.com");
  CHECK(summary_to_json(s)["unread_lines"] == 2);
  // Two halves merged: the first example is the earlier line.
  Aggregator a(f, {}), b(f, {});
  std::size_t mid = text.find('\n', kLine.size() + 2) + 1;
  a.add_lines(std::string_view(text).substr(0, mid), 1);
  b.add_lines(std::string_view(text).substr(mid), 1);
  b.shift_line_numbers(a.lines());
  a.merge(b);
  auto m = summarize(a, 10, By::none);
  CHECK(m.unread_lines == 2);
  CHECK(m.unread_example->line_no == 2);
  // The format nginx wrote reads all of it.
  auto timed = compile_log_format(std::string(kCombinedFormat) + " $request_time $host");
  CHECK(summary_of(timed, text).unread_lines == 0);
}

TEST_CASE("own requests are counted only among the records the filters keep", "[nginx][aggregate]") {
  // own_requests are probes left out of what would be counted; one the filters (or --since)
  // leave out anyway is filtered_out, as for any other record.
  auto f = compile_log_format("combined");
  const std::string probe = R"(127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /api/tags HTTP/1.1" 200 6 "-" "meshops-probe/1")";
  std::string failing = probe;
  failing.replace(failing.find(" 200 "), 5, " 502 ");
  AggregateOptions ao;
  ao.filter.statuses = parse_status_spec("5xx");
  Aggregator agg(f, ao);
  agg.add_lines(kLine + "\n" + probe + "\n" + failing + "\n", 1);
  auto s = summarize(agg, 10, By::none);
  CHECK(s.requests == 0);
  CHECK(s.own_requests == 1);  // the 502 probe: the filter keeps it, being ours leaves it out
  CHECK(s.filtered_out == 2);  // kLine and the 200 probe: not 5xx
}

TEST_CASE("own requests are meshops' exact User-Agents from loopback or the tailnet", "[nginx][filter]") {
  // A User-Agent is anyone's to send: one from outside the host and the tailnet is a request
  // like any other, so a client cannot hide from the summary by claiming to be a probe.
  auto f = compile_log_format("combined");
  auto own = [&](std::string_view client, std::string_view agent) {
    auto line = fmt::format(R"({} - - [25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 200 6 "-" "{}")", client, agent);
    LineParser p(f);
    Record rec;
    REQUIRE(p.parse(line, rec));
    return is_own_request(rec);
  };
  CHECK(own("127.0.0.1", "meshops-probe/1"));
  CHECK(own("100.64.0.7", "meshops-ts-benchmark/1"));
  CHECK(own("fd7a:115c:a1e0::7", "meshops-probe/2"));
  CHECK(own("::1", "meshops-probe/1"));
  CHECK_FALSE(own("203.0.113.9", "meshops-probe/1"));      // spoofed from the internet
  CHECK_FALSE(own("192.168.1.20", "meshops-ts-benchmark/1"));
  CHECK_FALSE(own("127.0.0.1", "meshops-anything"));       // not a product meshops sends
  CHECK_FALSE(own("127.0.0.1", "meshops-probe/1 (evil)"));
  CHECK_FALSE(own("127.0.0.1", "meshops-probe/"));
  CHECK_FALSE(own("127.0.0.1", "curl/8.0"));
  // Without $remote_addr nothing tells a probe from a client that claims to be one.
  auto no_addr = compile_log_format(R"([$time_local] "$request" $status "$http_user_agent")");
  LineParser p(no_addr);
  Record rec;
  REQUIRE(p.parse(R"([25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 200 "meshops-probe/1")", rec));
  CHECK_FALSE(is_own_request(rec));
}

TEST_CASE("lines missing fields or with bad typed values are malformed", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  CHECK_FALSE(p.parse("", r));
  CHECK_FALSE(p.parse("garbage", r));
  CHECK_FALSE(p.parse(kLine.substr(0, kLine.size() / 2), r));
  CHECK_FALSE(p.parse(R"(127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 2x0 6 "-" "c")", r));
  CHECK_FALSE(p.parse(R"(127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 200 -5 "-" "c")", r));
  auto s = summary_of(f, kLine + "\ngarbage\n\n" + kLine + "\n");
  CHECK(s.lines == 4);
  CHECK(s.malformed == 2);
  CHECK(s.requests == 2);
  REQUIRE(s.malformed_examples.size() == 2);
  CHECK(s.malformed_examples[0].line_no == 2);
  CHECK(s.malformed_examples[0].text == "garbage");
}

TEST_CASE("a line cut short after the request is a truncated request, earlier malformed", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  const std::string cut_in_referer = kLine.substr(0, kLine.find("\"-\"") + 2);
  REQUIRE(p.parse(cut_in_referer, r));
  CHECK(r.truncated);
  CHECK(r.has(Var::http_referer));
  CHECK_FALSE(r.has(Var::http_user_agent));
  CHECK(r.get(Var::http_referer) == "-");
  const std::string cut_in_agent = kLine.substr(0, kLine.size() - 4);  // views into it must outlive r's use
  REQUIRE(p.parse(cut_in_agent, r));
  CHECK(r.get(Var::http_user_agent) == "curl/7.8");  // "curl/7.88.1\"" less 4 bytes
  CHECK_FALSE(p.parse(kLine.substr(0, kLine.find(" 6 ") + 2), r));  // cut in the byte count
  // Cut right after the request, with or without the space: a request without a status, as
  // GoAccess 1.7 counts it (one valid request, no status code; checked on such lines here).
  for (std::size_t keep : {kLine.find(" 200 "), kLine.find(" 200 ") + 1}) {
    const std::string cut = kLine.substr(0, keep);
    INFO(cut);
    REQUIRE(p.parse(cut, r));
    CHECK(r.truncated);
    CHECK(r.get(Var::request) == "GET /index.html?x=1 HTTP/1.1");
    CHECK_FALSE(r.has(Var::status));
    CHECK(r.status == -1);
  }
  CHECK_FALSE(p.parse(kLine.substr(0, kLine.find(" 200 ") + 2), r));  // cut in the status
  CHECK_FALSE(p.parse(kLine.substr(0, kLine.find("] \"") + 2), r));  // cut before the request
  REQUIRE(p.parse(kLine, r));
  CHECK_FALSE(r.truncated);
  auto s = summary_of(f, kLine.substr(0, kLine.size() - 4) + "\n" + kLine + "\n");
  CHECK(s.requests == 2);
  CHECK(s.truncated == 1);
  CHECK(s.bytes_sent == 12);
}

TEST_CASE("a 1 MB line and invalid UTF-8 bytes parse without harm", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  std::string ua(1 << 20, 'A');
  ua[100] = '\xFF';
  std::string line = "127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] \"GET /\xC3 HTTP/1.1\" 200 6 \"-\" \"" + ua + "\"";
  REQUIRE(p.parse(line, r));
  CHECK(r.get(Var::http_user_agent).size() == ua.size());
  auto j = record_to_json(r, Escape::default_);
  CHECK(j["status"] == 200);
  auto s = summary_of(f, line + "\n");
  CHECK(s.requests == 1);
  CHECK(s.top_paths.at(0).key == "/\xC3");  // held raw; the JSON dump replaces invalid bytes
}

TEST_CASE("custom formats type $request_time, $upstream_response_time and $host", "[nginx][parse]") {
  auto f = log_format_from_conf(fixture("formats.conf"), "timed", "formats.conf");
  auto s = summary_of(f, fixture("timed.log"));
  CHECK(s.malformed == 0);
  CHECK(s.requests == 16);
  REQUIRE(s.request_time);
  CHECK(s.request_time->count == 16);
  REQUIRE(s.upstream_response_time);
  CHECK(s.upstream_response_time->count == 2);  // only /upstream and /down went upstream
  REQUIRE(s.vhosts.size() == 2);
  CHECK(s.vhosts[0].key == "127.0.0.1");
  CHECK(s.vhosts[1].key == "capture.test");
  CHECK(s.vhosts[1].stats.requests == 3);
}

TEST_CASE("upstream_response_time lists, '-' and junk", "[nginx][parse]") {
  CHECK(parse_seconds_list_ms("0.010, 0.004 : 0.002").value() == Approx(16.0));
  CHECK(parse_seconds_list_ms("-, 0.5").value() == Approx(500.0));
  CHECK_FALSE(parse_seconds_list_ms("-"));
  CHECK_FALSE(parse_seconds_list_ms("abc"));
  CHECK(parse_seconds_ms("1.234").value() == Approx(1234.0));
  CHECK_FALSE(parse_seconds_ms("1.2.3"));
  CHECK_FALSE(parse_seconds_ms(""));
  auto f = compile_log_format("$status $upstream_response_time");
  LineParser p(f);
  Record r;
  REQUIRE(p.parse("502 0.001, 0.002 : -", r));
  CHECK(r.get(Var::upstream_response_time) == "0.001, 0.002 : -");
}

TEST_CASE("escape=json lines parse in json mode and in their log_format", "[nginx][parse]") {
  auto lines = lines_of(fixture("json.log"));
  REQUIRE(lines.size() == 16);
  auto json = compile_log_format("json");
  auto conf = log_format_from_conf(fixture("formats.conf"), "jsonl", "formats.conf");
  for (const auto* f : {&json, &conf}) {
    auto s = summary_of(*f, fixture("json.log"));
    CHECK(s.malformed == 0);
    CHECK(s.requests == 16);
    CHECK(s.status.at(400) == 2);
    CHECK(s.first_ms.has_value());
  }
  LineParser p(json);
  Record r;
  REQUIRE(p.parse(lines.back(), r));
  CHECK(r.get(Var::http_user_agent) == "raw\\u0001bytes");
  CHECK(record_to_json(r, Escape::json)["http_user_agent"] == "raw\x01" "bytes");
  CHECK_FALSE(p.parse("{\"status\": 200", r));
  CHECK_FALSE(p.parse("[1,2]", r));
  CHECK_FALSE(p.parse("{\"status\":\"20x\"}", r));
}

TEST_CASE("a JSON line with a key twice: the first wins, in the record and in its JSON", "[nginx][parse]") {
  // nginx writes what its log_format names, a key twice included (escape=json does not check);
  // the summary, the record filters and the NDJSON of filter --json read the same value from it.
  auto json = compile_log_format("json");
  LineParser p(json);
  Record r;
  REQUIRE(p.parse(R"({"status":"200","body_bytes_sent":"5","request_time":"0.500","up":"a","ts":"mine",)"
                  R"("status":"502","body_bytes_sent":"7","request_time":"1.500","up":"b","request":"GET /x HTTP/1.1"})",
                  r));
  CHECK(r.status == 200);
  CHECK(r.bytes == 5);
  auto j = record_to_json(r, Escape::json);
  CHECK(j["status"] == 200);
  CHECK(j["body_bytes_sent"] == 5);
  CHECK(j["request_time_ms"] == 500);
  CHECK(j["up"] == "a");
  CHECK(j["ts"].is_null());  // "event" and "ts" are ours: the line's own "ts" does not replace them
  CHECK(j["path"] == "/x");
}

TEST_CASE("times parse from $time_local, $time_iso8601 and $msec", "[nginx][parse]") {
  CHECK(parse_time_local("10/Oct/2000:13:55:36 -0700").value() == 971211336000);
  CHECK(parse_msec("971211336.123").value() == 971211336123);
  CHECK_FALSE(parse_time_local("10/Foo/2000:13:55:36 -0700"));
  CHECK_FALSE(parse_time_local("32/Oct/2000:13:55:36 -0700"));
  CHECK_FALSE(parse_time_local("31/Apr/2000:13:55:36 -0700"));
  // Outside 0000..9999 or no number nginx writes: no time, never a wrapped one (issue 18).
  CHECK(parse_time_local("01/Jan/0000:00:00:00 +0000").value() == meshops::sys::kTimeMinMs);
  CHECK_FALSE(parse_time_local("01/Jan/0000:00:00:00 +0700"));
  CHECK_FALSE(parse_time_local("31/Dec/9999:23:59:59 -0100"));
  CHECK_FALSE(parse_msec("1e30"));
  CHECK_FALSE(parse_msec("99999999999999999999.5"));
  CHECK_FALSE(parse_msec("9999999999999"));  // 13 digits of seconds: past year 9999 anyway
  CHECK(parse_msec("253402300799.999").value() == meshops::sys::kTimeMaxMs);
  CHECK_FALSE(parse_msec("253402300800"));
  CHECK_FALSE(parse_seconds_ms("12345678901234567890123"));
  Record r;
  auto f = compile_log_format(R"($time_iso8601 $status)");
  LineParser p(f);
  REQUIRE(p.parse("2000-10-10T20:55:36.250Z 200", r));
  CHECK(record_time(r).value() == 971211336250);
}

TEST_CASE("Top rows keep nginx's form for JSON and the decoded bytes for a terminal", "[nginx][aggregate]") {
  auto f = compile_log_format("combined");
  std::string text;
  for (const char* path : {"/a\\xFFb", "/a\\xFFb", "/caf\\xC3\\xA9", "/plain"})
    text += std::string("127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] \"GET ") + path + " HTTP/1.1\" 200 6 \"-\" \"curl\"\n";
  auto s = summary_of(f, text);
  REQUIRE(s.top_paths.size() == 3);
  const auto& invalid = s.top_paths[0];
  CHECK(invalid.key == "/a\\xFFb");       // JSON: as nginx wrote it
  CHECK(invalid.shown() == "/a\xFF" "b");  // terminal: the byte itself, for terminal_safe to escape once
  for (const auto& r : s.top_paths)
    if (r.key != invalid.key) CHECK(r.shown() == r.key);  // decodable or plain: one form
  CHECK(summary_to_json(s)["top_paths"][0]["path"] == "/a\\xFFb");
}

TEST_CASE("two aggregators over two halves merge to the one-pass result", "[nginx][aggregate]") {
  auto f = compile_log_format("combined");
  std::string text = fixture("combined.log") + "bad line\n" + fixture("combined.log");
  auto whole = summary_to_json(summary_of(f, text));
  std::size_t mid = text.find('\n', text.size() / 2) + 1;
  Aggregator a(f, {}), b(f, {});
  a.add_lines(std::string_view(text).substr(0, mid), 1);
  b.add_lines(std::string_view(text).substr(mid), 1);
  b.shift_line_numbers(a.lines());
  a.merge(b);
  auto merged = summary_to_json(summarize(a, 10, By::none));
  CHECK(merged == whole);
  CHECK(merged["malformed_examples"][0]["line"] == 17);
}

TEST_CASE("filters select by status, client, method, time and duration", "[nginx][filter]") {
  auto f = log_format_from_conf(fixture("formats.conf"), "timed", "formats.conf");
  LineParser p(f);
  auto count = [&](const Filter& flt) {
    int n = 0;
    Record r;
    for (const auto& l : lines_of(fixture("timed.log")))
      if (p.parse(l, r) && flt.matches(r, f.escape)) ++n;
    return n;
  };
  Filter by_status;
  by_status.statuses = parse_status_spec("5xx");
  CHECK(count(by_status) == 3);
  by_status.statuses = parse_status_spec("404,405");
  CHECK(count(by_status) == 3);
  Filter by_method;
  by_method.methods = {"POST"};
  CHECK(count(by_method) == 1);
  Filter by_host;
  by_host.host_globs = {"CAPTURE.*"};
  CHECK(count(by_host) == 3);
  Filter by_client;
  by_client.clients = {parse_cidr("127.0.0.0/8")};
  CHECK(count(by_client) == 16);
  by_client.clients = {parse_cidr("10.0.0.0/8")};
  CHECK(count(by_client) == 0);
  Filter by_time;
  by_time.min_time_ms = 1000.0;
  CHECK(count(by_time) == 0);
  by_time.min_time_ms = 0.0;
  CHECK(count(by_time) == 16);
  Filter by_path;
  by_path.path_globs = {"/lim*"};
  CHECK(count(by_path) == 3);
  CHECK_THROWS_WITH(parse_status_spec("6xx"), Catch::Contains("'6xx'"));
  CHECK_THROWS_WITH(parse_cidr("300.1.1.1"), Catch::Contains("not an IP"));
  CHECK_THROWS(parse_cidr("10.0.0.0/33"));
}

TEST_CASE("error log lines split into level, pid, message and nginx's context", "[nginx][error_log]") {
  ErrorRecord r;
  REQUIRE(parse_error_line(
      R"(2026/11/25 17:43:25 [error] 25761#25761: *10 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /down HTTP/1.1", upstream: "http://127.0.0.1:1/", host: "127.0.0.1:37899")",
      r));
  CHECK(r.level == Level::error);
  CHECK(r.pid == 25761);
  CHECK(r.connection.value() == 10);
  CHECK(r.message == "connect() failed (111: Connection refused) while connecting to upstream");
  CHECK(r.client == "127.0.0.1");
  CHECK(r.server == "capture.test");
  CHECK(r.request == "GET /down HTTP/1.1");
  CHECK(r.upstream == "http://127.0.0.1:1/");
  CHECK(r.host == "127.0.0.1:37899");
  REQUIRE(parse_error_line("2026/11/25 17:43:25 [notice] 1#1: signal process started", r));
  CHECK(r.level == Level::notice);
  CHECK_FALSE(r.connection);
  CHECK(r.client.empty());
  CHECK_FALSE(parse_error_line("continuation of something", r));
  CHECK_FALSE(parse_error_line("2026/11/25 17:43:25 [bogus] 1#1: x", r));
}

TEST_CASE("the error log fixture counts limit_req rejections per zone", "[nginx][error_log]") {
  ErrorSummary sum;
  ErrorRecord r;
  for (const auto& l : lines_of(fixture("error.log"))) {
    ++sum.lines;
    if (parse_error_line(l, r)) sum.add(r);
    else ++sum.malformed;
  }
  CHECK(sum.malformed == 0);
  CHECK(sum.levels[Level::error] == 5);  // missing file, refused upstream, 2 limit_req, the raw-bytes path
  REQUIRE(sum.zones.count("capture") == 1);
  CHECK(sum.zones["capture"].rejected == 2);
  CHECK(sum.zones["capture"].delayed == 0);
}

TEST_CASE("KeyTable keeps every distinct key across growth", "[nginx][aggregate]") {
  KeyTable<std::uint64_t> t;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 5000; ++i) ++t.at("key-" + std::to_string(i));
  ++t.at("");
  CHECK(t.size() == 5001);
  std::uint64_t total = 0;
  t.for_each([&](std::string_view, std::uint64_t n) { total += n; });
  CHECK(total == 15001);
  CHECK(t.at("key-42") == 3);
  CHECK(hash_bytes("abcdefghijklmnopq") != hash_bytes("abcdefghijklmnopr"));
  CHECK(hash_bytes("") != hash_bytes(std::string_view("\0", 1)));
}

TEST_CASE("a parser that skips the raw fields reads the same variables", "[nginx][parse]") {
  auto f = compile_log_format(
      R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" )"
      R"("$http_user_agent" $request_time $host $status)");  // $status twice: the first wins
  LineParser keep(f), skip(f, RawFields::skip);
  const std::string line =
      R"(10.0.0.1 - bob [25/Nov/2026:17:43:25 +0000] "GET / HTTP/1.1" 503 42 "-" "a \"b\" c" 0.005 h.test 200)";
  Record a, b;
  REQUIRE(keep.parse(line, a));
  REQUIRE(skip.parse(line, b));
  CHECK(a.fields.size() == 11);
  CHECK(b.fields.empty());
  CHECK(a.present == b.present);
  for (int v = 1; v < static_cast<int>(Var::count_); ++v) {
    INFO(var_name(static_cast<Var>(v)));
    CHECK(a.has(static_cast<Var>(v)) == b.has(static_cast<Var>(v)));
    if (a.has(static_cast<Var>(v))) CHECK(a.get(static_cast<Var>(v)) == b.get(static_cast<Var>(v)));
  }
  CHECK(b.status == 503);
  CHECK(b.bytes == 42);
  CHECK(b.get(Var::http_user_agent) == R"(a \"b\" c)");
}

TEST_CASE("a JSON line keeps no field a key when the fields are skipped, and holds at most 1000 keys (issue 18)", "[nginx][parse]") {
  // A summary of one 100 MB line {"a":1,"a":1,...} held a 40-byte field for every 6 bytes.
  auto f = compile_log_format("json");
  LineParser keep(f), skip(f, RawFields::skip);
  std::string line = R"({"remote_addr":"10.0.0.1","status":"404","request":"GET / HTTP/1.1")";
  for (std::size_t i = 3; i < kMaxJsonKeys; ++i) line += R"(,"a":1)";
  const std::string full = line + "}", over = line + R"(,"b":2})";
  Record a, b;
  REQUIRE(keep.parse(full, a));
  REQUIRE(skip.parse(full, b));
  CHECK(a.fields.size() == kMaxJsonKeys);
  CHECK(b.fields.empty());
  CHECK(a.present == b.present);
  CHECK(b.status == 404);
  CHECK(b.get(Var::remote_addr) == "10.0.0.1");
  // One key more: malformed for both, as nginx never writes such a line.
  CHECK_FALSE(keep.parse(over, a));
  CHECK_FALSE(skip.parse(over, b));
}

TEST_CASE("the byte count prefers $body_bytes_sent and survives a 20-digit value", "[nginx][parse]") {
  auto f = compile_log_format("$remote_addr $bytes_sent $body_bytes_sent $status");
  LineParser p(f);
  Record r;
  REQUIRE(p.parse("10.0.0.1 900 800 200", r));
  CHECK(r.bytes == 800);
  REQUIRE(p.parse("10.0.0.1 900 99999999999999999999 200", r));
  CHECK(r.bytes == 0);  // past 19 digits: not a number it can hold
  CHECK_FALSE(p.parse("10.0.0.1 900 8x0 200", r));
  auto g = compile_log_format("$remote_addr $bytes_sent");
  LineParser q(g);
  REQUIRE(q.parse("10.0.0.1 900", r));
  CHECK(r.bytes == 900);
}

TEST_CASE("the request line splits with the usual and unusual protocols", "[nginx][parse]") {
  auto usual = parse_request_line("GET /a b HTTP/1.1");
  CHECK(usual.valid);
  CHECK(usual.uri == "/a b");
  CHECK(usual.protocol == "HTTP/1.1");
  auto longer = parse_request_line("GET /a HTTP/1.10");
  CHECK(longer.uri == "/a");
  CHECK(longer.protocol == "HTTP/1.10");
  auto none = parse_request_line("GET /a/b/c/d/e");
  CHECK(none.uri == "/a/b/c/d/e");
  CHECK(none.protocol.empty());
  auto spaced = parse_request_line("GET /x HTTP/1 1");  // not a protocol: all of it is the URI
  CHECK(spaced.uri == "/x HTTP/1 1");
  CHECK_FALSE(parse_request_line("get / HTTP/1.1").valid);
  CHECK_FALSE(parse_request_line("GET").valid);
  CHECK_FALSE(parse_request_line(" / HTTP/1.1").valid);
}

TEST_CASE("client CIDRs read IPv4 as inet_pton does", "[nginx][filter]") {
  const Cidr net = parse_cidr("0.0.0.0/0");
  for (const char* text : {"1.2.3.4", "255.255.255.255", "0.0.0.0", "10.0.0.1", "01.2.3.4", "1.2.3.256", "1.2.3",
                           "1.2.3.4.5", "1..3.4", "1.2.3.4 ", "", "1.2.3.0004", "a.b.c.d", "1.2.3.-1"}) {
    INFO(text);
    unsigned char buf[4];
    const bool inet = ::inet_pton(AF_INET, text, buf) == 1;
    CHECK(net.contains(text) == inet);
  }
  CHECK(parse_cidr("192.168.1.0/24").contains("192.168.1.77"));
  CHECK_FALSE(parse_cidr("192.168.1.0/24").contains("192.168.2.77"));
}

TEST_CASE("keys compare equal only when every byte is", "[nginx][aggregate]") {
  for (std::size_t n = 0; n < 40; ++n) {
    std::string a(n, 'k');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    CHECK(detail::same_bytes(a.data(), std::string(a).data(), n));
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] ^= 1;
      INFO(n << " " << i);
      CHECK_FALSE(detail::same_bytes(a.data(), b.data(), n));
    }
  }
}

TEST_CASE("a complete line in another layout is malformed, not a cut request", "[nginx][parse]") {
  auto f = compile_log_format("combined");
  LineParser p(f);
  Record r;
  // Tabs where combined has spaces: the request's closing quote is not followed by " ".
  CHECK_FALSE(p.parse("1.2.3.4 - - [25/Nov/2026:17:43:25 +0000] \"GET / HTTP/1.1\"\t200\t6\t\"-\"\t\"curl\"", r));
  CHECK_FALSE(p.parse("1.2.3.4 - - [25/Nov/2026:17:43:25 +0000] \"GET / HTTP/1.1\"|200|6|\"-\"|\"curl\"", r));
}

TEST_CASE("nothing of one line shows through in the next", "[nginx][parse]") {
  auto json = compile_log_format("json");
  auto s = summary_of(json, "{\"status\":\"404\",\"body_bytes_sent\":\"100\"}\n{}\n");
  CHECK(s.requests == 2);
  CHECK(s.bytes_sent == 100);
  CHECK(s.status.at(404) == 1);
  LineParser p(json);
  Record r;
  const std::string with_status = R"({"status":"503","body_bytes_sent":"7"})";
  REQUIRE(p.parse(with_status, r));
  REQUIRE(p.parse("{}", r));
  CHECK(r.status == -1);
  CHECK(r.bytes == 0);
  CHECK_FALSE(r.truncated);
}

TEST_CASE("a format without the fields that make a request accepts no cut lines", "[nginx][parse]") {
  auto f = compile_log_format("$host $status $body_bytes_sent");
  auto s = summary_of(f, "h.test 200 5\n\n\nh.test 200\nh.test 200 5\n");
  CHECK(s.requests == 2);
  CHECK(s.malformed == 3);
  CHECK(s.truncated == 0);
  auto g = compile_log_format("$host \"$http_user_agent\" $request_time");
  auto t = summary_of(g, "h.test \"curl\" 0.1\nh.test \"cu\n\n");
  CHECK(t.requests == 1);
  CHECK(t.malformed == 2);
}
