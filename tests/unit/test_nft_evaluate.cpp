// nft: the --can evaluator on real rulesets (captured by tests/fixtures/nft/capture.sh):
// base chains across tables and families in priority order, jump/goto/return, sets, ranges,
// policies; and the drift check against the declared zones.
#include "meshops/config/config.hpp"
#include "meshops/nft/drift.hpp"
#include "meshops/nft/evaluate.hpp"
#include "meshops/nft/services.hpp"

#include "fixture.hpp"
#include "growth.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>


using namespace meshops;
using namespace meshops::nft;

namespace {
const std::string kFixtures = "nft/";
Ruleset load(const std::string& name) { return parse_ruleset(read_fixture(kFixtures + name), name); }
Packet packet(const std::string& src, const std::string& iif, const std::string& proto, std::uint16_t port) {
  Packet p;
  p.saddr = *IpAddr::parse(src);
  p.iifname = iif;
  p.l4proto = proto;
  p.dport = port;
  return p;
}
std::string decided(const Evaluation& ev) {
  if (!ev.decided_by) return std::string(verdict_name(ev.verdict)) + " by policy";
  return std::string(verdict_name(ev.verdict)) + " " + ev.decided_by->table + " " + ev.decided_by->chain + " " +
         std::to_string(ev.decided_by->handle);
}
} // namespace

TEST_CASE("Addresses parse and match prefixes of their own version", "[nft][addr]") {
  auto a = IpAddr::parse("100.100.1.2");
  REQUIRE(a);
  CHECK(in_prefix(*a, *IpAddr::parse("100.64.0.0"), 10));
  CHECK_FALSE(in_prefix(*a, *IpAddr::parse("100.128.0.0"), 10));
  CHECK(in_prefix(*IpAddr::parse("2001:db8::5"), *IpAddr::parse("2001:db8::"), 32));
  CHECK_FALSE(in_prefix(*IpAddr::parse("2001:db8::5"), *IpAddr::parse("100.64.0.0"), 0));
  CHECK_FALSE(IpAddr::parse("100.64.0"));
  CHECK(IpAddr::parse("::1")->to_string() == "::1");
}

TEST_CASE("A prefix's first host is inside it: a /32 is its own address", "[nft][addr]") {
  auto host = [](const char* s) { return IpPrefix::parse(s)->first_host().to_string(); };
  CHECK(host("100.64.0.10/32") == "100.64.0.10");
  CHECK(host("100.64.0.10") == "100.64.0.10");
  CHECK(host("100.64.0.0/10") == "100.64.0.1");
  CHECK(host("100.64.0.10/24") == "100.64.0.1");  // host bits of the network are cleared
  CHECK(host("198.18.0.6/31") == "198.18.0.6");
  CHECK(host("fd7a:115c:a1e0::a/128") == "fd7a:115c:a1e0::a");
  CHECK(host("fd7a:115c:a1e0::/48") == "fd7a:115c:a1e0::1");
  CHECK(IpPrefix::parse("100.64.0.10/32")->contains(*IpAddr::parse("100.64.0.10")));
  CHECK_FALSE(IpPrefix::parse("100.64.0.10/32")->contains(*IpAddr::parse("100.64.0.11")));
  CHECK(is_tailnet_address(*IpAddr::parse("100.64.0.10")));
  CHECK(is_tailnet_address(*IpAddr::parse("100.127.255.254")));
  CHECK_FALSE(is_tailnet_address(*IpAddr::parse("100.128.0.1")));
  CHECK(is_tailnet_address(*IpAddr::parse("fd7a:115c:a1e0::5")));
  CHECK_FALSE(is_tailnet_address(*IpAddr::parse("198.18.0.1")));
  for (const char* bad : {"100.64.0.0/33", "100.64.0.0/", "100.64.0.0/x", "100.64/10", "::/129", "100.64.0.0/-1"})
    CHECK_FALSE(IpPrefix::parse(bad));
}

TEST_CASE("--can across the zones table and tailscale's table on the same hook", "[nft][evaluate]") {
  auto rs = load("zones_tailscale.json");
  struct Case {
    const char* src;
    const char* iif;
    const char* proto;
    std::uint16_t port;
    const char* want;
  };
  // handles: inet meshops input 8.., zone rules; ip filter ts-input (see the fixture JSON)
  const Case cases[] = {
      {"198.51.100.1", "eth0", "tcp", 443, "accept meshops zone_dmz 21"},
      {"198.51.100.1", "eth0", "udp", 443, "accept meshops zone_dmz 22"},
      {"198.51.100.1", "eth0", "tcp", 22, "drop meshops input 17"},
      {"198.51.100.1", "eth0", "udp", 41641, "accept meshops input 15"},
      {"198.51.100.1", "tailscale0", "tcp", 5432, "accept meshops zone_internal 19"},
      {"198.51.100.1", "tailscale0", "tcp", 443, "accept meshops zone_dmz 21"},
      {"198.51.100.1", "tailscale0", "tcp", 8080, "drop meshops input 17"},
      {"100.64.1.1", "tailscale0", "tcp", 8080, "accept meshops zone_admin 18"},
      // The admin zone accepts it, but tailscale's ts-input drops tailnet sources that do not
      // come in on tailscale0: a drop in any base chain is final.
      {"100.64.1.1", "eth0", "tcp", 8080, "drop filter ts-input 9"},
      // The ChromeOS VM range returns from ts-input; it lies in 100.64.0.0/10, so admin accepts.
      {"100.115.92.5", "eth0", "tcp", 80, "accept meshops zone_admin 18"},
      {"198.51.100.1", "iso1", "tcp", 443, "drop meshops zone_isolated 23"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.src << " " << c.iif << " " << c.proto << "/" << c.port) {
      auto ev = evaluate(rs, packet(c.src, c.iif, c.proto, c.port));
      CHECK(decided(ev) == c.want);
      CHECK(ev.chains.size() == (ev.verdict == Verdict::accept || std::string(c.want).find("ts-input") != std::string::npos ? 2 : 1));
      CHECK(ev.notes.empty());
    }
  }
}

TEST_CASE("Base chains run in priority order, only those of the packet's family", "[nft][evaluate]") {
  auto rs = load("edges.json");
  auto v4 = base_chains(rs, "input", 4);
  REQUIRE(v4.size() == 1);
  CHECK(v4[0]->table == "edges");
  auto v6 = base_chains(rs, "input", 6);
  REQUIRE(v6.size() == 2);
  CHECK(v6[0]->table == "v6only");  // priority -10 before 10
  CHECK(decided(evaluate(rs, packet("2001:db8::5", "eth0", "tcp", 80))) == "drop v6only input 2");
  CHECK(decided(evaluate(rs, packet("2001:db9::5", "eth0", "tcp", 80))) == "accept by policy");
}

TEST_CASE("jump returns to the caller, goto does not, ranges and reject", "[nft][evaluate]") {
  auto rs = load("edges.json");
  auto eval = [&](const char* proto, std::uint16_t port) { return evaluate(rs, packet("192.0.2.9", "eth0", proto, port)); };
  CHECK(decided(eval("tcp", 1500)) == "accept by policy");  // return from ranges, nothing else matches
  CHECK(decided(eval("tcp", 1200)).rfind("drop edges ranges ", 0) == 0);
  CHECK(decided(eval("tcp", 2000)) == "accept by policy");  // in the jump range, no rule of ranges matches
  CHECK(decided(eval("tcp", 3000)) == "accept by policy");  // goto + return skips the drop after the goto
  CHECK(eval("tcp", 3001).verdict == Verdict::reject);
  CHECK(eval("tcp", 4000).verdict == Verdict::accept);  // meta mark 1 does not match mark 0
  CHECK(eval("udp", 1200).verdict == Verdict::accept);  // tcp dport does not match udp
  CHECK(eval("udp", 6005).verdict == Verdict::drop);    // th dport != 6000 and udp dport in 6000-6010
  CHECK(eval("udp", 6000).verdict == Verdict::accept);
}

TEST_CASE("A daddr rule is skipped with a note unless --dst is given", "[nft][evaluate]") {
  auto rs = load("edges.json");
  auto p = packet("192.0.2.9", "eth0", "tcp", 5000);
  auto ev = evaluate(rs, p);
  CHECK(ev.verdict == Verdict::accept);
  REQUIRE(ev.notes.size() == 1);
  CHECK_THAT(ev.notes[0], Catch::Contains("ip daddr"));
  p.daddr = IpAddr::parse("192.0.2.1");
  auto ev2 = evaluate(rs, p);
  CHECK(ev2.verdict == Verdict::drop);
  CHECK(ev2.notes.empty());
}

TEST_CASE("--check: the fixture matches the declared zones of DESIGN.md", "[nft][drift]") {
  auto cfg = config::parse(read_fixture(kFixtures + "config.json"), "config.json");
  auto services = Services::parse("ssh 22/tcp\npostgresql 5432/tcp\n");
  auto rs = load("zones_tailscale.json");
  auto d = check_drift(rs, cfg, services);
  for (const auto& f : d.findings) UNSCOPED_INFO(f.message);
  CHECK(d.findings.empty());
  CHECK(d.status() == Exit::ok);
  CHECK(d.probes > 20);
}

TEST_CASE("--check: drift in each direction, policy, logging and tailscaled's port", "[nft][drift]") {
  auto cfg = config::parse(read_fixture(kFixtures + "config.json"), "config.json");
  auto services = Services::parse("ssh 22/tcp\npostgresql 5432/tcp\n");
  auto rs = load("zones_tailscale.json");
  auto kinds = [&](const Ruleset& r, const config::Config& c) {
    std::vector<std::string> k;
    for (const auto& f : check_drift(r, c, services).findings) k.push_back(f.kind);
    return k;
  };
  SECTION("an undeclared port: dmz declares 443 only, so drop it from the config") {
    auto c = cfg;
    c.firewall.zones["dmz"].allowed_tcp_ports = {443};
    CHECK(kinds(rs, c) == std::vector<std::string>{"undeclared_open"});
    CHECK(check_drift(rs, c, services).status() == Exit::critical);
  }
  SECTION("a declared port the ruleset drops") {
    auto c = cfg;
    c.firewall.zones["internal"].allowed_tcp_ports = {6379};
    CHECK(kinds(rs, c) == std::vector<std::string>{"declared_closed"});
    CHECK(check_drift(rs, c, services).status() == Exit::warning);
  }
  SECTION("a service name nobody knows") {
    auto c = cfg;
    c.firewall.zones["internal"].allowed_services.push_back("no-such-service");
    CHECK(kinds(rs, c) == std::vector<std::string>{"unknown_service"});
  }
  SECTION("admin may not accept everything unless it allows all services") {
    auto c = cfg;
    c.firewall.zones["admin"].allow_all_services = false;
    auto k = kinds(rs, c);
    REQUIRE_FALSE(k.empty());
    CHECK(k[0] == "undeclared_open");
  }
  SECTION("policy accept, no log rule, tailscaled's port closed") {
    auto r = rs;
    for (auto& ch : r.chains)
      if (ch.table == "meshops" && ch.name == "input") {
        ch.policy = "accept";
        ch.rules.erase(ch.rules.begin() + 8, ch.rules.end());  // udp 41641 accept, jump dmz, log drop
      }
    r.reindex();
    auto k = kinds(r, cfg);
    CHECK(std::count(k.begin(), k.end(), "default_policy") == 1);
    CHECK(std::count(k.begin(), k.end(), "logging_absent") == 1);
    // With policy accept the port is open again: tailscaled is reachable, but much more is.
    CHECK(std::count(k.begin(), k.end(), "tailscale_port_closed") == 0);
    CHECK(std::count(k.begin(), k.end(), "undeclared_open") >= 1);
  }
  SECTION("an admin zone of one host (/32) whose set holds that host is no drift") {
    auto r = rs;
    for (auto& set : r.sets)
      if (set.name == "admin_sources") {
        Value one;
        one.kind = Value::Kind::string;
        one.text = "100.64.0.10";
        set.elements = {one};
      }
    r.reindex();
    auto c = cfg;
    c.firewall.zones["admin"].allowed_ips = {"100.64.0.10/32"};
    CHECK(evaluate(r, packet("100.64.0.10", "tailscale0", "tcp", 1)).verdict == Verdict::accept);
    CHECK(kinds(r, c).empty());
  }
  SECTION("an allowedIPs entry that is no network is an error naming the field") {
    auto c = cfg;
    c.firewall.zones["admin"].allowed_ips = {"100.64.0.0/33"};
    CHECK_THROWS_WITH(check_drift(rs, c, services), Catch::Contains("firewall.zones.admin.allowedIPs[0]"));
  }
  SECTION("tailscaled's port closed") {
    auto r = rs;
    for (auto& ch : r.chains)
      if (ch.table == "meshops" && ch.name == "input") ch.rules.erase(ch.rules.begin() + 7);
    for (auto& ch : r.chains)
      if (ch.name == "ts-input") ch.rules.pop_back();  // tailscale's own magicsock accept
    r.reindex();
    CHECK(kinds(r, cfg) == std::vector<std::string>{"tailscale_port_closed"});
  }
}

TEST_CASE("--check: a declared drop policy must hold for IPv6 as for IPv4", "[nft][drift]") {
  // An `ip` table drops only IPv4: IPv6 (tailscale0's fd7a: addresses among them) meets no
  // base chain at all and is accepted, so the declared policy does not hold.
  auto cfg = config::parse(R"({"firewall": {"defaultPolicy": "drop"}})", "test.json");
  auto services = Services::parse("");
  auto ruleset = [](const char* family) {
    return parse_ruleset(fmt::format(R"({{"nftables": [{{"table": {{"family": "{0}", "name": "f"}}}},
      {{"chain": {{"family": "{0}", "table": "f", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}}}]}})",
                                     family),
                         family);
  };
  auto policy_findings = [&](const Ruleset& rs) {
    std::vector<std::string> m;
    for (const auto& f : check_drift(rs, cfg, services).findings)
      if (f.kind == "default_policy") m.push_back(f.message);
    return m;
  };
  auto v4 = ruleset("ip");
  REQUIRE(evaluate(v4, packet("2001:db8::5", "eth0", "tcp", 22)).verdict == Verdict::accept);
  auto m = policy_findings(v4);
  REQUIRE(m.size() == 1);
  CHECK_THAT(m[0], Catch::Contains("IPv6") && !Catch::Contains("IPv4"));
  CHECK(check_drift(v4, cfg, services).status() == Exit::critical);
  CHECK(policy_findings(ruleset("inet")).empty());
}

namespace {
// A ruleset as `nft -j list ruleset` prints it: table t, base chain input (policy accept), the
// regular chains named, and one rule per entry: CHAIN -> its expr JSON.
std::string ruleset_json(const std::vector<std::string>& chains, const std::vector<std::pair<std::string, std::string>>& rules,
                         const std::string& extra = "") {
  std::string j = R"({"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}},)"
                  R"({"chain": {"family": "inet", "table": "t", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}})";
  for (std::size_t i = 0; i < chains.size(); ++i)
    j += fmt::format(R"(,{{"chain": {{"family": "inet", "table": "t", "name": "{}", "handle": {}}}}})", chains[i], i + 2);
  j += extra;
  for (std::size_t i = 0; i < rules.size(); ++i)
    j += fmt::format(R"(,{{"rule": {{"family": "inet", "table": "t", "chain": "{}", "handle": {}, "expr": {}}}}})", rules[i].first,
                     i + 100, rules[i].second);
  return j + "]}";
}
} // namespace

TEST_CASE("A goto or jump loop in a saved ruleset ends as a drop with a note (issue 18: it spun forever)", "[nft][evaluate]") {
  const std::string go_a = R"([{"goto": {"target": "a"}}])", go_b = R"([{"goto": {"target": "b"}}])",
                    jump_a = R"([{"jump": {"target": "a"}}])";
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> rules;
  };
  const Case cases[] = {
      {"a chain that gotos itself", {{"input", go_a}, {"a", go_a}}},
      {"two chains that goto each other", {{"input", go_a}, {"a", go_b}, {"b", go_a}}},
      {"goto then jump back", {{"input", go_a}, {"a", go_b}, {"b", jump_a}}},
      {"a jump to itself", {{"input", jump_a}, {"a", jump_a}}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto rs = parse_ruleset(ruleset_json({"a", "b"}, c.rules), "loop.json");
      auto p = packet("100.64.0.7", "tailscale0", "tcp", 22);
      auto ev = evaluate(rs, p);
      // Found as soon as a chain repeats: no slower than a path through the same chains.
      auto straight = parse_ruleset(ruleset_json({"a", "b"}, {{"input", jump_a}, {"a", go_b}, {"b", R"([{"drop": null}])"}}), "straight.json");
      CHECK(growth::slowdown([&] { (void)evaluate(rs, p); }, [&] { (void)evaluate(straight, p); }) < 20);
      CHECK(ev.verdict == Verdict::drop);
      REQUIRE(ev.notes.size() == 1);
      CHECK_THAT(ev.notes[0], Catch::Contains("loops (the kernel refuses such a ruleset), treated as drop"));
    }
  }
  SECTION("a chain jumped to twice in a row is no loop") {
    auto rs = parse_ruleset(ruleset_json({"a"}, {{"input", jump_a}, {"input", jump_a}, {"input", R"([{"drop": null}])"}}), "twice.json");
    auto ev = evaluate(rs, packet("100.64.0.7", "tailscale0", "tcp", 22));
    CHECK(decided(ev) == "drop t input 102");
    CHECK(ev.notes.empty());
  }
}

TEST_CASE("A set of ports, named or anonymous, is looked up, not scanned: 10 times the ports, about 10 times the work", "[nft][evaluate][drift]") {
  // A ruleset accepting tcp to `last` - 1000 consecutive ports and 20000-20010: in the named
  // set @ports, or written inline in the rule (tcp dport { 1000, ... }).
  for (const bool named : {true, false}) {
    INFO((named ? "named" : "anonymous"));
    auto with_ports = [named](int last) {
      std::string elems;
      for (int p = 1000; p < last; ++p) elems += fmt::format("{}{}", elems.empty() ? "" : ", ", p);
      elems += R"(, {"range": [20000, 20010]})";
      const std::string set = fmt::format(
          R"(,{{"set": {{"family": "inet", "name": "ports", "table": "t", "type": "inet_service", "handle": 9, "elem": [{}]}}}})", elems);
      const std::string right = named ? R"("@ports")" : R"({"set": [)" + elems + "]}";
      return parse_ruleset(ruleset_json({}, {{"input", R"([{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": )" + right + R"(}}, {"accept": null}])"},
                                             {"input", R"([{"drop": null}])"}},
                                        set),
                           "set.json");
    };
    auto rs = with_ports(9000);
    CHECK(rs.chains[0].rules[0].matches[0].numbers.has_value() == !named);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 1000)).verdict == Verdict::accept);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 8999)).verdict == Verdict::accept);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 20005)).verdict == Verdict::accept);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 9000)).verdict == Verdict::drop);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 999)).verdict == Verdict::drop);
    CHECK(evaluate(rs, packet("192.0.2.1", "eth0", "tcp", 20011)).verdict == Verdict::drop);
    auto cfg = config::parse(R"({"firewall": {"zones": {"dmz": {"allowedTCPPorts": [80]}}}})", "c.json");
    CHECK(check_drift(rs, cfg, Services::parse("")).probes > 8000);
    // --check probes every port of the set: a scan per probe (or a rendering of the rule for
    // every accepted probe) made 10 times the ports cost 100 times the work; a lookup makes it
    // about 10 (n log n).
    auto tenth = with_ports(1800);
    CHECK(growth::slowdown([&] { (void)check_drift(rs, cfg, Services::parse("")); },
                           [&] { (void)check_drift(tenth, cfg, Services::parse("")); }) < 40);
  }
}

TEST_CASE("An nft prefix length is an integer 0-128, else an error naming the path (issue 18)", "[nft][ruleset]") {
  auto with_len = [](const std::string& len) {
    return ruleset_json({}, {{"input", R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.0.0", "len": )" +
                                           len + R"(}}}}, {"accept": null}])"}});
  };
  CHECK(parse_ruleset(with_len("8"), "r.json").chains[0].rules[0].matches[0].right.prefix_len == 8);
  CHECK_THROWS_WITH(parse_ruleset(with_len("1e30"), "r.json"),
                    "r.json: nftables[2].rule.prefix.len: expected an integer from 0 to 128, got 1e+30");
  CHECK_THROWS_WITH(parse_ruleset(with_len("\"24\""), "r.json"), Catch::EndsWith("expected an integer from 0 to 128, got string"));
  CHECK_THROWS_WITH(parse_ruleset(with_len("129"), "r.json"), Catch::Contains("prefix.len"));
  // Nested 10,000 deep: refused with the place, not a stack overflow.
  CHECK_THROWS_WITH(parse_ruleset(std::string(10000, '[') + std::string(10000, ']'), "deep.json"),
                    "deep.json:1:129: not valid JSON: nested deeper than 128 levels");
}
