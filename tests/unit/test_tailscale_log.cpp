// The log line classifier, logtap records and peer names, on tailscaled's own log and log tap
// captured from the real tailnet (tests/fixtures/tailscale-logs/capture.sh).
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/log_classify.hpp"
#include "meshops/tailscale/logtap.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace meshops::tailscale;

namespace {
std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale-logs/" + name);
}
} // namespace

TEST_CASE("Log lines get the category of the subsystem that wrote them", "[tailscale][log]") {
  struct Case {
    const char* text;
    LogCategory category;
    LogLevel level;
  };
  const Case cases[] = {
      {"Switching ipn state Starting -> Running (WantRunning=true, nm=true)", LogCategory::state, LogLevel::info},
      {"control: mapRoutine: netmap received: loggedIn=true inMapPoll=true", LogCategory::control, LogLevel::info},
      {"magicsock: home DERP changing from derp-0 [0ms] to derp-999 [6ms] (forced=false)", LogCategory::derp, LogLevel::info},
      {"derphttp.Client.Connect: connecting to derp-999 (headscale)", LogCategory::derp, LogLevel::info},
      {"magicsock: endpoints changed: 198.18.0.12:41641 (stun)", LogCategory::magicsock, LogLevel::info},
      {"magicsock: disco: node [a56b6] d:39ba8dd9a34e712d now using 198.18.0.11:41641", LogCategory::peers, LogLevel::info},
      {"wg: [a56b6] - Stopping", LogCategory::wireguard, LogLevel::info},
      {"wgengine: Reconfig: configuring router", LogCategory::wireguard, LogLevel::info},
      {"dns: using \"direct\" mode", LogCategory::dns, LogLevel::info},
      {"health(warnable=warming-up): error: Tailscale is starting. Please wait.", LogCategory::health, LogLevel::warning},
      {"health(warnable=warming-up): ok", LogCategory::health, LogLevel::info},
      {"netcheck: probePortMapServices: port mapping is disabled", LogCategory::portmap, LogLevel::info},
      {"tlsdial: warning: server cert for \"\" passed x509 validation but is self-signed", LogCategory::control, LogLevel::warning},
      {"linuxfw: clear iptables: exec: \"iptables\": executable file not found in $PATH", LogCategory::other, LogLevel::warning},
      {"ipnext: work queue shutdown failed: execqueue shut down", LogCategory::state, LogLevel::warning},
      {"[v1] magicsock: peermtu: peer MTU status is false", LogCategory::magicsock, LogLevel::debug},
      {"flushing log.", LogCategory::other, LogLevel::info},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.text) {
      auto got = classify_log_line(c.text);
      CHECK(to_string(got.category) == std::string(to_string(c.category)));
      CHECK(to_string(got.level) == std::string(to_string(c.level)));
    }
  }
  auto v = classify_log_line("[v2] magicsock: x\n");
  CHECK(v.message == "magicsock: x");
  CHECK(classify_log_line("netcheck: report: udp=true", 1).level == LogLevel::debug);
}

TEST_CASE("Category and level names round-trip; unknown names are refused", "[tailscale][log]") {
  for (auto c : all_log_categories()) CHECK(parse_log_category(to_string(c)) == c);
  CHECK(parse_log_category("endpoint") == LogCategory::magicsock);
  CHECK_FALSE(parse_log_category("nope"));
  CHECK(parse_log_level("warn") == LogLevel::warning);
  CHECK(parse_log_level("error") == LogLevel::error);
  CHECK_FALSE(parse_log_level("loud"));
}

TEST_CASE("Every line of the captured tailscaled log classifies; the common subsystems all appear", "[tailscale][log]") {
  std::map<LogCategory, int> seen;
  int timestamped = 0, lines = 0;
  LineSplitter split;
  split.feed(fixture("tailscaled.log") + "\n", [&](std::string_view line) {
    ++lines;
    auto ts = split_go_log_time(line);
    if (ts) ++timestamped;
    seen[classify_log_line(ts ? ts->text : line).category]++;
  });
  CHECK(lines > 100);
  CHECK(timestamped >= lines - 5);  // a few continuation lines have no prefix
  for (auto c : {LogCategory::state, LogCategory::control, LogCategory::derp, LogCategory::magicsock,
                 LogCategory::wireguard, LogCategory::dns, LogCategory::health, LogCategory::peers})
    CHECK(seen[c] > 0);
  // Most lines are recognised: "other" (router, netlink monitor, logger) is the rest, not the bulk.
  CHECK(seen[LogCategory::other] * 3 < lines);
}

TEST_CASE("Go's log time prefix is split off; lines without one are left alone", "[tailscale][log]") {
  auto t = split_go_log_time("2026/11/25 17:59:51 magicsock: x");
  REQUIRE(t);
  CHECK(t->text == "magicsock: x");
  CHECK(meshops::sys::format_utc(t->time, /*with_millis=*/false).substr(0, 10) == "2026-11-25");
  auto micro = split_go_log_time("2026/11/25 17:59:51.123456 dns: y");
  REQUIRE(micro);
  CHECK(micro->text == "dns: y");
  CHECK_FALSE(split_go_log_time("exec: \"ip6tables\": executable file not found"));
  CHECK_FALSE(split_go_log_time("2026/11/25 17:59:5"));
  CHECK_FALSE(split_go_log_time("2026/1x/25 17:59:51 z"));
}

TEST_CASE("Captured logtap records: the greeting, verbosity, client time, text", "[tailscale][log]") {
  LineSplitter split;
  std::vector<LogRecord> recs;
  split.feed(fixture("logtap.ndjson"), [&](std::string_view l) { recs.push_back(parse_logtap_record(l)); });
  REQUIRE(recs.size() > 100);
  CHECK(recs[0].connected_marker);
  CHECK_FALSE(recs[1].connected_marker);
  CHECK(recs[1].text == "netcheck: probePortMapServices: port mapping is disabled");
  REQUIRE(recs[1].time);
  CHECK(meshops::sys::format_utc(*recs[1].time, /*with_millis=*/false) == "2026-11-25T18:12:21Z");
  CHECK(recs[2].verbosity == 1);
  CHECK(recs.back().text.find('\n') == std::string::npos);
  CHECK_THROWS_WITH(parse_logtap_record("{\"text\":5}"), Catch::Contains("text: expected a string"));
  CHECK_THROWS_WITH(parse_logtap_record("{"), Catch::StartsWith("not JSON"));
  CHECK(parse_logtap_record("{\"metrics\":\"x\"}").text.empty());
}

TEST_CASE("Peers are named from short keys, full keys and addresses in log text", "[tailscale][log]") {
  auto st = parse_status(fixture("status-relay.json"));
  PeerIndex idx(st);
  std::string kernelcore_key;
  for (auto& p : st.peers)
    if (p.name() == "kernelcore") kernelcore_key = p.public_key;
  REQUIRE(!kernelcore_key.empty());
  // tailscaled printed kernelcore as [a56b6] in the captured logs.
  CHECK(short_node_key(kernelcore_key) == "[a56b6]");
  CHECK(idx.find("wg: [a56b6] - Sending keepalive packet") == "kernelcore");
  CHECK(idx.find("magicsock: derp-999 does not know about peer [a56b6], removing route") == "kernelcore");
  CHECK(idx.find("Accept: ICMPv4{100.64.0.1:0 > 100.64.0.3:0} 84 ok out") == "laptop");  // self first
  CHECK(idx.find("ping 100.64.0.3 ok") == "kernelcore");
  CHECK(idx.find("peer " + kernelcore_key + " x") == "kernelcore");
  CHECK(idx.by_key(kernelcore_key) == "kernelcore");
  CHECK(idx.find("magicsock: derp-999 connected; connGen=1").empty());
  CHECK(idx.find("[zzzzz] 100.99.0.1").empty());
  CHECK(short_node_key("nodekey:123").empty());
  CHECK(PeerIndex().find("[a56b6]").empty());
}
