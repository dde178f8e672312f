#pragma once
// tailscaled's inbound packet filter evaluated for one new connection, the way
// wgengine/filter runs a first packet: the first match whose IPProto holds the protocol, whose
// Srcs hold the source address and one of whose Dsts holds the destination address and port.
// No match: tailscaled drops the packet silently. (SrcCaps, matched by a peer's node
// capabilities, are not evaluated: the result notes them.)
#include "meshops/tailscale/filter.hpp"

#include <optional>
#include <string>
#include <vector>

namespace meshops::checks::reach {

struct FilterVerdict {
  std::optional<std::size_t> match;  ///< index of the allowing match
  std::string dst;                   ///< the Dsts entry that matched, "100.64.0.1/32:80"
  bool has_src_caps = false;         ///< some match could allow by capability instead
};

/// Whether addr (an IP literal) lies in prefix ("100.64.0.0/10", an address alone, or "*").
bool in_prefix_text(const std::string& addr, const std::string& prefix);

FilterVerdict evaluate_filter(const std::vector<tailscale::FilterMatch>& matches, const std::string& src,
                              const std::string& dst, int proto, int port);

/// One match as a line: "tcp 100.64.0.2/32 -> 100.64.0.1/32:80,443".
std::string describe(const tailscale::FilterMatch& m);

} // namespace meshops::checks::reach
