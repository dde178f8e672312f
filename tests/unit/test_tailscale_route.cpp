// The route guard of tools that connect to tailnet addresses themselves: which addresses are
// Tailscale's, and the verdict on a route lookup against tailscaled's captured /status. The
// lookup itself runs in namespaces made by tests/integration/ts_route_guard.sh.
#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/tailscale/route_guard.hpp"

#include <catch2/catch.hpp>

using namespace meshops::tailscale;

namespace {
Status laptop() {
  return parse_status(meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/status-laptop.json"));
}
} // namespace

TEST_CASE("Tailscale's address ranges: 100.64.0.0/10 and fd7a:115c:a1e0::/48", "[tailscale][route]") {
  CHECK(is_tailnet_address("100.64.0.1"));
  CHECK(is_tailnet_address("100.127.255.254"));
  CHECK_FALSE(is_tailnet_address("100.128.0.1"));
  CHECK_FALSE(is_tailnet_address("100.63.255.255"));
  CHECK(is_tailnet_address("fd7a:115c:a1e0::3"));
  CHECK_FALSE(is_tailnet_address("fd7a:115c:a1e1::3"));
  CHECK_FALSE(is_tailnet_address("198.18.0.11"));
  CHECK_FALSE(is_tailnet_address("kernelcore"));
  CHECK_FALSE(is_tailnet_address(""));
}

TEST_CASE("A route is tailscaled's when it leaves by a TUN holding this node's Tailscale address", "[tailscale][route]") {
  auto s = laptop();
  REQUIRE(s.tun);
  CHECK(route_problem(&s, "100.64.0.1", {"100.64.0.2", "tailscale0", true, ""}).empty());
  CHECK(route_problem(&s, "fd7a:115c:a1e0::1", {"fd7a:115c:a1e0::2", "tailscale0", true, ""}).empty());
  CHECK(route_problem(nullptr, "100.64.0.1", {"100.64.0.2", "tailscale0", true, ""}).empty());  // no status asked
  CHECK(route_problem(&s, "100.64.0.1", {"198.18.0.5", "eth0", false, ""}) ==
        "the route to 100.64.0.1 goes through eth0 (source 198.18.0.5), not tailscaled's TUN: this namespace is not "
        "where tailscaled runs, and the traffic would take another path");
  // A carrier-grade NAT address on a plain interface is no TUN, whatever its range.
  CHECK_FALSE(route_problem(nullptr, "100.64.0.1", {"100.70.1.2", "eth0", false, ""}).empty());
  CHECK(route_problem(&s, "100.64.0.1", {"100.64.0.9", "tailscale1", true, ""}).find("another tailscaled") != std::string::npos);
  CHECK(route_problem(&s, "100.64.0.1", {"", "", false, "Network is unreachable"}) ==
        "no route to 100.64.0.1 in this network namespace: Network is unreachable");
  s.tun = false;  // tailscaled --tun=userspace-networking
  CHECK(route_problem(&s, "100.64.0.1", {"100.64.0.2", "tailscale0", true, ""}) ==
        "tailscaled has no TUN device (userspace networking): nothing routes 100.64.0.1 through it");
}

TEST_CASE("The guard passes addresses outside Tailscale's ranges unchecked", "[tailscale][route]") {
  auto s = laptop();
  s.tun = false;
  CHECK_NOTHROW(require_tun_route(&s, "127.0.0.1"));
  try {
    require_tun_route(&s, "100.64.0.1");
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::unknown);
    CHECK(e.hint().find("userspace-networking") != std::string::npos);
  }
}
