// fw-status's views, on rulesets captured with the real nft (tests/fixtures/nft/capture.sh says
// how) and the config beside them: --check's report through meshops::checks::fw, the zones
// table and the key order of every JSON document.
#include "view.hpp"
#include "fixture.hpp"
#include "view_test.hpp"

#include "meshops/checks/fw.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nft/drift.hpp"
#include "meshops/nft/services.hpp"
#include "meshops/nft/zones.hpp"

#include <catch2/catch.hpp>

using namespace meshops;

namespace {

// The /etc/services lines the fixtures' ports use (a machine's own file may name more).
nft::Services services() { return nft::Services::parse("ssh 22/tcp\npostgresql 5432/tcp\nhttp 80/tcp\nhttps 443/tcp\nhttps 443/udp\n"); }

config::Config the_config() { return config::parse(read_fixture("nft/config.json"), "config.json"); }

nft::Ruleset ruleset(const std::string& name) { return nft::parse_ruleset(read_fixture("nft/" + name), name); }

fw_status::CheckReport check(const std::string& name) {
  fw_status::CheckReport r;
  r.drift = nft::check_drift(ruleset(name), the_config(), services());
  r.verdict = checks::fw::judge(r.drift);
  return r;
}

} // namespace

TEST_CASE("--check: the declared zones match the zones ruleset", "[fw-status][check]") {
  auto r = check("zones_tailscale.json");
  CHECK(r.verdict.state == Exit::ok);
  CHECK(fw_status::to_text(r, plain_output()) == "OK: the ruleset matches what the config declares (40 probes).\n");
  CHECK(without_time(fw_status::to_json(r)) ==
        R"x({"schema":"meshops/fw-status/1","status":"ok","reasons":[],"hint":null,"error":null,"findings":[],)x"
        R"x("not_checked":[],"probes":40})x");
  CHECK(fw_status::ok_text(r) == "ruleset matches the declared zones (40 probes)");
  // A host with no firewall section (the .deb installs no config; seen on the systemd host with
  // its table deleted): OK, but the one line must not claim a match it never compared.
  fw_status::CheckReport none;
  none.drift = nft::check_drift(ruleset("zones_tailscale.json"), config::parse("{}", "empty.json"), services());
  none.verdict = checks::fw::judge(none.drift);
  CHECK(none.verdict.state == Exit::ok);
  CHECK(fw_status::ok_text(none) == "ruleset matches what the config declares (" + std::to_string(none.drift.probes) +
                                        " probes); not declared, not checked: default_policy, zones");
}

TEST_CASE("--check: tailscale's ruleset alone drifts from every declared zone", "[fw-status][check]") {
  auto r = check("tailscale.json");
  CHECK(r.verdict.state == Exit::critical);
  auto out = plain_output();
  out.legend = false;
  CHECK(fw_status::to_text(r, out) ==
        "CRITICAL: tcp/22 is open to 198.51.100.7 on outside0, but no zone declares it\n"
        "CRITICAL: tcp/5432 is open to 198.51.100.7 on outside0, but no zone declares it\n"
        "CRITICAL: tcp/11434 is open to 198.51.100.7 on outside0, but no zone declares it\n"
        "CRITICAL: every tcp port is open to 198.51.100.7 on outside0, but no zone allows all services there\n"
        "CRITICAL: every udp port is open to 198.51.100.7 on outside0, but no zone allows all services there\n"
        "WARNING: zone admin has no chain in the ruleset (looked for zone_admin or admin)\n"
        "WARNING: zone dmz has no chain in the ruleset (looked for zone_dmz or dmz)\n"
        "WARNING: zone internal has no chain in the ruleset (looked for zone_internal or internal)\n"
        "WARNING: zone isolated has no chain in the ruleset (looked for zone_isolated or isolated)\n"
        "CRITICAL: no base chain on the input hook drops what no rule accepts for IPv4 and IPv6 (declared defaultPolicy: drop)\n"
        "WARNING: enableLogging is set but no rule logs\n");
  // The verdict's reasons (JSON and --plugin): critical first, each in the order found.
  REQUIRE(r.verdict.reasons.size() == 11);
  CHECK(r.verdict.reasons[5] == "no base chain on the input hook drops what no rule accepts for IPv4 and IPv6 (declared defaultPolicy: drop)");
  CHECK(r.verdict.reasons[6] == "zone admin has no chain in the ruleset (looked for zone_admin or admin)");
  auto doc = fw_status::to_json(r);
  CHECK(doc["status"] == "critical");
  CHECK(doc["reasons"] == nlohmann::ordered_json(r.verdict.reasons));
  CHECK(doc["findings"][5].dump() ==
        R"x({"severity":"warning","kind":"missing_zone","zone":"admin","message":"zone admin has no chain in the ruleset (looked for zone_admin or admin)"})x");
  CHECK(cli::render_prom(fw_status::to_prom(r)) ==
        "# HELP meshops_fw_status_drift_findings Drift findings of fw-status --check, by level (warning, critical)\n"
        "# TYPE meshops_fw_status_drift_findings gauge\n"
        "meshops_fw_status_drift_findings{level=\"warning\"} 5\n"
        "meshops_fw_status_drift_findings{level=\"critical\"} 6\n");
}

TEST_CASE("--check that cannot read the ruleset: UNKNOWN, the error and its hint in the document", "[fw-status][check]") {
  // What nft::list_ruleset_json throws without CAP_NET_ADMIN (lib/src/nft/session.cpp).
  fw_status::CheckReport r;
  Error e(Exit::unknown, "reading the ruleset: permission denied (CAP_NET_ADMIN needed)", "run as root");
  r.verdict = checks::Verdict::failed(e);
  r.error = e;
  CHECK(without_time(fw_status::to_json(r)) ==
        R"x({"schema":"meshops/fw-status/1","status":"unknown","reasons":["reading the ruleset: permission denied (CAP_NET_ADMIN needed)"],)x"
        R"x("hint":"run as root","error":"reading the ruleset: permission denied (CAP_NET_ADMIN needed)","findings":[],)x"
        R"x("not_checked":[],"probes":0})x");
}

TEST_CASE("collect: a ruleset file that does not exist is the report's error, never a throw", "[fw-status][check]") {
  auto r = checks::fw::collect("/nonexistent/ruleset.json", the_config());
  REQUIRE(r.error);
  CHECK(r.verdict.state == Exit::unknown);
  CHECK(r.verdict.reasons.size() == 1);
  CHECK_THAT(r.verdict.reasons[0], Catch::Contains("/nonexistent/ruleset.json"));
}

TEST_CASE("The zones table: a row per zone, then the input base chains, then tailscale's chains", "[fw-status][zones]") {
  auto rs = ruleset("zones_tailscale.json");
  auto zr = nft::analyse_zones(rs, the_config().firewall, services());
  CHECK(fw_status::to_text(rs, zr, plain_output()) ==
        "ZONE      CHAIN                       FROM               TCP                                 UDP          FALLS THROUGH       ACCEPTED  DROPPED\n"
        "admin     inet meshops zone_admin     src 100.64.0.0/10  all                                 all          accept (last rule)         0        0\n"
        "dmz       inet meshops zone_dmz       any                80 (http), 443 (https)              443 (https)  return to input            0        0\n"
        "internal  inet meshops zone_internal  iif tailscale0     22 (ssh), 5432 (postgresql), 11434  -            return to input            0        0\n"
        "isolated  inet meshops zone_isolated  iif iso*           -                                   -            drop (last rule)           0        0\n"
        "(input)   inet meshops input          -                  -                                   -            drop (last rule)           0        0\n"
        "(input)   ip filter INPUT             -                  -                                   -            policy accept              0        0\n"
        "\n"
        "TAILSCALE CHAIN  TABLE      HOOKED FROM                                   RULES  ACCEPTED  DROPPED\n"
        "ts-input         ip filter  INPUT (hook input, priority 0)                    5         0        0\n"
        "ts-forward       ip filter  FORWARD (hook forward, priority 0)                4         0        0\n"
        "ts-postrouting   ip nat     POSTROUTING (hook postrouting, priority 100)      1         0        0\n"
        "\n"
        "4 zones, 3 tailscale chains; 28 rules in 11 chains of 3 tables.\n");
}

TEST_CASE("Every JSON document of fw-status puts schema first, its keys in the documented order", "[fw-status][json]") {
  auto rs = ruleset("zones_tailscale.json");
  auto zr = nft::analyse_zones(rs, the_config().firewall, services());
  auto keys = [](const nlohmann::ordered_json& j) {
    std::vector<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
    return out;
  };
  auto doc = fw_status::to_json(rs, zr, "zones_tailscale.json", /*with_rules=*/true);
  CHECK(keys(doc) == std::vector<std::string>{"schema", "generated_at", "source", "tables", "chains", "rules", "sets", "zones",
                                              "tailscale_chains", "base_chains", "chain_rules"});
  CHECK(keys(doc["zones"][0]) ==
        std::vector<std::string>{"name", "found", "family", "table", "chain", "interfaces", "sources", "tcp_ports", "udp_ports",
                                 "accepts_all", "falls_through", "rule_count", "accepted_packets", "accepted_bytes",
                                 "dropped_packets", "dropped_bytes"});
  CHECK(keys(doc["chain_rules"][0]) == std::vector<std::string>{"family", "table", "chain", "hook", "priority", "policy", "rules"});
  CHECK(keys(fw_status::to_json(check("zones_tailscale.json"))) ==
        std::vector<std::string>{"schema", "generated_at", "status", "reasons", "hint", "error", "findings", "not_checked", "probes"});
}
