// meshops-reach's walk (lib/checks/reach) on facts captured from kernelcore of the real test
// tailnet (tests/fixtures/reach/tailnet/capture.sh) and the real nginx -T of its proxy
// (tests/fixtures/reach/nginx/capture.sh): which layer blocks, what it says to change, and
// that a fact that could not be collected makes only its layer UNKNOWN.
#include "reach_facts.hpp"

#include "meshops/checks/reach.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nginx/conf.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <ctime>

using namespace meshops::checks::reach;
using meshops::Exit;

namespace {

const meshops::config::Config& cfg() {
  static const auto c = meshops::config::parse(R"({"nginx": {"services": {
      "ollama": {"upstreamPort": 11434, "healthPath": "/api/tags"},
      "llama": {"upstreamPort": 8080},
      "ghost": {"upstreamPort": 9999},
      "nodns": {"upstreamPort": 11434}}}})", "test config");
  return c;
}

Facts facts() {
  Facts f = captured_facts();
  f.dns["ollama.kernelcore.tailnet.test"].value = meshops::tailscale::parse_dns_query(read_fixture("reach/tailnet/dns-ollama.json"));
  f.dns["llama.kernelcore.tailnet.test"].value = meshops::tailscale::parse_dns_query(read_fixture("reach/tailnet/dns-ollama.json"));
  f.dns["ghost.kernelcore.tailnet.test"] = f.dns["llama.kernelcore.tailnet.test"];
  f.dns["nodns.kernelcore.tailnet.test"].value = meshops::tailscale::parse_dns_query(read_fixture("reach/tailnet/dns-nodns.json"));
  f.upstreams["127.0.0.1:11434"] = {"127.0.0.1:11434", "", "", true, "", "http://127.0.0.1:11434/api/tags", 200, ""};
  f.upstreams["127.0.0.1:8080"] = {"127.0.0.1:8080", "", "", true, "", "", 0, ""};
  f.upstreams["100.64.0.1:22"] = {"100.64.0.1:22", "", "", true, "", "", 0, ""};
  return f;
}

Report reach(const std::string& src, const std::string& target, const Facts& f = facts()) {
  auto s = resolve_source(src, "", *f.status.value);
  auto t = parse_target(target, cfg(), "kernelcore", "tailnet.test");
  return walk(s, t, f, cfg());
}

std::string blocked(const Report& r) { return r.blocked_at() ? r.blocked_at()->name : "none"; }
const Layer& layer(const Report& r, const std::string& name) {
  for (const auto& l : r.layers)
    if (l.name == name) return l;
  FAIL("no layer " << name);
  return r.layers.front();
}

} // namespace

TEST_CASE("a declared service from laptop: every layer passes") {
  auto r = reach("laptop", "ollama");
  CHECK(r.state == Exit::ok);
  CHECK(r.conclusion == "reachable");
  CHECK(r.destination == "100.64.0.1");
  CHECK(layer(r, "source").summary == "laptop (tag:client) online, idle");
  CHECK(layer(r, "name").verdict == LayerVerdict::pass);
  CHECK(layer(r, "tailnet policy").summary.find("allowed by match #1") == 0);
  CHECK(layer(r, "host firewall").verdict == LayerVerdict::pass);
  CHECK(layer(r, "proxy").summary == "ollama.kernelcore.tailnet.test -> location / -> http://127.0.0.1:11434");
  bool limit = false;
  for (const auto& [k, v] : layer(r, "proxy").evidence)
    if (k == "limit_req") limit = v == "zone ollama rate 20r/s burst 10 at /tmp/meshops-reach-fixture/conf/nginx.conf:19";
  CHECK(limit);
  CHECK(layer(r, "upstream").summary == "127.0.0.1:11434 answers GET http://127.0.0.1:11434/api/tags with HTTP 200");
}

TEST_CASE("port 22 from laptop stops at the tailnet policy, with the rule to add") {
  auto r = reach("laptop", "tcp/22");
  CHECK(r.state == Exit::critical);
  CHECK(blocked(r) == "tailnet policy");
  CHECK(r.conclusion == "blocked at tailnet policy: no rule lets tag:client reach 100.64.0.1 tcp/22: tailscaled drops it");
  CHECK(r.change == R"(add to the tailnet policy: {"action": "accept", "src": ["tag:client"], "dst": ["tag:server:22"]})");
  CHECK(layer(r, "proxy").verdict == LayerVerdict::skipped);
  // The admin's node (other-server, untagged) is allowed everything.
  CHECK(reach("other-server", "tcp/22").state == Exit::ok);
  CHECK(reach("100.64.0.3", "tcp/22").source.peer->name() == "other-server");
}

TEST_CASE("the proxy layer: wrong Host, a missing server block, a deny line, auth") {
  auto ip = reach("laptop", "http://100.64.0.1/api/tags");
  CHECK(blocked(ip) == "proxy");
  CHECK(layer(ip, "name").verdict == LayerVerdict::skipped);
  CHECK(layer(ip, "proxy").summary ==
        "Host 100.64.0.1 matches no server_name on 100.64.0.1:80: the default_server at "
        "/tmp/meshops-reach-fixture/conf/nginx.conf:9 answers `return 444`");
  CHECK(blocked(reach("laptop", "ghost")) == "proxy");
  auto deny = reach("laptop", "http://llama.kernelcore.tailnet.test/private/x");
  CHECK(blocked(deny) == "proxy");
  CHECK(deny.change == "add `allow 100.64.0.2;` before /tmp/meshops-reach-fixture/conf/nginx.conf:27 (or remove that deny)");
  CHECK(reach("other-server", "http://llama.kernelcore.tailnet.test/private/x").state == Exit::ok);
  auto auth = reach("laptop", "http://llama.kernelcore.tailnet.test/admin/");
  CHECK(auth.state == Exit::warning);
  CHECK(layer(auth, "proxy").verdict == LayerVerdict::warn);
}

TEST_CASE("a name without a MagicDNS record, an upstream down, a port nothing proxies") {
  auto r = reach("laptop", "nodns");
  CHECK(blocked(r) == "name");
  CHECK(layer(r, "name").summary == "nodns.kernelcore.tailnet.test does not resolve (SERVFAIL from MagicDNS)");
  auto f = facts();
  f.upstreams["127.0.0.1:11434"] = {"127.0.0.1:11434", "", "", false, "connection refused", "", 0, ""};
  auto down = reach("laptop", "ollama", f);
  CHECK(blocked(down) == "upstream");
  CHECK(down.conclusion == "blocked at upstream: 127.0.0.1:11434: connection refused");
  auto p = reach("laptop", "tcp/5432");
  CHECK(layer(p, "upstream").verdict == LayerVerdict::unknown);  // not probed in this fixture
  CHECK(p.state == Exit::unknown);
}

TEST_CASE("an upstream the route guard kept from probing is UNKNOWN with the guard's reason and hint") {
  // A tailnet upstream seen from a namespace without tailscaled's TUN: nothing was sent, so
  // the walk cannot say whether the service answers, and must not say it is down.
  auto f = facts();
  UpstreamProbe guarded;
  guarded.address = "100.64.0.1:22";
  guarded.not_probed = "the route to 100.64.0.1 goes through eth0 (source 198.18.0.9), not tailscaled's TUN";
  guarded.not_probed_hint = "run it in tailscaled's network namespace";
  f.upstreams["100.64.0.1:22"] = guarded;
  auto r = reach("other-server", "tcp/22", f);
  const auto& up = layer(r, "upstream");
  CHECK(up.verdict == LayerVerdict::unknown);
  CHECK(up.summary == "100.64.0.1:22 was not probed: the route to 100.64.0.1 goes through eth0 (source 198.18.0.9), "
                      "not tailscaled's TUN");
  CHECK(up.change == "run it in tailscaled's network namespace");
  CHECK(r.state == Exit::unknown);
}

TEST_CASE("an offline peer stops at the source") {
  auto f = facts();
  for (auto& p : f.status.value->peers)
    if (p.host_name == "laptop") p.online = false;
  auto r = reach("laptop", "ollama", f);
  CHECK(blocked(r) == "source");
  CHECK(r.change == "start tailscaled on laptop and bring it up (tailscale up)");
}

TEST_CASE("no write access: the tailnet policy and name layers are UNKNOWN, the others still run") {
  auto f = facts();
  f.filter = {};
  f.filter.error = "tailscaled refused /debug-packet-filter-matches: permission denied (" +
                   read_fixture("reach/tailnet/filter-denied.txt").substr(0, 19) + ")";
  f.filter.hint = "/debug-packet-filter-matches needs LocalAPI write access";
  f.dns.clear();
  auto r = reach("laptop", "ollama", f);
  CHECK(r.state == Exit::unknown);
  CHECK(layer(r, "tailnet policy").verdict == LayerVerdict::unknown);
  CHECK(layer(r, "tailnet policy").change == "/debug-packet-filter-matches needs LocalAPI write access");
  CHECK(layer(r, "name").verdict == LayerVerdict::unknown);
  CHECK(layer(r, "proxy").verdict == LayerVerdict::pass);
  CHECK(layer(r, "upstream").verdict == LayerVerdict::pass);
  // With the filter back (DNS still unknown), a blocking layer decides: exit 2, not 3.
  f.filter.value = meshops::tailscale::parse_filter_matches(read_fixture("reach/tailnet/filter-matches.json"));
  CHECK(reach("laptop", "tcp/22", f).state == Exit::critical);
}

TEST_CASE("unknown SRC and TARGET are exit 3 with the lists; bad TARGET text is usage") {
  auto f = facts();
  try {
    resolve_source("no-such-peer", "", *f.status.value);
    FAIL("no throw");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == Exit::unknown);
    CHECK(e.hint() == "peers: laptop, other-server (or an address with --iif IFACE)");
  }
  try {
    parse_target("nope", cfg(), "kernelcore", "tailnet.test");
    FAIL("no throw");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == Exit::unknown);
    CHECK(e.hint() == "services: ghost, llama, nodns, ollama (or a URL, or PROTO/PORT)");
  }
  CHECK_THROWS_AS(parse_target("tcp/99999", cfg(), "kernelcore", "tailnet.test"), meshops::Error);
  CHECK_THROWS_AS(parse_target("ftp://x/", cfg(), "kernelcore", "tailnet.test"), meshops::Error);
  auto lan = resolve_source("198.19.0.2", "lan0", *f.status.value);
  CHECK_FALSE(lan.peer);
  auto r = walk(lan, parse_target("tcp/22", cfg(), "kernelcore", "tailnet.test"), f, cfg());
  CHECK(layer(r, "tailnet policy").verdict == LayerVerdict::skipped);
}

// The --matrix benchmark (bench/meshops-reach-matrix.sh runs it; hidden from the unit run):
// 100 peers x 10 services walked on one collection of facts, the CPU time of the walks apart
// from any probe (the facts hold the probe results), printed as a ratio to an anchor measured
// in the same run: parsing kernelcore's captured /status reply once per pair.
TEST_CASE("bench: --matrix of 100 peers x 10 services", "[.bench]") {
  auto f = facts();
  std::string services = "{\"nginx\": {\"services\": {";
  std::string servers;
  for (int i = 0; i < 10; ++i) {
    services += fmt::format("{}\"s{}\": {{\"upstreamPort\": {}, \"healthPath\": \"/h\"}}", i ? "," : "", i, 20000 + i);
    servers += fmt::format("  server {{\n    listen 80;\n    server_name s{}.kernelcore.tailnet.test;\n"
                           "    location / {{ proxy_pass http://127.0.0.1:{}; }}\n  }}\n", i, 20000 + i);
    f.dns[fmt::format("s{}.kernelcore.tailnet.test", i)] = f.dns["llama.kernelcore.tailnet.test"];
    f.upstreams[fmt::format("127.0.0.1:{}", 20000 + i)] = {fmt::format("127.0.0.1:{}", 20000 + i), "", "", true, "", "http://x/h", 200, ""};
  }
  auto c = meshops::config::parse(services + "}}}", "bench");
  std::string dump = read_fixture("reach/nginx/kernelcore.dump");
  dump.insert(dump.rfind('}'), servers);
  f.nginx.value = meshops::nginx::read_dump(dump);
  auto base = f.status.value->peers.front();
  f.status.value->peers.clear();
  std::vector<Source> sources;
  for (int i = 0; i < 100; ++i) {
    auto p = base;
    p.host_name = fmt::format("peer{}", i);
    p.dns_name = p.host_name + ".tailnet.test.";
    // Half share laptop's address (the filter lets them in), half are unknown to it.
    p.tailscale_ips = {i % 2 ? fmt::format("100.64.1.{}", i) : std::string("100.64.0.2")};
    f.status.value->peers.push_back(p);
  }
  for (const auto& p : f.status.value->peers) sources.push_back(resolve_source(p.name(), "", *f.status.value));
  std::vector<Target> targets;
  for (const auto& [name, svc] : c.nginx.services) targets.push_back(parse_target(name, c, "kernelcore", "tailnet.test"));
  auto cpu = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC * 1000; };
  const std::string status_json = read_fixture("reach/tailnet/status.json");
  double a0 = cpu();
  std::size_t n = 0;
  for (int i = 0; i < 1000; ++i) n += meshops::tailscale::parse_status(status_json).peers.size();
  double anchor = cpu() - a0;
  double t0 = cpu();
  int blocked = 0;
  for (const auto& s : sources)
    for (const auto& t : targets) blocked += walk(s, t, f, c).state == Exit::critical;
  double walks = cpu() - t0;
  CHECK(n == 2000);
  CHECK(blocked == 500);  // the half no rule lets in stop at the tailnet policy
  std::printf("meshops-reach --matrix, 100 peers x 10 services: %.1f ms CPU for 1000 walks (%.1f us each)\n"
              "anchor, 1000 parses of kernelcore's /status (2 peers): %.1f ms CPU\n"
              "ratio walks/anchor: %.2f\n", walks, walks, anchor, walks / anchor);
}
