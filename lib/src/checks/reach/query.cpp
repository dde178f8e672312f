// SRC and TARGET of meshops-reach, read against the status and the config.
#include "meshops/checks/reach.hpp"

#include "ips.hpp"

#include "meshops/nft/ip_addr.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace meshops::checks::reach {
namespace {

int parse_port(std::string_view s) {
  int port = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc{} || ptr != s.data() + s.size() || port < 1 || port > 65535) return 0;
  return port;
}

} // namespace

std::string service_host(const config::Service& svc, const std::string& self_host, const std::string& suffix) {
  std::string host = svc.subdomain + "." + self_host;
  if (!suffix.empty()) host += "." + suffix;
  return sys::lower(host);
}

Source resolve_source(const std::string& text, const std::string& iif, const tailscale::Status& status) {
  Source s;
  s.text = text;
  if (const auto* p = tailscale::find_peer(status, text)) {
    s.peer = *p;
    s.address = nft::IpAddr::parse(text) ? text : first_v4(p->tailscale_ips);
    s.iif = iif.empty() ? "tailscale0" : iif;
    if (!iif.empty() && iif != "tailscale0") s.peer.reset();  // a peer's address seen on a LAN port is a LAN client
    return s;
  }
  if (!iif.empty()) {
    if (!nft::IpAddr::parse(text))
      throw Error(Exit::usage, fmt::format("SRC \"{}\": with --iif, SRC must be an IP address", text));
    s.address = text;
    s.iif = iif;
    return s;
  }
  std::vector<std::string> names;
  for (const auto& p : status.peers) names.push_back(p.name());
  auto none = tailscale::no_such_peer(text);
  throw Error(none.code(), fmt::format("SRC: {} (a peer that no ACL rule connects is not in the netmap)", none.what()),
              names.empty() ? "this node has no peers"
                            : fmt::format("peers: {} (or an address with --iif IFACE)", fmt::join(names, ", ")));
}

Target parse_target(const std::string& text, const config::Config& cfg, const std::string& self_host,
                    const std::string& suffix) {
  Target t;
  t.text = text;
  const auto& services = cfg.nginx.services;
  if (auto sep = text.find("://"); sep != std::string::npos) {
    t.kind = Target::Kind::url;
    t.scheme = sys::lower(text.substr(0, sep));
    if (t.scheme != "http" && t.scheme != "https")
      throw Error(Exit::usage, fmt::format("TARGET \"{}\": only http:// and https:// URLs", text));
    std::string rest = text.substr(sep + 3);
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (auto q = t.path.find_first_of("?#"); q != std::string::npos) t.path.resize(q);
    t.port = t.scheme == "https" ? 443 : 80;
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
      t.port = parse_port(std::string_view(authority).substr(colon + 1));
      if (!t.port) throw Error(Exit::usage, fmt::format("TARGET \"{}\": the port is not 1-65535", text));
      authority.resize(colon);
    }
    if (authority.empty()) throw Error(Exit::usage, fmt::format("TARGET \"{}\": the URL has no host", text));
    t.host = sys::lower(authority);
    for (const auto& [name, svc] : services)
      if (service_host(svc, self_host, suffix) == t.host) t.service = name;
    return t;
  }
  if (auto slash = text.find('/'); slash != std::string::npos) {
    t.proto = sys::lower(text.substr(0, slash));
    t.port = parse_port(std::string_view(text).substr(slash + 1));
    if ((t.proto != "tcp" && t.proto != "udp") || !t.port)
      throw Error(Exit::usage, fmt::format("TARGET \"{}\": PROTO/PORT needs tcp or udp and a port 1-65535", text));
    return t;
  }
  auto it = services.find(text);
  if (it == services.end()) {
    std::vector<std::string> names;
    for (const auto& [name, svc] : services) names.push_back(name);
    throw Error(Exit::unknown, fmt::format("TARGET \"{}\": no such service in {}", text, cfg.origin),
                names.empty() ? "no nginx.services are declared; give a URL or PROTO/PORT"
                              : fmt::format("services: {} (or a URL, or PROTO/PORT)", fmt::join(names, ", ")));
  }
  t.kind = Target::Kind::service;
  t.service = text;
  t.scheme = "http";
  t.port = 80;
  t.host = service_host(it->second, self_host, suffix);
  t.path = it->second.health_path.empty() ? "/" : it->second.health_path;
  return t;
}

} // namespace meshops::checks::reach
