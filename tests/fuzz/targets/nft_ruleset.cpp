// `nft -j list ruleset` as fw-status reads it: the model, then --can (the evaluator on every
// hook, a goto or jump loop included), the zones and the drift check against the fixture
// config. Errors are meshops::Error naming the JSON path. Seeds: tests/fixtures/nft/*.json,
// tests/fixtures/reach/tailnet/ruleset.json.
#include "../fuzz_target.hpp"

#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nft/drift.hpp"
#include "meshops/nft/evaluate.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nft/services.hpp"
#include "meshops/nft/zones.hpp"

using namespace meshops;
using namespace meshops::nft;

namespace {

const config::Config& fixture_config() {
  // tests/fixtures/nft/config.json's firewall: the zones of DESIGN.md.
  static const config::Config c = config::parse(R"({"firewall": {"defaultPolicy": "drop", "zones": {
      "dmz": {"allowedTCPPorts": [80, 443], "allowedUDPPorts": [443]},
      "internal": {"interfaces": ["tailscale0"], "allowedServices": ["ssh", "postgresql"]},
      "admin": {"allowedIPs": ["100.64.0.0/10"], "allowAllServices": true}, "isolated": {}}}})",
                                                "fuzz.json");
  return c;
}

} // namespace

MESHOPS_FUZZ_TARGET(nft_ruleset) {
  Ruleset rs;
  try {
    rs = parse_ruleset(meshops_fuzz::text(data, size), "fuzz.json");
  } catch (const Error&) {
    return 0;
  }
  static const Services services = Services::parse("ssh 22/tcp\npostgresql 5432/tcp\nhttps 443/tcp\n");
  for (const char* hook : {"input", "forward", "output"}) {
    Packet p;
    p.saddr = *IpAddr::parse(size % 2 ? "100.64.0.7" : "fd7a:115c:a1e0::7");
    p.daddr = IpAddr::parse(size % 2 ? "192.0.2.1" : "2001:db8::1");
    p.iifname = "tailscale0";
    p.dport = static_cast<std::uint16_t>(size * 7);
    (void)evaluate(rs, p, hook);
  }
  for (const auto& r : rs.chains)
    for (const auto& rule : r.rules) (void)render_rule(rule);
  try {
    (void)analyse_zones(rs, fixture_config().firewall, services);
    (void)check_drift(rs, fixture_config(), services).status();
  } catch (const Error&) {
  }
  return 0;
}
