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

} // namespace meshops::nft
