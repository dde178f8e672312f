#pragma once
// Before a tool connects to a tailnet address itself (ts-benchmark's TCP and iperf3 runs, an
// HTTP benchmark of a 100.x URL), it checks that this network namespace routes the address
// through tailscaled's TUN. Without that check, a tool run outside tailscaled's namespace (or
// beside a tailscaled in userspace-networking mode) connects through the default route: it
// measures some other path, or sends tailnet traffic out of the host. meshops-reach checks
// the same before it probes a tailnet address.
#include "meshops/error.hpp"
#include "meshops/tailscale/status.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meshops::tailscale {

/// Whether ip is in Tailscale's ranges: 100.64.0.0/10 or fd7a:115c:a1e0::/48.
bool is_tailnet_address(std::string_view ip);

/// Where this namespace's kernel routes ip: the source address it picks, the interface that
/// holds that address and whether that is a TUN device. Found with connect() on a UDP socket,
/// which looks the route up and sends nothing.
struct RouteLookup {
  std::string source;     ///< "" when there is no route
  std::string interface;  ///< "" when no interface holds the source address
  bool tun = false;       ///< the interface is a TUN device (/sys/class/net/IF/tun_flags)
  std::string error;      ///< why there is no route ("Network is unreachable")
};
RouteLookup lookup_route(const std::string& ip);

/// The verdict on a lookup, pure: "" when the route goes through tailscaled's TUN (a TUN
/// interface whose address is a Tailscale one; with status, this node's own and status.tun),
/// else the one-line reason. status may be null (tailscaled not asked: an IP given directly).
std::string route_problem(const Status* status, const std::string& ip, const RouteLookup& route);

/// The Error (Exit::unknown) of route_problem() with a hint about namespaces and userspace
/// networking, or none when ip is routed through tailscaled's TUN here. Addresses outside
/// Tailscale's ranges pass unchecked. For a caller that reports it and carries on.
std::optional<Error> tun_route_error(const Status* status, const std::string& ip);

/// Throws tun_route_error(), if there is one: nothing is sent to ip.
void require_tun_route(const Status* status, const std::string& ip);

} // namespace meshops::tailscale
