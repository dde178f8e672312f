// The log line classifier, logtap records and peer names, on tailscaled's own log and log tap
// captured from the real tailnet (tests/fixtures/tailscale-logs/capture.sh).
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/log_classify.hpp"
#include "meshops/tailscale/log_events.hpp"
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
      {"linuxfw: clear iptables: exec: \"iptables\": executable file not found in $PATH", LogCategory::router, LogLevel::warning},
      {"ipnext: work queue shutdown failed: execqueue shut down", LogCategory::state, LogLevel::warning},
      {"[v1] magicsock: peermtu: peer MTU status is false", LogCategory::magicsock, LogLevel::debug},
      {"flushing log.", LogCategory::state, LogLevel::info},
      {"tailscaled said something new", LogCategory::other, LogLevel::info},
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

TEST_CASE("Events from laptop's captured log: the changes the log says, each once", "[tailscale][log][events]") {
  // tailscaled-events-laptop.log: capture-events.sh's direct path, UDP drop, control block,
  // other-server stopped and started, laptop restarted. other-server is [WQJ2n] there.
  LogEventTracker tracker;
  PeerIndex names;  // no status: peers are named by their short key
  std::vector<std::string> got;
  LineSplitter split;
  split.feed(fixture("tailscaled-events-laptop.log") + "\n", [&](std::string_view line) {
    auto ts = split_go_log_time(line);
    auto c = classify_log_line(ts ? ts->text : line);
    for (const auto& e : tracker.update(c.message, names)) got.push_back(e.kind + " " + e.peer + " " + e.from + "->" + e.to);
  });
  CHECK(got == std::vector<std::string>{
                   "path_changed [WQJ2n] ->direct",
                   "peer_offline [WQJ2n] online->offline",
                   "peer_online [WQJ2n] offline->online",
                   "control_disconnected  ->disconnected",
                   "derp_disconnected  derp-999->",
                   "health_warning  ->warming-up",
                   "control_connected  disconnected->connected",
                   "backend_state_changed  NoState->Starting",
                   "derp_home_changed  ->headscale",
                   "derp_connected  ->derp-999",
                   "backend_state_changed  Starting->Running",
                   "health_ok  warming-up->",
               });
}

TEST_CASE("Events from kernelcore's captured log: laptop offline while sent to, and back", "[tailscale][log][events]") {
  // tailscaled-peer-offline-kernelcore.log (capture-peer-offline.sh): laptop, [dipk+] there,
  // stopped while kernelcore pings it and opens TCP to it, then started.
  LogEventTracker tracker;
  PeerIndex names;
  std::vector<std::string> got;
  LineSplitter split;
  split.feed(fixture("tailscaled-peer-offline-kernelcore.log") + "\n", [&](std::string_view line) {
    auto ts = split_go_log_time(line);
    auto c = classify_log_line(ts ? ts->text : line);
    for (const auto& e : tracker.update(c.message, names)) got.push_back(e.kind + " " + e.peer + " " + e.message);
  });
  CHECK(got == std::vector<std::string>{
                   "peer_offline [dipk+] [dipk+]: offline (gone from DERP derp-999)",
                   "peer_online [dipk+] [dipk+]: online (restarted with a new disco key)",
                   "path_changed [dipk+] [dipk+]: path -> direct 198.18.0.12:41641",
               });

  // A TCP connect that timed out is offline only when control said so; said once.
  LogEventTracker t;
  CHECK(t.update("open-conn-track: timeout opening (TCP 100.64.0.1:41242 => 100.64.0.2:80) to node [Hyz9+]; online=yes, lastRecv=27s",
                 names)
            .empty());
  auto off = t.update("open-conn-track: timeout opening (TCP 100.64.0.1:41242 => 100.64.0.2:80) to node [Hyz9+]; online=no, lastRecv=32s",
                      names);
  REQUIRE(off.size() == 1);
  CHECK(off[0].message == "[Hyz9+]: offline (no answer; control says offline)");
  CHECK(t.update("open-conn-track: timeout opening (TCP 100.64.0.1:41243 => 100.64.0.2:80) to node [Hyz9+]; online=no, lastRecv=40s",
                 names)
            .empty());
}

TEST_CASE("Log events: a repeated line says nothing new; peers are named through the index", "[tailscale][log][events]") {
  LogEventTracker t;
  auto status = parse_status(fixture("status-exit-kernelcore.json"));
  PeerIndex idx(status);
  auto key = short_node_key(status.peers.front().public_key);
  auto name = status.peers.front().name();
  auto using_line = "magicsock: disco: node " + key + " d:38b6c61a89694152 now using 198.18.0.13:41641 mtu=1360 tx=1";
  auto first = t.update(using_line, idx);
  REQUIRE(first.size() == 1);
  CHECK(first[0].peer == name);
  CHECK(t.update(using_line, idx).empty());
  auto moved = t.update("magicsock: disco: node " + key + " d:38b6c61a89694152 now using 198.18.0.99:41641 mtu=1360", idx);
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].message == name + ": path direct 198.18.0.13:41641 -> direct 198.18.0.99:41641");
  CHECK(t.update("health(warnable=no-derp-connection): ok", idx).empty());  // nothing was raised
  CHECK(t.update("magicsock: derp-999 connected; connGen=1", idx).size() == 1);
  CHECK(t.update("magicsock: derp-999 connected; connGen=1", idx).empty());
  CHECK(t.update("Switching ipn state Starting -> Running (WantRunning=true, nm=true)", idx).size() == 1);
  CHECK(t.update("Switching ipn state Starting -> Running (WantRunning=true, nm=true)", idx).empty());
}

TEST_CASE("The frequent lines of every captured log have a category: other stays under 5 %", "[tailscale][log]") {
  for (const char* name : {"tailscaled.log", "tailscaled-events-laptop.log", "tailscaled-kernelcore.log",
                           "tailscaled-other-server.log"}) {
    int lines = 0, other = 0;
    std::map<std::string, int> unknown;
    LineSplitter split;
    split.feed(fixture(name) + "\n", [&](std::string_view line) {
      auto ts = split_go_log_time(line);
      auto c = classify_log_line(ts ? ts->text : line);
      ++lines;
      if (c.category == LogCategory::other) {
        ++other;
        unknown[c.message.substr(0, 40)]++;
      }
    });
    INFO(name << ": " << other << " of " << lines << " lines are other");
    for (const auto& [m, n] : unknown) UNSCOPED_INFO(n << "x " << m);
    CHECK(lines > 100);
    CHECK(other * 20 < lines);
  }
}

TEST_CASE("Routing and process lines, and rate-limit notices by the format they name", "[tailscale][log]") {
  CHECK(classify_log_line("router: portUpdate(port=41641, network=udp4)").category == LogCategory::router);
  CHECK(classify_log_line("monitor: RTM_NEWROUTE: src=, dst=127.0.0.0/8, gw=, outif=0, table=52").category == LogCategory::router);
  CHECK(classify_log_line("linuxfw: clear iptables: exec: \"iptables\": executable file not found in $PATH").category ==
        LogCategory::router);
  CHECK(classify_log_line("tsdial: bart table size: 11").category == LogCategory::router);
  CHECK(classify_log_line("logtail started").category == LogCategory::state);
  CHECK(classify_log_line("[RATELIMIT] format(\"netmap: suggested exit node: %s (%s)\")").category == LogCategory::control);
  CHECK(classify_log_line("[RATELIMIT] format(\"health(warnable=%s): ok\")").category == LogCategory::health);
  CHECK(parse_log_category("router") == LogCategory::router);
}
