// ts-status's model and view on /status replies captured from the real tailnet
// (tests/fixtures/tailscale/README.md says how), and on hostile variants made from them.
#include "meshops/error.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/tailscale/path_label.hpp"
#include "meshops/tailscale/status.hpp"
#include "view.hpp"
#include "fixture.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>


using namespace meshops;
using namespace meshops::tailscale;
using meshops::checks::ts_status::Filters;
using meshops::checks::ts_status::evaluate;

namespace {

std::string fixture(const std::string& name) { return read_fixture("tailscale/" + name); }

meshops::checks::ts_status::Report view_of(const std::string& name, Filters f = {}) {
  return evaluate(parse_status(fixture(name)), parse_prefs(fixture("prefs-laptop.json")), f);
}

const Peer& peer(const Status& s, const std::string& name) {
  const Peer* p = meshops::tailscale::find_peer(s, name);
  REQUIRE(p);
  return *p;
}

cli::Output plain() {
  cli::Output o;
  o.width = 0;
  return o;
}

} // namespace

TEST_CASE("Captured replies parse into the model", "[ts-status][fixtures]") {
  auto s = parse_status(fixture("status-laptop.json"));
  CHECK(s.backend_state == "Running");
  CHECK(s.version == "1.98.10");
  CHECK(s.tun);
  CHECK(s.self.name() == "laptop");
  CHECK(s.tailscale_ips == std::vector<std::string>{"100.64.0.2", "fd7a:115c:a1e0::2"});
  CHECK(s.magic_dns_suffix == "tailnet.test");
  REQUIRE(s.peers.size() == 2);
  CHECK(s.peers[0].name() == "kernelcore");  // sorted by MagicDNS name
  CHECK(s.peers[1].name() == "other-server");
  CHECK(peer(s, "kernelcore").exit_node_option);
  CHECK(peer(s, "kernelcore").primary_routes == std::vector<std::string>{"198.19.0.0/24"});
  CHECK_FALSE(peer(s, "kernelcore").last_seen);  // headscale sends the zero time: unknown
  CHECK(peer(s, "kernelcore").connection() == Connection::idle);
}

TEST_CASE("The connection is told as tailscale status tells it", "[ts-status][fixtures]") {
  auto direct = parse_status(fixture("status-laptop-direct.json"));
  CHECK(peer(direct, "kernelcore").connection() == Connection::direct);
  CHECK(peer(direct, "kernelcore").cur_addr == "198.18.0.11:41641");
  CHECK(peer(direct, "other-server").connection() == Connection::idle);
  auto derp = parse_status(fixture("status-laptop-derp.json"));
  CHECK(peer(derp, "other-server").connection() == Connection::derp_relay);
  CHECK(peer(derp, "other-server").relay == "headscale");
}

TEST_CASE("Exit codes follow the state of the node and the selected peer", "[ts-status][fixtures]") {
  CHECK(view_of("status-laptop.json").verdict.state == Exit::ok);
  CHECK(view_of("status-kernelcore-health-warning.json").verdict.state == Exit::warning);
  CHECK(view_of("status-laptop-stopped.json").verdict.state == Exit::critical);
  CHECK(view_of("status-laptop-peer-offline.json").verdict.state == Exit::ok);
  Filters one;
  one.peer = "other-server";
  auto offline = view_of("status-laptop-peer-offline.json", one);
  CHECK(offline.verdict.state == Exit::warning);
  CHECK(offline.verdict.reasons == std::vector<std::string>{"peer other-server is offline"});
  one.peer = "no-such-peer";
  CHECK_THROWS_AS(view_of("status-laptop.json", one), Error);
}

TEST_CASE("A host cut off from control, from every peer, or using a peer whose key expired is not OK", "[ts-status][fixtures]") {
  auto at_kernelcore = [](const std::string& name, Filters f = {}) {
    return evaluate(parse_status(fixture(name)), parse_prefs(fixture("prefs-kernelcore.json")), f);
  };
  CHECK(at_kernelcore("status-kernelcore.json").verdict.state == Exit::ok);
  // headscale killed: Running, no health warning, only Self.Online false says it.
  auto control = at_kernelcore("status-kernelcore-control-down.json");
  CHECK(control.verdict.state == Exit::warning);
  REQUIRE(control.verdict.reasons.size() == 1);
  CHECK_THAT(control.verdict.reasons[0], Catch::StartsWith("not connected to the coordination server"));
  CHECK_THAT(ts_status::to_text(control, plain()), Catch::Contains("\nControl:   not connected to the coordination server"));
  CHECK_THAT(ts_status::to_text(at_kernelcore("status-kernelcore.json"), plain()), !Catch::Contains("Control:"));
  // laptop and other-server killed: nothing this node serves is reachable.
  auto alone = at_kernelcore("status-kernelcore-all-peers-offline.json");
  CHECK(alone.verdict.state == Exit::warning);
  CHECK(alone.verdict.reasons == std::vector<std::string>{"all 2 peers are offline: this node reaches no one"});
  // other-server's key expired in headscale: still Online, but routed to no more.
  CHECK(at_kernelcore("status-kernelcore-peer-expired.json").verdict.state == Exit::ok);
  Filters one;
  one.peer = "other-server";
  auto expired = at_kernelcore("status-kernelcore-peer-expired.json", one);
  CHECK(expired.verdict.state == Exit::warning);
  CHECK(expired.verdict.reasons == std::vector<std::string>{"peer other-server's node key has expired: the tailnet no longer routes to it"});
  one.peer = "laptop";
  CHECK(at_kernelcore("status-kernelcore-peer-expired.json", one).verdict.state == Exit::ok);
}

TEST_CASE("The exit node in use with an expired key is critical", "[ts-status][fixtures][exit-node]") {
  // status-laptop-exit-node.json with kernelcore's Expired set as status-kernelcore-peer-expired.json
  // shows an expired peer: Online stays true, so does ExitNodeStatus.Online.
  auto doc = nlohmann::json::parse(fixture("status-laptop-exit-node.json"));
  for (auto& [key, p] : doc["Peer"].items())
    if (p["HostName"] == "kernelcore") p["Expired"] = true;
  auto r = evaluate(parse_status(doc.dump()), parse_prefs(fixture("prefs-laptop-exit-node.json")), {});
  CHECK(r.verdict.state == Exit::critical);
  CHECK(r.verdict.reasons == std::vector<std::string>{"exit node kernelcore's node key has expired: this node's exit traffic goes nowhere"});
}

TEST_CASE("Peers are found by name, MagicDNS name, IP and node ID", "[ts-status][fixtures]") {
  auto s = parse_status(fixture("status-laptop.json"));
  const Peer& kc = peer(s, "kernelcore");
  CHECK(meshops::tailscale::find_peer(s, "KernelCore") == &kc);
  CHECK(meshops::tailscale::find_peer(s, "kernelcore.tailnet.test") == &kc);
  CHECK(meshops::tailscale::find_peer(s, "kernelcore.tailnet.test.") == &kc);
  CHECK(meshops::tailscale::find_peer(s, kc.tailscale_ips.at(0)) == &kc);
  CHECK(meshops::tailscale::find_peer(s, kc.tailscale_ips.at(1)) == &kc);
  CHECK(meshops::tailscale::find_peer(s, kc.id) == &kc);
  CHECK(meshops::tailscale::find_peer(s, "kernel") == nullptr);
}

TEST_CASE("Filters select peers", "[ts-status][fixtures]") {
  Filters f;
  f.offline = true;
  auto v = view_of("status-laptop-peer-offline.json", f);
  REQUIRE(v.peers.size() == 1);
  CHECK(v.peers[0]->name() == "other-server");
  f = {};
  f.online = true;
  CHECK(view_of("status-laptop-peer-offline.json", f).peers.size() == 1);
  f = {};
  f.exit_nodes = true;
  CHECK(view_of("status-laptop.json", f).peers.size() == 2);
  f = {};
  f.tag = "tag:server";
  CHECK(view_of("status-laptop.json", f).peers.empty());
}

TEST_CASE("The text view of a captured reply", "[ts-status][fixtures][golden]") {
  auto text = ts_status::to_text(view_of("status-laptop-derp.json"), plain());
  CHECK(text ==
        "Self:      laptop (laptop.tailnet.test.)\n"
        "State:     Running\n"
        "Addresses: 100.64.0.2, fd7a:115c:a1e0::2\n"
        "Version:   1.98.10\n"
        "Exit node: none\n"
        "Tailnet:   198.18.0.1 (MagicDNS on)\n"
        "\n"
        "NAME          IP          OS     STATE   CONNECTION                   RX     TX  LAST SEEN  EXIT\n"
        "kernelcore    100.64.0.1  linux  online  direct 198.18.0.11:41641  540 B  740 B  -          offered\n"
        "other-server  100.64.0.3  linux  online  relay \"headscale\"         476 B  564 B  -          offered\n"
        "\n"
        "2 peers listed, 2 online.\n");
}

TEST_CASE("The exit node in use offline is critical and the reason names it", "[ts-status][fixtures][exit-node]") {
  auto v = evaluate(parse_status(fixture("status-laptop-exit-node-offline.json")),
                     parse_prefs(fixture("prefs-laptop-exit-node-offline.json")), {});
  CHECK(v.verdict.state == Exit::critical);
  CHECK(v.verdict.reasons == std::vector<std::string>{"exit node other-server is offline: this node's exit traffic goes nowhere"});
  auto doc = ts_status::to_json(v);
  CHECK(doc["status"] == "critical");
  CHECK(doc["exit_node"]["name"] == "other-server");
  CHECK(doc["exit_node"]["online"] == false);
  CHECK(ts_status::to_text(v, plain()).find("Exit node: using other-server (offline)\n") != std::string::npos);
  // The same node with its exit node online is ok.
  CHECK(view_of("status-laptop-exit-node.json").verdict.state == Exit::ok);
}

TEST_CASE("An exit node chosen in prefs but gone from the netmap is critical", "[ts-status][fixtures][exit-node]") {
  auto status = parse_status(fixture("status-laptop.json"));  // no ExitNodeStatus
  auto v = evaluate(status, parse_prefs(fixture("prefs-laptop-exit-node.json")), {});
  CHECK(v.verdict.state == Exit::critical);
  REQUIRE(v.verdict.reasons.size() == 1);
  CHECK(v.verdict.reasons[0].find("is not in the netmap") != std::string::npos);
}

TEST_CASE("Tailscale IPs have one form everywhere in the JSON: addresses, no /32", "[ts-status][fixtures][json]") {
  auto doc = ts_status::to_json(view_of("status-laptop-exit-node.json"));
  CHECK(doc["exit_node"]["tailscale_ips"] == nlohmann::ordered_json::array({"100.64.0.1", "fd7a:115c:a1e0::1"}));
  const auto& kc = doc["peers"][0];
  REQUIRE(kc["name"] == "kernelcore");
  CHECK(doc["exit_node"]["tailscale_ips"] == kc["tailscale_ips"]);
}

TEST_CASE("A Stopped node says so first", "[ts-status][fixtures]") {
  auto text = ts_status::to_text(view_of("status-laptop-stopped.json"), plain());
  CHECK(text.rfind("Tailscale is stopped.\n", 0) == 0);
}

TEST_CASE("The JSON view keeps the documented keys", "[ts-status][fixtures][json]") {
  auto doc = ts_status::to_json(view_of("status-laptop-exit-node.json"));
  CHECK(doc.begin().key() == "schema");
  CHECK(doc["schema"] == "meshops/ts-status/1");
  CHECK(doc["status"] == "ok");
  CHECK(doc["backend_state"] == "Running");
  CHECK(doc["peers_total"] == 2);
  CHECK(doc["exit_node"]["name"] == "kernelcore");
  CHECK(doc["exit_node"]["online"] == true);
  for (const auto& p : doc["peers"]) {
    for (const char* key : {"name", "dns_name", "tailscale_ips", "os", "online", "connection", "rx_bytes", "tx_bytes",
                            "last_seen", "exit_node", "exit_node_option"})
      CHECK(p.contains(key));
    CHECK(p["rx_bytes"].is_number_integer());
    CHECK(p["last_seen"].is_null());
  }
  CHECK(doc["self"]["advertised_routes"].is_array());
}

TEST_CASE("The Prometheus view counts peers and health warnings", "[ts-status][fixtures][prom]") {
  auto text = cli::render_prom(ts_status::to_prom(view_of("status-kernelcore-health-warning.json")));
  CHECK(text.find("\nmeshops_ts_status_peers 2\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_peers_online 2\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_health_warnings 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_running{backend_state=\"Running\"} 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_info{self=\"kernelcore\",version=\"1.98.10\",tailnet=\"198.18.0.1\",exit_node=\"\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("exit_node_online") == std::string::npos);  // no exit node in use
  CHECK(text.find("exit_node_failed_over") == std::string::npos);  // none configured
}

TEST_CASE("The Prometheus view: the exit node in use, failover from the primary, tailscale's path words", "[ts-status][fixtures][prom]") {
  auto v = view_of("status-laptop-exit-node.json");
  v.primary_exit_node = "other-server";
  auto text = cli::render_prom(ts_status::to_prom(v));
  CHECK(text.find("\nmeshops_ts_status_exit_node_online{exit_node=\"kernelcore\"} 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_exit_node_failed_over{primary=\"other-server\",exit_node=\"kernelcore\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_peer_path{peer=\"kernelcore\",path=\"direct_ipv4\"} 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_peer_path{peer=\"other-server\",path=\"derp\"} 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_peer_info{peer=\"kernelcore\",ip=\"100.64.0.1\",os=\"linux\"} 1\n") != std::string::npos);
  CHECK(text.find("\nmeshops_ts_status_peer_online{peer=\"kernelcore\"} 1\n") != std::string::npos);
  v.primary_exit_node = "KernelCore";  // the primary in use, named as the config may name it
  text = cli::render_prom(ts_status::to_prom(v));
  CHECK(text.find("\nmeshops_ts_status_exit_node_failed_over{primary=\"kernelcore\",exit_node=\"kernelcore\"} 0\n") !=
        std::string::npos);
}

TEST_CASE("path_label: tailscale's words for a path and its address family", "[ts-status][prom]") {
  using meshops::tailscale::path_label;
  using meshops::tailscale::PathKind;
  CHECK(path_label(PathKind::direct, "198.18.0.11:41641") == "direct_ipv4");
  CHECK(path_label(PathKind::direct, "[fd7a:115c:a1e0::1]:41641") == "direct_ipv6");
  CHECK(path_label(PathKind::direct, "fd7a:115c:a1e0::1") == "direct_ipv6");
  CHECK(path_label(PathKind::peer_relay, "198.18.0.13:41641:vni:7") == "peer_relay_ipv4");
  CHECK(path_label(PathKind::peer_relay, "[2001:db8::1]:41641:vni:7") == "peer_relay_ipv6");
  CHECK(path_label(PathKind::derp, "") == "derp");
}

TEST_CASE("Hostile replies: missing fields read as empty, wrong types name their path", "[ts-status][hostile]") {
  auto doc = nlohmann::json::parse(fixture("status-laptop.json"));
  SECTION("no Self, no Peer, no Health") {
    doc.erase("Self");
    doc.erase("Peer");
    doc["Health"] = nullptr;
    auto s = parse_status(doc.dump());
    CHECK(s.peers.empty());
    CHECK(s.self.name().empty());
    CHECK(evaluate(s, std::nullopt, {}).verdict.state == Exit::ok);
  }
  SECTION("a peer with only a key") {
    auto key = doc["Peer"].begin().key();
    doc["Peer"][key] = nlohmann::json::object();
    auto s = parse_status(doc.dump());
    CHECK(s.peers.size() == 2);
    auto text = ts_status::to_text(evaluate(s, std::nullopt, {}), plain());
    CHECK_THAT(text, Catch::Matches("[^]*\n-  +-  +-  +offline  +idle  +0 B  +0 B  +unknown[^]*"));
  }
  SECTION("wrong types") {
    auto key = doc["Peer"].begin().key();
    doc["Peer"][key]["RxBytes"] = "12";
    CHECK_THROWS_WITH(parse_status(doc.dump()), fmt::format("Peer[\"{}\"].RxBytes: expected an integer, got string", key));
    doc = nlohmann::json::parse(fixture("status-laptop.json"));
    doc["Peer"] = nlohmann::json::array();
    CHECK_THROWS_WITH(parse_status(doc.dump()), "Peer: expected an object, got array");
    doc = nlohmann::json::parse(fixture("status-laptop.json"));
    doc["TailscaleIPs"] = {1, 2};
    CHECK_THROWS_WITH(parse_status(doc.dump()), "TailscaleIPs[0]: expected a string, got number");
  }
  SECTION("not an object, not JSON") {
    CHECK_THROWS_WITH(parse_status("[]"), "(top level): expected an object, got array");
    CHECK_THROWS_WITH(parse_status("{\"Peer\":"), Catch::StartsWith("not JSON"));
  }
}

TEST_CASE("Peer names with control characters print escaped", "[ts-status][hostile]") {
  auto doc = nlohmann::json::parse(fixture("status-laptop.json"));
  auto key = doc["Peer"].begin().key();
  doc["Peer"][key]["DNSName"] = "\x1b[2Jevil\nname.tailnet.test.";
  doc["Peer"][key]["OS"] = "linux\x07";
  doc["Health"] = {"warn \x1b]0;title\x07"};
  auto text = ts_status::to_text(evaluate(parse_status(doc.dump()), std::nullopt, {}), plain());
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
  CHECK(text.find("\\e[2Jevil\\nname") != std::string::npos);
  CHECK(text.find("warn \\e]0;title\\x07") != std::string::npos);
  auto json = cli::dump_json(ts_status::to_json(evaluate(parse_status(doc.dump()), std::nullopt, {})), false);
  CHECK(json.find('\x1b') == std::string::npos);  // JSON escapes it as \u001b
  CHECK(json.find("\\u001b[2Jevil\\nname") != std::string::npos);
}

TEST_CASE("--complete-peers prints every peer's name, and no name a shell could expand", "[ts-status][hostile]") {
  auto doc = nlohmann::json::parse(fixture("status-laptop.json"));
  auto s = parse_status(doc.dump());
  std::string want;
  for (const auto& p : s.peers) want += p.name() + "\n";
  REQUIRE(s.peers.size() >= 2);
  CHECK(ts_status::completion_names(s) == want);  // every peer, one a line (the old sed kept the last)

  auto model = doc["Peer"].begin().value();
  doc["Peer"] = nlohmann::json::object();
  int i = 0;
  for (const char* name : {"$(touch x).tailnet.test.", "a b.tailnet.test.", "-rf.tailnet.test.", "`id`.tailnet.test.",
                           "ok-name_2.tailnet.test.", "x;y.tailnet.test.", "*.tailnet.test."}) {
    auto p = model;
    p["DNSName"] = name;
    doc["Peer"][fmt::format("nodekey:{:064x}", i++)] = p;
  }
  CHECK(ts_status::completion_names(parse_status(doc.dump())) == "ok-name_2\n");
}

TEST_CASE("Ten thousand peers parse and render", "[ts-status][hostile]") {
  auto doc = nlohmann::json::parse(fixture("status-laptop.json"));
  auto model = doc["Peer"].begin().value();
  doc["Peer"] = nlohmann::json::object();
  for (int i = 0; i < 10000; ++i) {
    auto p = model;
    p["DNSName"] = fmt::format("peer{:05}.tailnet.test.", i);
    p["TailscaleIPs"] = {fmt::format("100.{}.{}.{}", 64 + i / 65536, (i / 256) % 256, i % 256)};
    p["Online"] = i % 3 != 0;
    doc["Peer"][fmt::format("nodekey:{:064x}", i)] = p;
  }
  auto s = parse_status(doc.dump());
  REQUIRE(s.peers.size() == 10000);
  CHECK(s.peers.front().name() == "peer00000");
  CHECK(s.peers.back().name() == "peer09999");
  Filters f;
  f.offline = true;
  auto v = evaluate(s, std::nullopt, f);
  CHECK(v.peers.size() == 3334);
  auto text = ts_status::to_text(v, plain());
  CHECK(text.find("3334 peers listed, 0 online.") != std::string::npos);
  CHECK(ts_status::to_json(evaluate(s, std::nullopt, {}))["peers"].size() == 10000);
}

TEST_CASE("Go times parse; the zero time is unknown", "[ts-status][time]") {
  CHECK_FALSE(parse_time("0001-01-01T00:00:00Z"));
  CHECK_FALSE(parse_time("garbage"));
  auto t = parse_time("2026-11-25T17:25:44.123456789Z");
  REQUIRE(t);
  CHECK(meshops::sys::format_utc(*t, /*with_millis=*/false) == "2026-11-25T17:25:44Z");
  for (const char* when : {"2000-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "2100-03-01T00:00:00Z", "1970-01-01T00:00:00Z"}) {
    auto parsed = parse_time(when);
    REQUIRE(parsed);
    CHECK(meshops::sys::format_utc(*parsed, /*with_millis=*/false) == when);
  }
  auto offset = parse_time("2026-11-25T18:25:44+01:00");
  REQUIRE(offset);
  CHECK(meshops::sys::format_utc(*offset, /*with_millis=*/false) == "2026-11-25T17:25:44Z");
}

TEST_CASE("A run that cannot read tailscaled is its error, with the hint in the JSON", "[ts-status][json]") {
  // What tailscale::LocalApi throws for a socket the user may not open (EACCES on connect).
  Error denied(Exit::unknown, "cannot reach tailscaled at /run/ts.sock: permission denied",
               "run as root or as tailscaled's operator user (tailscale set --operator=USER)");
  auto r = meshops::checks::ts_status::failed(denied);
  REQUIRE(r.error);
  CHECK(r.verdict.state == Exit::unknown);
  auto doc = ts_status::to_json(r);
  doc.erase("generated_at");
  nlohmann::ordered_json head;  // the state, its reasons and the hint lead the document
  for (auto it = doc.begin(); head.size() < 4; ++it) head[it.key()] = it.value();
  CHECK(head.dump() ==
        R"x({"schema":"meshops/ts-status/1","status":"unknown","reasons":["cannot reach tailscaled at /run/ts.sock: permission denied"],)x"
        R"x("hint":"run as root or as tailscaled's operator user (tailscale set --operator=USER)"})x");
  CHECK(doc["peers"].empty());
  // A healthy run has no hint: null, not absent.
  auto ok = ts_status::to_json(view_of("status-laptop.json"));
  CHECK(ok["hint"].is_null());
}

TEST_CASE("collect: an unreachable socket is UNKNOWN with tailscaled's hint, never a throw", "[ts-status]") {
  meshops::checks::ts_status::Options o;
  o.socket = "/nonexistent/tailscaled.sock";
  o.timeout = std::chrono::milliseconds(500);
  auto r = meshops::checks::ts_status::collect(o);
  REQUIRE(r.error);
  CHECK(r.verdict.state == Exit::unknown);
  CHECK(r.verdict.reasons == std::vector<std::string>{"cannot reach tailscaled at /nonexistent/tailscaled.sock: no such socket"});
  CHECK_THAT(r.verdict.hint, Catch::Contains("is tailscaled running?"));
  CHECK(r.tailscaled_down);  // the LocalAPI error's cause, not its message text
}
