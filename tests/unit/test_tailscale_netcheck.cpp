// The node's side of `tailscale netcheck` and the DERP map, on output captured from the real
// tailnet (tests/fixtures/tailscale/quality/capture.sh) and on hostile variants.
#include "meshops/tailscale/netcheck.hpp"

#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>

using namespace meshops::tailscale;

namespace {
std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/quality/" + name);
}
} // namespace

TEST_CASE("netcheck captured in laptop's namespace: UDP, IPv4 address, preferred DERP by name", "[tailscale][netcheck]") {
  auto regions = parse_derpmap(fixture("derpmap.json"));
  REQUIRE(regions.size() == 1);
  CHECK(regions.at(999).code == "headscale");
  CHECK(regions.at(999).name == "Headscale Embedded DERP");
  auto n = parse_netcheck(fixture("netcheck-laptop.json"), regions);
  CHECK(n.available);
  CHECK(n.udp);
  CHECK(n.ipv4);
  CHECK_FALSE(n.ipv6);
  CHECK(n.os_has_ipv6);
  CHECK(n.global_v4 == "198.18.0.12:50619");
  CHECK_FALSE(n.mapping_varies_by_dest_ip);
  REQUIRE(n.preferred_derp);
  CHECK(n.preferred_derp->code == "headscale");
  REQUIRE(n.derp_latency.size() == 1);
  CHECK(n.derp_latency[0].latency_ms == Approx(0.210757));
}

TEST_CASE("netcheck captured where no DERP answers: no UDP, no preferred region", "[tailscale][netcheck]") {
  auto n = parse_netcheck(fixture("netcheck-unreachable.json"), {});
  CHECK(n.available);
  CHECK_FALSE(n.udp);
  CHECK_FALSE(n.preferred_derp);
  CHECK(n.derp_latency.empty());
}

TEST_CASE("netcheck and derpmap: hostile input is an error naming the field", "[tailscale][netcheck]") {
  CHECK_THROWS_WITH(parse_netcheck(R"({"UDP":"yes"})", {}), "UDP: expected true or false, got string");
  CHECK_THROWS_WITH(parse_netcheck(R"({"RegionLatency":{"x":1}})", {}), "RegionLatency: region ID x is not a number");
  CHECK_THROWS_WITH(parse_netcheck(R"({"RegionLatency":{"1":"fast"}})", {}), "RegionLatency.1: expected a number, got string");
  CHECK_THROWS_WITH(parse_netcheck("[]", {}), "expected an object, got array");
  CHECK_THROWS_AS(parse_netcheck("{", {}), std::runtime_error);
  CHECK(parse_derpmap("null").empty());
  CHECK_THROWS_WITH(parse_derpmap(R"({"Regions":[]})"), "Regions: expected an object, got array");
  // Regions sort fastest first; an unknown region keeps its number.
  auto n = parse_netcheck(R"({"PreferredDERP":2,"RegionLatency":{"1":3000000,"2":1000000}})", {{1, {1, "nyc", "New York"}}});
  REQUIRE(n.derp_latency.size() == 2);
  CHECK(n.derp_latency[0].region.id == 2);
  CHECK(n.derp_latency[0].latency_ms == Approx(1));
  CHECK(n.derp_latency[1].region.code == "nyc");
  CHECK(n.preferred_derp->code.empty());
}

TEST_CASE("run_netcheck reports a missing CLI as unavailable, with the reason", "[tailscale][netcheck]") {
  auto n = run_netcheck("/nonexistent/tailscale", "/nonexistent.sock", {}, 2);
  CHECK_FALSE(n.available);
  CHECK_FALSE(n.reason.empty());
}
