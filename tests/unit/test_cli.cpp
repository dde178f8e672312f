// cli: escaping, table rendering, Prometheus text, exit-code ranking.
#include "meshops/cli/escape.hpp"
#include "meshops/cli/output.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace meshops;
using namespace meshops::cli;

TEST_CASE("terminal_safe escapes control characters and invalid UTF-8", "[cli][escape]") {
  struct Case { const char* name; std::string in; std::string want; };
  std::vector<Case> cases{
      {"plain ascii", "laptop-1", "laptop-1"},
      {"clear screen", "\x1b[2J", "\\e[2J"},
      {"newline and tab", "a\nb\tc\r", "a\\nb\\tc\\r"},
      {"backslash doubled", "a\\b", "a\\\\b"},
      {"bell and DEL", std::string("\x07\x7f"), "\\x07\\x7f"},
      {"NUL", std::string("a\0b", 3), "a\\x00b"},
      {"valid UTF-8 kept", "m\xc3\xbcnchen \xe2\x9c\x93", "m\xc3\xbcnchen \xe2\x9c\x93"},
      {"C1 control CSI", "\xc2\x9b" "2J", "\\u009b2J"},
      {"lone continuation byte", "\x80", "\\x80"},
      {"truncated sequence", "\xe2\x9c", "\\xe2\\x9c"},
      {"overlong slash", "\xc0\xaf", "\\xc0\\xaf"},
      {"surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80"},
      {"right-to-left override", "evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe"},
      {"zero-width space", "lap\xe2\x80\x8btop", "lap\\u200btop"},
      {"byte-order mark", "\xef\xbb\xbfname", "\\ufeffname"},
      {"other 3-byte characters kept", "\xe2\x9c\x93 \xe2\x82\xac", "\xe2\x9c\x93 \xe2\x82\xac"},
      // Issue 18: 0xF5..0xFF lead no sequence, so the bytes after them are not swallowed.
      {"0xFF then two 8-bit CSIs", "\xff\x9b\x9b" "2J", "\\xff\\x9b\\x9b2J"},
      {"lead bytes F5..FE", "\xf5\x80\x80\x80\xfe\xbf\xbf", "\\xf5\\x80\\x80\\x80\\xfe\\xbf\\xbf"},
      {"raw 8-bit CSI", "\x9b" "2J", "\\x9b2J"},
      {"word joiner", "lap\xe2\x81\xa0top", "lap\\u2060top"},
      {"right-to-left isolate", "a\xe2\x81\xa7" "b", "a\\u2067b"},
      {"soft hyphen", "a\xc2\xad" "b", "a\\u00adb"},
      {"tag character", "a\xf3\xa0\x80\x81", "a\\ue0001"},
      {"4-byte characters kept", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
      {"2-byte characters kept", "\xc2\xa0\xc3\xa9", "\xc2\xa0\xc3\xa9"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) { CHECK(terminal_safe(c.in) == c.want); }
  }
}

TEST_CASE("Table renders aligned columns without trailing blanks", "[cli][table]") {
  Table t({{"NAME"}, {"IP"}, {"RX", Align::right}});
  t.add_row({"laptop", "100.64.0.2", "1.5 KiB"});
  t.add_row({"kernelcore", "100.64.0.1", "12 B"});
  Output out;
  CHECK(t.render(out) ==
        "NAME        IP               RX\n"
        "laptop      100.64.0.2  1.5 KiB\n"
        "kernelcore  100.64.0.1     12 B\n");
  out.legend = false;
  CHECK(t.render(out) ==
        "laptop      100.64.0.2  1.5 KiB\n"
        "kernelcore  100.64.0.1     12 B\n");
}

TEST_CASE("Table escapes hostile cells and prints empty ones as a dash", "[cli][table]") {
  Table t({{"NAME"}, {"OS"}});
  t.add_row({"\x1b[2Jevil\nname", ""});
  Output out;
  out.legend = false;
  CHECK(t.render(out) == "\\e[2Jevil\\nname  -\n");
}

TEST_CASE("Table shrinks elastic columns to the terminal width", "[cli][table]") {
  Table t({{"NAME", Align::left, true}, {"STATE"}});
  t.add_row({"a-very-long-peer-name-that-will-not-fit", "online"});
  Output out;
  out.legend = false;
  out.width = 24;
  auto text = t.render(out);
  CHECK(text == "a-very-long-pee…  online\n");  // a name is cut at its end
  CHECK(display_width(text.substr(0, text.size() - 1)) <= 24);
}

TEST_CASE("A 70-column terminal cuts names at the end, paths in the middle", "[cli][table]") {
  Table t({{"NAME", Align::left, true}, {"PATH", Align::left, true, Elide::middle}, {"STATE"}});
  t.add_row({"kernelcore-with-a-long-host-name-from-dhcp", "direct 198.18.0.11:41641 via a very long relay name", "online"});
  Output out;
  out.legend = false;
  out.width = 70;
  auto text = t.render(out);
  CHECK(text.rfind("kernelcore-with-a-long-host-name-from-dhcp", 0) == 0);
  out.width = 50;
  text = t.render(out);
  CHECK(text == "kernelcore-with-a-long-host-nam…  dire…ame  online\n");
  CHECK(display_width(text.substr(0, text.size() - 1)) <= 50);
}

TEST_CASE("Table colours cells only when asked", "[cli][table]") {
  Table t({{"STATE"}});
  t.add_row({Cell("down", Style::bad)});
  Output out;
  out.legend = false;
  CHECK(t.render(out) == "down\n");
  out.color = true;
  CHECK(t.render(out) == "\x1b[31mdown\x1b[0m\n");
}

TEST_CASE("elide cuts the end, or the middle to keep both ends", "[cli][table]") {
  CHECK(elide("abcdefghij", 5) == "abcd…");
  CHECK(elide("abcdefghij", 5, Elide::middle) == "ab…ij");
  CHECK(elide("abc", 5) == "abc");
  CHECK(elide("abcdef", 1) == "…");
  CHECK(elide("kernelcöre", 6) == "kerne…");  // by code points, not bytes
}

TEST_CASE("JSON output writes C1 controls, DEL and bidi characters as \\u escapes", "[cli][json][escape]") {
  // Raw, these reach the terminal of whoever reads the document (issue 18); nlohmann escapes
  // only what JSON must.
  nlohmann::ordered_json doc{{"peer", "a\xc2\x85" "b\xe2\x80\xae" "c\x7f" "d\xc2\x9b" "2J"},
                             {"tag", "x\xf3\xa0\x80\x81"},
                             {"kept", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"},
                             {"invalid", "\xff\x9b"}};
  auto text = dump_json(doc, /*pretty=*/false);
  CHECK(text == R"({"peer":"a\u0085b\u202ec\u007fd\u009b2J","tag":"x\udb40\udc01","kept":")"
                "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80" R"(","invalid":")" "\xef\xbf\xbd\xef\xbf\xbd" R"("})");
  // The same document: only the spelling changed.
  auto back = nlohmann::ordered_json::parse(text);
  CHECK(back["peer"] == doc["peer"]);
  CHECK(back["tag"] == doc["tag"]);
  CHECK(dump_json(nlohmann::json{{"a", 1}}, /*pretty=*/true) == "{\n  \"a\": 1\n}");
}

TEST_CASE("Prometheus label values carry no raw control byte", "[cli][prom][escape]") {
  std::vector<Metric> m{{"meshops_fw_status_chain_info", "Chains.", "gauge", {{{{"table", "t\x1b]0;owned\x07"}, {"chain", "c\xc2\x9b"}}, 1}}}};
  CHECK(render_prom(m) ==
        "# HELP meshops_fw_status_chain_info Chains.\n"
        "# TYPE meshops_fw_status_chain_info gauge\n"
        "meshops_fw_status_chain_info{table=\"t\\\\e]0;owned\\\\x07\",chain=\"c\\\\u009b\"} 1\n");
}

TEST_CASE("render_prom writes HELP, TYPE and escaped labels", "[cli][prom]") {
  std::vector<Metric> m{{"meshops_peer_online", "Whether the peer is online.", "gauge",
                         {{{{"peer", "lap\"top\\1\n"}}, 1}, {{{"peer", "b"}}, 0}}},
                        {"meshops_rx_bytes", "Bytes.", "counter", {{{}, 1.5}}}};
  CHECK(render_prom(m) ==
        "# HELP meshops_peer_online Whether the peer is online.\n"
        "# TYPE meshops_peer_online gauge\n"
        "meshops_peer_online{peer=\"lap\\\"top\\\\1\\n\"} 1\n"
        "meshops_peer_online{peer=\"b\"} 0\n"
        "# HELP meshops_rx_bytes Bytes.\n"
        "# TYPE meshops_rx_bytes counter\n"
        "meshops_rx_bytes 1.5\n");
}

TEST_CASE("run_metrics: state, up and last run under the tool's own prefix", "[cli][prom]") {
  CHECK(metric_prefix("ts-status") == "meshops_ts_status");
  CHECK(metric_prefix("nginx-logs") == "meshops_nginx_logs");
  CHECK(metric_prefix("meshops-health") == "meshops_health");
  auto text = render_prom(run_metrics("ts-quality", Exit::unknown, false, 1764626534.25));
  CHECK(text.find("\nmeshops_ts_quality_state 3\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_quality_up 0\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_quality_last_run_timestamp_seconds 1764626534.25\n") != std::string::npos);
  CHECK(render_prom(run_metrics("fw-status", Exit::warning, true, 1)).find("\nmeshops_fw_status_up 1\n") != std::string::npos);
}

TEST_CASE("human units", "[cli][units]") {
  CHECK(plural(1, "finding") == "1 finding");
  CHECK(plural(0, "probe") == "0 probes");
  CHECK(plural(2, "pkt") == "2 pkts");
  CHECK(human_bytes(0) == "0 B");
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(human_bytes(5'000'000) == "4.8 MiB");
  CHECK(human_bytes(300ull << 30) == "300 GiB");
  CHECK(human_age(std::chrono::seconds(45)) == "45s");
  CHECK(human_age(std::chrono::seconds(301)) == "5m");
  CHECK(human_age(std::chrono::seconds(2 * 86400 + 5)) == "2d");
  CHECK(human_ms(0.234) == "0.23ms");
  CHECK(human_ms(12.51) == "12.5ms");
  CHECK(human_ms(1520) == "1.52s");
}

TEST_CASE("worst ranks critical above unknown above warning", "[cli][exit]") {
  CHECK(worst(Exit::ok, Exit::warning) == Exit::warning);
  CHECK(worst(Exit::unknown, Exit::warning) == Exit::unknown);
  CHECK(worst(Exit::critical, Exit::unknown) == Exit::critical);
  CHECK(worst(Exit::ok, Exit::ok) == Exit::ok);
}
