#pragma once
// Which of a node's Tailscale addresses the walk names it by (private to checks/reach).
#include <string>
#include <vector>

namespace meshops::checks::reach {

/// The first IPv4 address of ips (tailscale's TailscaleIPs), else the first one, else "".
inline std::string first_v4(const std::vector<std::string>& ips) {
  for (const auto& ip : ips)
    if (ip.find('.') != std::string::npos) return ip;
  return ips.empty() ? "" : ips.front();
}

} // namespace meshops::checks::reach
