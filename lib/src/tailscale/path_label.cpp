#include "meshops/tailscale/path_label.hpp"

namespace meshops::tailscale {

std::string path_label(PathKind kind, std::string_view addr) {
  if (kind == PathKind::derp) return "derp";
  // "[fd7a::1]:41641" and "fd7a::1" are IPv6; "198.18.0.11:41641" and a peer relay's
  // "198.18.0.13:41641:vni:7" are IPv4 (tailscale brackets an IPv6 address with a port).
  const bool v6 = (!addr.empty() && addr.front() == '[') ||
                  (addr.find('.') == std::string_view::npos && addr.find(':') != std::string_view::npos);
  return std::string(kind == PathKind::direct ? "direct_" : "peer_relay_") + (v6 ? "ipv6" : "ipv4");
}

} // namespace meshops::tailscale
