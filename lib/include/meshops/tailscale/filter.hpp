#pragma once
// Typed models of the LocalAPI replies meshops-reach reads (notes 2.11, systemd-host-and-acl.md):
// whois (who a tailnet address is), debug-packet-filter-matches (the inbound filter tailscaled
// enforces, as compiled from control's rules), debug-packet-filter-rules (the rules as control
// sent them) and dns-query (tailscaled's resolver, answer as a base64 DNS message). Pure
// parsers: bytes in, values out; a wrong type is an error naming its JSON path.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

/// GET whois?addr=IP: the node that owns a tailnet address and its user.
struct WhoIs {
  std::string node_id;      ///< Node.StableID
  std::string name;         ///< Node.Name: the FQDN with its trailing dot
  std::string host_name;    ///< Node.Hostinfo.Hostname
  std::vector<std::string> addresses;  ///< Node.Addresses (prefixes, "100.64.0.2/32")
  std::vector<std::string> tags;       ///< Node.Tags
  std::optional<bool> online;          ///< Node.Online (absent: unknown)
  std::string login_name;   ///< UserProfile.LoginName ("tagged-devices" for a tagged node)
  std::vector<std::string> caps;       ///< the keys of CapMap
};
WhoIs parse_whois(std::string_view json);

/// A port range of a filter destination, inclusive.
struct PortRange {
  std::uint16_t first = 0, last = 0;
  bool contains(int port) const { return port >= first && port <= last; }
};
/// "*" for every port, "22", "80-443".
std::string to_string(const PortRange& r);

/// One destination of a match: a prefix and its ports.
struct FilterDst {
  std::string net;  ///< "100.64.0.1/32", "0.0.0.0/0"
  PortRange ports;
};

/// One compiled match of tailscaled's packet filter (filtertype.Match).
struct FilterMatch {
  std::vector<int> ip_proto;           ///< IP protocol numbers (6 tcp, 17 udp, 1 icmp, ...)
  std::vector<std::string> srcs;       ///< source prefixes
  std::vector<std::string> src_caps;   ///< node capabilities that also match a source
  std::vector<FilterDst> dsts;
  std::vector<std::string> caps;       ///< Caps[].Cap: capability grants (no packets allowed by them)
};
/// Parses debug-packet-filter-matches (a JSON array; null is an empty filter: nothing allowed).
std::vector<FilterMatch> parse_filter_matches(std::string_view json);

/// One rule as control sent it (tailcfg.FilterRule).
struct FilterRule {
  std::vector<std::string> src_ips;    ///< "100.64.0.2", "100.64.0.0/10", "*"
  std::vector<int> ip_proto;           ///< empty: control's default (tcp, udp, icmp)
  std::vector<std::string> dst_ports;  ///< "IP:PORTS" as tailscale writes them
};
/// Parses debug-packet-filter-rules (a JSON array, null is empty).
std::vector<FilterRule> parse_filter_rules(std::string_view json);

/// The name tailscale gives an IP protocol number ("tcp", "udp", "icmp", else the number).
std::string proto_name(int proto);
/// The number of a protocol name (tcp, udp, icmp, ipv6-icmp, sctp); nullopt when unknown.
std::optional<int> proto_number(std::string_view name);

/// GET dns-query?name=N&type=T: the answer tailscaled's resolver gave.
struct DnsAnswer {
  int rcode = 0;                      ///< 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...
  std::vector<std::string> addresses; ///< A and AAAA records, in order
  std::vector<std::string> cnames;
  std::vector<std::string> resolvers; ///< Resolvers[].Addr: where tailscaled asked
};
/// Parses the reply: {"Bytes": base64 DNS message, "Resolvers": [...]}. Throws
/// std::runtime_error for JSON of a wrong shape or a DNS message that is cut short.
DnsAnswer parse_dns_query(std::string_view json);
/// "NOERROR", "SERVFAIL", "NXDOMAIN", "REFUSED", else "RCODE N".
std::string rcode_name(int rcode);

} // namespace meshops::tailscale
