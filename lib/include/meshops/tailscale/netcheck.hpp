#pragma once
// The node's side of `tailscale netcheck`, and the DERP map that names its regions.
// tailscaled has no LocalAPI endpoint for netcheck (notes 2.8): the CLI runs STUN itself, from
// the caller's network namespace, so we run the CLI.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

struct DerpRegion {
  int id = 0;
  std::string code;  ///< e.g. "headscale"
  std::string name;  ///< e.g. "Headscale Embedded DERP"
};

struct RegionLatency {
  DerpRegion region;
  double latency_ms = 0;
};

struct Netcheck {
  bool available = false;
  std::string reason;  ///< why not available: "tailscale CLI not found", "timed out after 5 s"
  bool udp = false, ipv4 = false, ipv6 = false, os_has_ipv6 = false;
  std::string global_v4, global_v6;  ///< the node's public address as STUN saw it, "ip:port"
  std::optional<bool> mapping_varies_by_dest_ip;  ///< nullopt: not determined
  std::optional<DerpRegion> preferred_derp;       ///< nullopt: no region answered
  std::vector<RegionLatency> derp_latency;        ///< fastest first
};

/// Parses `tailscale netcheck --format=json` (net/netcheck.Report) and names its regions
/// from regions (the LocalAPI's /derpmap; unknown IDs keep only their number). Throws
/// std::runtime_error naming a malformed field.
Netcheck parse_netcheck(std::string_view json, const std::map<int, DerpRegion>& regions);

/// Parses /localapi/v0/derpmap into regions by ID; null (before the first netmap) is empty.
/// Throws std::runtime_error for anything else that is not a DERP map.
std::map<int, DerpRegion> parse_derpmap(std::string_view json);

/// Runs `tailscale --socket SOCKET netcheck --format=json` within timeout and parses it;
/// never throws: a failure comes back as available = false with the reason.
Netcheck run_netcheck(const std::string& tailscale, const std::string& socket, const std::map<int, DerpRegion>& regions,
                      double timeout_s);

} // namespace meshops::tailscale
