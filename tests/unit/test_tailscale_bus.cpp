// The IPN bus model and the events derived from successive /status views, on the bus stream
// and /status replies captured from the real tailnet (tests/fixtures/tailscale-logs/capture.sh).
#include "meshops/sys/atomic_file.hpp"
#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/bus_events.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace meshops::tailscale;

namespace {
std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale-logs/" + name);
}
Status status_fixture(const std::string& name) { return parse_status(fixture(name)); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  LineSplitter split;
  split.feed(text, [&](std::string_view l) { out.emplace_back(l); });
  return out;
}
} // namespace

TEST_CASE("The first Notify of the captured bus carries the session, state, prefs and netmap", "[tailscale][bus]") {
  auto lines = lines_of(fixture("ipn-bus.ndjson"));
  REQUIRE(lines.size() > 10);
  auto n = parse_notify(lines.front());
  CHECK(n.version == "1.98.10");
  CHECK(n.session_id == "8bac346785fe882f");
  REQUIRE(n.state);
  CHECK(*n.state == "Running");
  CHECK(n.has_prefs);
  CHECK(n.exit_node_id == "3");
  CHECK(n.has_netmap);
  CHECK_FALSE(n.err_message);
}

TEST_CASE("Every captured Notify parses; exit node selections show up in Prefs", "[tailscale][bus]") {
  std::vector<std::string> exit_ids;
  int engines = 0;
  for (const auto& l : lines_of(fixture("ipn-bus.ndjson"))) {
    auto n = parse_notify(l);
    if (n.has_prefs) exit_ids.push_back(n.exit_node_id);
    if (n.has_engine) ++engines;
  }
  // The capture selected kernelcore (3) -- already selected at its start --, then
  // other-server (2), then cleared the exit node.
  CHECK(exit_ids == std::vector<std::string>{"3", "3", "2", ""});
  CHECK(engines > 5);
}

TEST_CASE("Notify parsing: states by name, health warnings, hostile input", "[tailscale][bus]") {
  CHECK(backend_state_name(4) == "Stopped");
  CHECK(backend_state_name(6) == "Running");
  CHECK(backend_state_name(42) == "State(42)");
  auto n = parse_notify(R"({"State":2,"Health":{"Warnings":{"b-code":{"Severity":"medium","Title":"T","Text":"b text"},
                             "a-code":{"Severity":"high","Text":"a text"},"gone":null}}})");
  CHECK(*n.state == "NeedsLogin");
  REQUIRE(n.has_health);
  REQUIRE(n.health.size() == 2);
  CHECK(n.health[0].code == "a-code");
  CHECK(n.health[1].text == "b text");
  CHECK(parse_notify(R"({"Health":{"Warnings":null}})").health.empty());
  CHECK_THROWS_WITH(parse_notify("{\"State\":\"Running\"}"), Catch::Contains("State: expected an integer"));
  CHECK_THROWS_WITH(parse_notify("not json"), Catch::StartsWith("not JSON"));
  CHECK_THROWS_WITH(parse_notify("[1]"), Catch::Contains("expected an object"));
  CHECK_THROWS_WITH(parse_notify(R"({"Prefs":{"ExitNodeID":3}})"), Catch::Contains("Prefs.ExitNodeID"));
}

TEST_CASE("LineSplitter hands out whole lines only, across arbitrary chunking", "[tailscale][bus]") {
  std::string text = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}\n{\"partial\"";
  for (std::size_t chunk : {1u, 2u, 5u, 100u}) {
    LineSplitter s;
    std::vector<std::string> got;
    for (std::size_t i = 0; i < text.size(); i += chunk)
      s.feed(std::string_view(text).substr(i, chunk), [&](std::string_view l) { got.emplace_back(l); });
    CHECK(got == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
    CHECK(s.pending() == std::string("{\"partial\"").size());
  }
}

TEST_CASE("StatusTracker: the first view is a baseline, the same view again yields nothing", "[tailscale][bus]") {
  StatusTracker t;
  auto st = status_fixture("status-exit-kernelcore.json");
  CHECK(t.update(st).empty());
  CHECK(t.has_baseline());
  CHECK(t.update(st).empty());
}

TEST_CASE("StatusTracker derives path, online and exit node changes from the captured views", "[tailscale][bus]") {
  StatusTracker t;
  t.update(status_fixture("status-exit-kernelcore.json"));

  SECTION("direct -> relay after UDP between laptop and kernelcore was dropped") {
    auto ev = t.update(status_fixture("status-relay.json"));
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == "path_changed");
    CHECK(ev[0].peer == "kernelcore");
    CHECK(ev[0].from == "direct");
    CHECK(ev[0].to == "relay \"headscale\"");
    CHECK(ev[0].message == "kernelcore: path direct -> relay \"headscale\"");
    auto back = t.update(status_fixture("status-exit-kernelcore.json"));
    REQUIRE(back.size() == 1);
    CHECK(back[0].to == "direct");
  }
  SECTION("kernelcore's tailscaled stopped: offline, and online again") {
    auto ev = t.update(status_fixture("status-kernelcore-offline.json"));
    REQUIRE(ev.size() == 1);  // offline and idle: no path event
    CHECK(ev[0].kind == "peer_offline");
    CHECK(ev[0].peer == "kernelcore");
    auto on = t.update(status_fixture("status-exit-kernelcore.json"));
    REQUIRE(on.size() == 1);
    CHECK(on[0].kind == "peer_online");
  }
  SECTION("exit node and DERP home changes") {
    auto st = status_fixture("status-exit-kernelcore.json");
    st.exit_node_status.reset();
    st.self.relay = "other-region";
    auto ev = t.update(st);
    std::vector<std::string> kinds;
    for (auto& e : ev) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<std::string>{"derp_home_changed", "exit_node_changed"});
    CHECK(ev[1].from == "kernelcore");
    CHECK(ev[1].to.empty());
    CHECK(ev[1].message == "exit node kernelcore -> none");
  }
  SECTION("a backend that is not Running changes only the backend state") {
    auto st = status_fixture("status-exit-kernelcore.json");
    st.backend_state = "Stopped";
    st.peers.clear();
    auto ev = t.update(st);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == "backend_state_changed");
    CHECK(ev[0].message == "backend state Running -> Stopped");
  }
}

TEST_CASE("StatusTracker: a restart of tailscaled compares with the last view before it", "[tailscale][bus][restart]") {
  // A restarted tailscaled first serves NoState with no peers (captured right after
  // `scripts/tailnet start-node laptop`), then Running with the netmap again.
  StatusTracker t;
  auto before = status_fixture("status-exit-kernelcore.json");
  CHECK(t.update(before).empty());
  auto starting = status_fixture("status-restart-nostate.json");
  REQUIRE(starting.backend_state == "NoState");
  REQUIRE(starting.peers.empty());
  auto ev = t.update(starting);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == "backend_state_changed");
  auto again = t.update(before);
  REQUIRE(again.size() == 1);  // only NoState -> Running: no peer_offline/peer_online
  CHECK(again[0].kind == "backend_state_changed");
  CHECK(again[0].to == "Running");
  CHECK(t.update(before).empty());
}

TEST_CASE("StatusTracker reports health warnings raised and cleared, once each", "[tailscale][bus]") {
  StatusTracker t;
  CHECK(t.update_health({}).empty());
  auto raised = t.update_health({{"no-derp-connection", "medium", "", "no DERP"}});
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == "health_warning");
  CHECK(raised[0].message == "health: no-derp-connection: no DERP");
  CHECK(t.update_health({{"no-derp-connection", "medium", "", "no DERP"}}).empty());
  auto cleared = t.update_health({});
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == "health_ok");
}
