#include "tailnet_filter.hpp"

#include "meshops/nft/ip_addr.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace meshops::checks::reach {

bool in_prefix_text(const std::string& addr, const std::string& prefix) {
  if (prefix == "*") return true;
  auto a = nft::IpAddr::parse(addr);
  auto p = nft::IpPrefix::parse(prefix);
  return a && p && p->contains(*a);
}

FilterVerdict evaluate_filter(const std::vector<tailscale::FilterMatch>& matches, const std::string& src,
                              const std::string& dst, int proto, int port) {
  FilterVerdict v;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const auto& m = matches[i];
    if (!m.src_caps.empty()) v.has_src_caps = true;
    if (std::find(m.ip_proto.begin(), m.ip_proto.end(), proto) == m.ip_proto.end()) continue;
    if (std::none_of(m.srcs.begin(), m.srcs.end(), [&](const std::string& s) { return in_prefix_text(src, s); })) continue;
    // ICMP has no port: any destination range admits it (wgengine/filter matches IPs only).
    bool portless = proto != 6 && proto != 17 && proto != 132;
    for (const auto& d : m.dsts)
      if (in_prefix_text(dst, d.net) && (portless || d.ports.contains(port))) {
        v.match = i;
        v.dst = fmt::format("{}:{}", d.net, tailscale::to_string(d.ports));
        return v;
      }
  }
  return v;
}

std::string describe(const tailscale::FilterMatch& m) {
  std::vector<std::string> protos, dsts;
  for (int p : m.ip_proto) protos.push_back(tailscale::proto_name(p));
  for (const auto& d : m.dsts) dsts.push_back(fmt::format("{}:{}", d.net, tailscale::to_string(d.ports)));
  std::vector<std::string> srcs = m.srcs;
  for (const auto& c : m.src_caps) srcs.push_back("cap:" + c);
  return fmt::format("{} {} -> {}", fmt::join(protos, ","), fmt::join(srcs, ","), fmt::join(dsts, ","));
}

} // namespace meshops::checks::reach
