// nft: the ruleset model parsed from real `nft -j list ruleset` output (fixtures captured by
// tests/fixtures/nft/capture.sh), and the errors for malformed or truncated JSON.
#include "meshops/error.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nft/services.hpp"
#include "meshops/nft/zones.hpp"

#include "fixture.hpp"

#include <catch2/catch.hpp>


using namespace meshops;
using namespace meshops::nft;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_ruleset(text, "rules.json");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::unknown);
    return e.what();
  }
  return "no error";
}
const std::string kFixtures = "nft/";
} // namespace

TEST_CASE("The zones and tailscale ruleset parses into tables, chains, rules and sets", "[nft][ruleset]") {
  auto rs = parse_ruleset(read_fixture(kFixtures + "zones_tailscale.json"), "zones_tailscale.json");
  CHECK(rs.tables.size() == 3);
  const Chain* input = rs.find_chain("inet", "meshops", "input");
  REQUIRE(input);
  CHECK(input->is_base());
  CHECK(input->hook == "input");
  CHECK(input->priority == 0);
  CHECK(input->policy == "drop");
  REQUIRE(input->rules.size() == 10);
  CHECK(render_rule(input->rules[0]) == "ct state { established, related } accept");
  CHECK(render_rule(input->rules[4]) == "ip saddr @admin_sources jump zone_admin");
  CHECK(input->rules[4].verdict == Verdict::jump);
  CHECK(input->rules[4].target == "zone_admin");
  CHECK(input->rules[6].verdict == Verdict::goto_);
  CHECK(input->rules[9].log);
  CHECK(input->rules[9].log_prefix == "meshops-drop: ");
  CHECK(input->rules[9].has_counter);

  const Chain* ts = rs.find_chain("ip", "filter", "ts-input");
  REQUIRE(ts);
  CHECK_FALSE(ts->is_base());
  REQUIRE(ts->rules.size() == 5);
  CHECK(render_rule(ts->rules[2]) == "iifname != \"tailscale0\" ip saddr 100.64.0.0/10 counter drop");
  CHECK(ts->rules[2].matches[0].op == "!=");
  CHECK(ts->rules[2].matches[1].right.kind == Value::Kind::prefix);
  CHECK(ts->rules[2].matches[1].right.prefix_len == 10);

  const Set* admin = rs.find_set("inet", "meshops", "admin_sources");
  REQUIRE(admin);
  REQUIRE(admin->elements.size() == 1);
  CHECK(render_value(admin->elements[0]) == "100.64.0.0/10");
  CHECK(rs.find_set("inet", "meshops", "nope") == nullptr);

  // Statements we do not model are kept by name: the mark rewrite of ts-forward, masquerade.
  const Chain* post = rs.find_chain("ip", "nat", "ts-postrouting");
  REQUIRE(post);
  REQUIRE(post->rules.size() == 1);
  CHECK(post->rules[0].other_statements == std::vector<std::string>{"masquerade"});
  CHECK(post->rules[0].matches[0].field == Field::other);
}

TEST_CASE("Malformed or truncated JSON is an error naming line and column", "[nft][ruleset]") {
  std::string good = read_fixture(kFixtures + "tailscale.json");
  REQUIRE(good.size() > 100);
  SECTION("truncated in the middle") {
    auto msg = error_of(good.substr(0, 100));
    CHECK_THAT(msg, Catch::StartsWith("rules.json:1:101: not valid JSON: syntax error"));
  }
  SECTION("a bad token on line 2") {
    CHECK_THAT(error_of("{\"nftables\": [\n  {\"table\": tru }]}"), Catch::StartsWith("rules.json:2:16: not valid JSON"));
  }
  SECTION("empty input") { CHECK_THAT(error_of(""), Catch::StartsWith("rules.json:1:1: not valid JSON")); }
  SECTION("a number too large for a double is not an internal error") {
    auto msg = error_of("{\"nftables\": [\n  {\"chain\": {\"handle\": 1e400}}]}");
    CHECK_THAT(msg, Catch::StartsWith("rules.json:2:"));
    CHECK_THAT(msg, Catch::Contains("not valid JSON: number overflow parsing '1e400'"));
    CHECK_THAT(msg, !Catch::Contains("json.exception"));
  }
}

TEST_CASE("Valid JSON of the wrong shape names the item at fault", "[nft][ruleset]") {
  struct Case {
    const char* name;
    const char* input;
    const char* want;
  };
  const Case cases[] = {
      {"not an object", "[1]", "rules.json: top level: expected an object with \"nftables\""},
      {"no nftables key", "{}", "rules.json: top level: missing \"nftables\""},
      {"chain without a name", R"({"nftables":[{"chain":{"family":"ip","table":"t"}}]})", "rules.json: nftables[0].chain: missing \"name\""},
      {"rule of an unknown chain", R"({"nftables":[{"rule":{"family":"ip","table":"t","chain":"c","expr":[]}}]})",
       "rules.json: nftables[0].rule: rule of unknown chain ip t c"},
      {"expr not an array",
       R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c"}},{"rule":{"family":"ip","table":"t","chain":"c","expr":3}}]})",
       "rules.json: nftables[1].rule: \"expr\" must be an array"},
      {"jump without target",
       R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c"}},{"rule":{"family":"ip","table":"t","chain":"c","expr":[{"jump":{}}]}}]})",
       "rules.json: nftables[1].rule: missing \"target\""},
      {"chain handle of the wrong type", R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c","handle":"x"}}]})",
       "rules.json: nftables[0].chain.handle: expected an unsigned integer, got string"},
      {"chain priority of the wrong type", R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c","prio":"x"}}]})",
       "rules.json: nftables[0].chain.prio: expected an integer, got string"},
      {"chain priority out of range", R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c","prio":4294967296}}]})",
       "rules.json: nftables[0].chain.prio: 4294967296 is out of range"},
      {"chain policy of the wrong type",
       R"({"nftables":[{"table":{"family":"ip","name":"t"}},{"chain":{"family":"ip","table":"t","name":"c","type":"filter","hook":"input","prio":0,"policy":7}}]})",
       "rules.json: nftables[1].chain.policy: expected a string, got number"},
      {"chain hook of the wrong type", R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c","hook":null}}]})",
       "rules.json: nftables[0].chain.hook: expected a string, got null"},
      {"rule handle negative",
       R"({"nftables":[{"chain":{"family":"ip","table":"t","name":"c"}},{"rule":{"family":"ip","table":"t","chain":"c","handle":-1,"expr":[]}}]})",
       "rules.json: nftables[1].rule.handle: expected an unsigned integer, got number"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) { CHECK(error_of(c.input) == c.want); }
  }
}

TEST_CASE("Service names come from /etc/services text, first name wins", "[nft][services]") {
  auto s = Services::parse("# comment\nssh\t\t22/tcp\npostgresql\t5432/tcp\tpostgres\t# PostgreSQL\nhttps 443/tcp\nhttps 443/udp\nbad line\n");
  CHECK(s.name(22, "tcp") == "ssh");
  CHECK(s.name(22, "udp") == std::nullopt);
  CHECK(s.port("postgres", "tcp") == 5432);
  CHECK(s.port("https", "udp") == 443);
  CHECK(s.port("ollama", "tcp") == std::nullopt);
}

TEST_CASE("Zones are found with what leads to them, their ports and where they fall through", "[nft][zones]") {
  auto rs = parse_ruleset(read_fixture(kFixtures + "zones_tailscale.json"), "zones_tailscale.json");
  auto services = Services::parse("ssh 22/tcp\npostgresql 5432/tcp\nhttps 443/tcp\nhttps 443/udp\nhttp 80/tcp\n");
  config::Firewall fw;
  fw.zones["dmz"] = {};
  fw.zones["internal"] = {};
  fw.zones["admin"] = {};
  fw.zones["isolated"] = {};
  fw.zones["missing"] = {};
  auto zr = analyse_zones(rs, fw, services);
  REQUIRE(zr.zones.size() == 5);
  auto zone = [&](const std::string& n) {
    for (const auto& z : zr.zones)
      if (z.name == n) return z;
    FAIL("no zone " << n);
    return ZoneView{};
  };
  CHECK(zone("internal").chain == "zone_internal");
  CHECK(zone("internal").interfaces == std::vector<std::string>{"tailscale0"});
  CHECK(render_ports(zone("internal").tcp) == "22 (ssh), 5432 (postgresql), 11434");
  CHECK(zone("internal").falls_through == "return to input");
  CHECK(zone("admin").sources == std::vector<std::string>{"100.64.0.0/10"});
  CHECK(zone("admin").accepts_all);
  CHECK(zone("admin").falls_through == "accept (last rule)");
  CHECK(render_ports(zone("dmz").tcp) == "80 (http), 443 (https)");
  CHECK(render_ports(zone("dmz").udp) == "443 (https)");
  CHECK(zone("dmz").interfaces == std::vector<std::string>{"any"});
  CHECK(zone("isolated").interfaces == std::vector<std::string>{"iso*"});
  CHECK(zone("isolated").falls_through == "drop (last rule)");
  CHECK_FALSE(zone("missing").found);

  REQUIRE(zr.tailscale.size() == 3);
  CHECK(zr.tailscale[0].chain == "ts-input");
  CHECK(zr.tailscale[0].hooked_from == std::vector<std::string>{"INPUT (hook input, priority 0)"});
  CHECK(zr.tailscale[2].chain == "ts-postrouting");
  CHECK(zr.tailscale[2].table == "nat");
}

TEST_CASE("With no zones configured, every zone_* chain is a zone", "[nft][zones]") {
  auto rs = parse_ruleset(read_fixture(kFixtures + "zones_tailscale.json"), "zones_tailscale.json");
  auto zr = analyse_zones(rs, config::Firewall{}, Services{});
  REQUIRE(zr.zones.size() == 4);
  CHECK(zr.zones[0].name == "admin");
  CHECK(zr.zones[3].name == "isolated");
}
