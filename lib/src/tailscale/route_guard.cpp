#include "meshops/tailscale/route_guard.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meshops::tailscale {
namespace {

std::string address_text(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6) ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return buf;
}

std::string interface_holding(const std::string& address) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::string name;
  for (ifaddrs* i = list; i; i = i->ifa_next)
    if (i->ifa_addr && address_text(i->ifa_addr) == address) {
      name = i->ifa_name;
      break;
    }
  ::freeifaddrs(list);
  return name;
}

} // namespace

bool is_tailnet_address(std::string_view ip) {
  std::string s(ip);
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    auto host = ntohl(v4.s_addr);
    return (host & 0xffc00000u) == 0x64400000u;  // 100.64.0.0/10
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    static const unsigned char prefix[6] = {0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0};  // fd7a:115c:a1e0::/48
    return std::memcmp(v6.s6_addr, prefix, sizeof prefix) == 0;
  }
  return false;
}

RouteLookup lookup_route(const std::string& ip) {
  RouteLookup r;
  sockaddr_storage dst{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&dst);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&dst);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(9);  // any port: a UDP connect only picks the route
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(9);
    len = sizeof *v6;
  } else {
    r.error = "not an IP address";
    return r;
  }
  int fd = ::socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = std::strerror(errno);
    return r;
  }
  sockaddr_storage src{};
  socklen_t src_len = sizeof src;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), len) != 0) r.error = std::strerror(errno);
  else if (::getsockname(fd, reinterpret_cast<sockaddr*>(&src), &src_len) != 0) r.error = std::strerror(errno);
  else r.source = address_text(reinterpret_cast<sockaddr*>(&src));
  ::close(fd);
  if (!r.source.empty()) r.interface = interface_holding(r.source);
  // ip netns exec mounts the namespace's own sysfs, so this is the namespace's device.
  std::error_code ec;
  r.tun = !r.interface.empty() && std::filesystem::exists("/sys/class/net/" + r.interface + "/tun_flags", ec);
  return r;
}

std::string route_problem(const Status* status, const std::string& ip, const RouteLookup& route) {
  if (status && !status->tun)
    return fmt::format("tailscaled has no TUN device (userspace networking): nothing routes {} through it", ip);
  if (route.source.empty()) return fmt::format("no route to {} in this network namespace: {}", ip, route.error);
  auto via = route.interface.empty() ? std::string("an unknown interface") : route.interface;
  if (!route.tun || !is_tailnet_address(route.source))
    return fmt::format("the route to {} goes through {} (source {}), not tailscaled's TUN: this namespace is not where "
                       "tailscaled runs, and the traffic would take another path",
                       ip, via, route.source);
  if (status) {
    const auto& own = status->tailscale_ips;
    if (std::find(own.begin(), own.end(), route.source) == own.end())
      return fmt::format("the route to {} goes through {} (source {}), the TUN of another tailscaled than the one at "
                         "this socket",
                         ip, via, route.source);
  }
  return {};
}

std::optional<Error> tun_route_error(const Status* status, const std::string& ip) {
  if (!is_tailnet_address(ip)) return std::nullopt;
  auto problem = route_problem(status, ip, lookup_route(ip));
  if (problem.empty()) return std::nullopt;
  bool userspace = status && !status->tun;
  return Error(Exit::unknown, problem,
               userspace ? "with tailscaled --tun=userspace-networking, tailnet addresses are reachable only through its "
                           "SOCKS5/HTTP proxy; run tailscaled with a TUN to connect from this host"
                         : "run it in tailscaled's network namespace (ip netns exec NS ...), where its TUN (tailscale0) "
                           "is; tailscaled in userspace-networking mode has no TUN to route through");
}

void require_tun_route(const Status* status, const std::string& ip) {
  if (auto e = tun_route_error(status, ip)) throw *e;
}

} // namespace meshops::tailscale
