#include "meshops/nft/ip_addr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace meshops::nft {

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  std::string text(s);
  IpAddr a;
  if (text.find(':') == std::string::npos) {
    a.version = 4;
    if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
    return std::nullopt;
  }
  a.version = 6;
  if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(version == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

int compare(const IpAddr& a, const IpAddr& b) {
  if (a.version != b.version) return a.version < b.version ? -1 : 1;
  int c = std::memcmp(a.bytes.data(), b.bytes.data(), a.size());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool in_prefix(const IpAddr& addr, const IpAddr& network, int len) {
  if (addr.version != network.version) return false;
  len = std::clamp(len, 0, static_cast<int>(addr.size()) * 8);
  int full = len / 8, rest = len % 8;
  if (std::memcmp(addr.bytes.data(), network.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (addr.bytes[full] & mask) == (network.bytes[full] & mask);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view s) {
  auto slash = s.find('/');
  auto addr = IpAddr::parse(s.substr(0, slash));
  if (!addr) return std::nullopt;
  int bits = static_cast<int>(addr->size()) * 8;
  IpPrefix p{*addr, bits};
  if (slash != std::string_view::npos) {
    auto digits = s.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    p.len = std::stoi(std::string(digits));
    if (p.len > bits) return std::nullopt;
  }
  for (int i = 0; i < bits; ++i)
    if (i >= p.len) p.network.bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80u >> (i % 8)));
  return p;
}

bool is_tailnet_address(const IpAddr& a) {
  static const IpPrefix v4 = *IpPrefix::parse("100.64.0.0/10");
  static const IpPrefix v6 = *IpPrefix::parse("fd7a:115c:a1e0::/48");
  return v4.contains(a) || v6.contains(a);
}

IpAddr IpPrefix::first_host() const {
  IpAddr a = network;
  // With two or more host bits the network address itself is no host; its last bit is clear.
  if (static_cast<int>(a.size()) * 8 - len >= 2) a.bytes[a.size() - 1] |= 1;
  return a;
}

} // namespace meshops::nft
