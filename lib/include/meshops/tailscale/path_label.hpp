#pragma once
// The words tailscale's own metrics use for a path (its `path` label: direct_ipv4,
// direct_ipv6, derp, peer_relay_ipv4, peer_relay_ipv6), so meshops' series join with them.
#include <string>
#include <string_view>

namespace meshops::tailscale {

enum class PathKind { direct, derp, peer_relay };

/// The label value for a path of this kind over `addr` ("ip:port", "[ip6]:port" or a bare
/// address; the family matters only for direct and peer-relay paths): "direct_ipv4",
/// "direct_ipv6", "derp", "peer_relay_ipv4", "peer_relay_ipv6".
std::string path_label(PathKind kind, std::string_view addr);

} // namespace meshops::tailscale
