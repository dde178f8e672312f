#pragma once
// IPv4/IPv6 addresses and prefixes as the evaluator compares them: raw bytes, big-endian, so a
// prefix test and a range test are byte comparisons.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshops::nft {

/// An IPv4 or IPv6 address (version 4 uses the first 4 bytes).
struct IpAddr {
  int version = 4;
  std::array<std::uint8_t, 16> bytes{};

  /// Parses "192.0.2.1" or "2001:db8::1"; nullopt when s is neither.
  static std::optional<IpAddr> parse(std::string_view s);
  std::string to_string() const;
  std::size_t size() const { return version == 4 ? 4 : 16; }
  friend bool operator==(const IpAddr&, const IpAddr&) = default;
};

/// a < b, a == b or a > b as -1/0/1 (addresses of different versions compare by version).
int compare(const IpAddr& a, const IpAddr& b);

/// Whether addr lies in network/len (false when the versions differ).
bool in_prefix(const IpAddr& addr, const IpAddr& network, int len);

/// A network as a config writes it: "100.64.0.0/10", "100.64.0.10/32", or a bare address (a
/// host prefix).
struct IpPrefix {
  IpAddr network;  ///< host bits cleared
  int len = 32;

  /// Parses "ADDR[/LEN]"; nullopt when ADDR is no address or LEN is out of range.
  static std::optional<IpPrefix> parse(std::string_view s);
  /// The lowest address a host in the prefix can have: the address itself for a host prefix
  /// (/32, /128) and both ends of a /31 or /127 (RFC 3021), else network + 1.
  IpAddr first_host() const;
  bool contains(const IpAddr& a) const { return in_prefix(a, network, len); }
};

/// Whether a is in tailscale's address ranges: 100.64.0.0/10 (CGNAT) or fd7a:115c:a1e0::/48.
bool is_tailnet_address(const IpAddr& a);

} // namespace meshops::nft
