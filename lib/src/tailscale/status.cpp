#include "meshops/tailscale/status.hpp"

#include "json_fields.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;
using detail::Fields;
using detail::parse_object;

std::optional<TimePoint> time_at(const Fields& f, const char* key) {
  auto s = f.str(key);
  return s.empty() ? std::nullopt : parse_time(s);
}

/// "100.64.0.1/32" -> "100.64.0.1", "fd7a::1/128" -> "fd7a::1"; other prefixes stay as they are.
std::vector<std::string> host_addresses(std::vector<std::string> prefixes) {
  for (auto& p : prefixes) {
    auto slash = p.rfind('/');
    if (slash == std::string::npos) continue;
    auto bits = std::string_view(p).substr(slash + 1);
    bool v6 = p.find(':') != std::string::npos;
    if (bits == (v6 ? "128" : "32")) p.resize(slash);
  }
  return prefixes;
}

Peer parse_peer(const json& obj, const std::string& path) {
  Fields f(obj, path);
  Peer p;
  p.id = f.str("ID");
  p.public_key = f.str("PublicKey");
  p.host_name = f.str("HostName");
  p.dns_name = f.str("DNSName");
  p.os = f.str("OS");
  p.user_id = f.integer("UserID");
  p.tailscale_ips = f.strings("TailscaleIPs");
  p.allowed_ips = f.strings("AllowedIPs");
  p.primary_routes = f.strings("PrimaryRoutes");
  p.tags = f.strings("Tags");
  p.addrs = f.strings("Addrs");
  p.cur_addr = f.str("CurAddr");
  p.relay = f.str("Relay");
  p.peer_relay = f.str("PeerRelay");
  p.rx_bytes = f.integer("RxBytes");
  p.tx_bytes = f.integer("TxBytes");
  p.created = time_at(f, "Created");
  p.last_write = time_at(f, "LastWrite");
  p.last_seen = time_at(f, "LastSeen");
  p.last_handshake = time_at(f, "LastHandshake");
  p.key_expiry = time_at(f, "KeyExpiry");
  p.online = f.boolean("Online");
  p.active = f.boolean("Active");
  p.exit_node = f.boolean("ExitNode");
  p.exit_node_option = f.boolean("ExitNodeOption");
  p.expired = f.boolean("Expired");
  return p;
}

} // namespace

Connection Peer::connection() const {
  // As `tailscale status` words it: nothing sent for 45 s is idle, whatever path was last used.
  if (!active) return Connection::idle;
  if (!cur_addr.empty()) return Connection::direct;
  if (!peer_relay.empty()) return Connection::peer_relay;
  return Connection::derp_relay;
}

std::string Peer::name() const {
  auto dot = dns_name.find('.');
  std::string label = dns_name.substr(0, dot);
  return label.empty() ? host_name : label;
}

const char* to_string(Connection c) {
  switch (c) {
  case Connection::direct: return "direct";
  case Connection::derp_relay: return "relay";
  case Connection::peer_relay: return "peer-relay";
  case Connection::idle: return "idle";
  }
  return "idle";
}

namespace {
// Names compare case-insensitively, a FQDN with or without its trailing dot.
std::string name_key(std::string_view s) {
  auto k = sys::lower(s);
  if (!k.empty() && k.back() == '.') k.pop_back();
  return k;
}
} // namespace

const Peer* find_peer(const Status& s, std::string_view key) {
  auto k = name_key(key);
  if (k.empty()) return nullptr;
  for (const auto& p : s.peers) {
    if (name_key(p.name()) == k || name_key(p.host_name) == k || name_key(p.dns_name) == k || p.id == key) return &p;
    for (const auto& ip : p.tailscale_ips)
      if (ip == key) return &p;
  }
  return nullptr;
}

Error no_such_peer(std::string_view key) {
  return Error(Exit::unknown, fmt::format("no peer named {} in the tailnet", key),
               "peers are matched by name, MagicDNS name, Tailscale IP or node ID; see ts-status");
}

std::optional<TimePoint> parse_time(std::string_view s) {
  auto t = sys::parse_rfc3339(s);
  // Go's zero time, 0001-01-01T00:00:00Z, is "unknown", never "2025 years ago".
  static const auto kYear2 = sys::time_from_civil(2, 1, 1, 0, 0, 0);
  if (!t || *t < *kYear2) return std::nullopt;
  return t;
}

const Peer* exit_node_peer(const Status& s) {
  for (const auto& p : s.peers)
    if (s.exit_node_status ? p.id == s.exit_node_status->id : p.exit_node) return &p;
  return nullptr;
}

Status parse_status(std::string_view text) {
  json doc = parse_object(text);
  Fields f(doc, "");
  Status s;
  s.version = f.str("Version");
  s.tun = f.boolean("TUN");
  s.backend_state = f.str("BackendState");
  s.auth_url = f.str("AuthURL");
  s.tailscale_ips = f.strings("TailscaleIPs");
  s.self = parse_peer(f.child("Self"), "Self");
  s.health = f.strings("Health");
  s.magic_dns_suffix = f.str("MagicDNSSuffix");
  if (const json& ens = f.child("ExitNodeStatus"); !ens.is_null()) {
    Fields e(ens, "ExitNodeStatus");
    s.exit_node_status = ExitNodeStatus{e.str("ID"), e.boolean("Online"), host_addresses(e.strings("TailscaleIPs"))};
  }
  if (const json& tn = f.child("CurrentTailnet"); !tn.is_null()) {
    Fields t(tn, "CurrentTailnet");
    s.tailnet_name = t.str("Name");
    s.magic_dns_enabled = t.boolean("MagicDNSEnabled");
    if (auto suffix = t.str("MagicDNSSuffix"); !suffix.empty()) s.magic_dns_suffix = suffix;
  }
  if (const json& peers = f.child("Peer"); !peers.is_null()) {
    if (!peers.is_object()) f.fail("Peer", "an object", peers);
    s.peers.reserve(peers.size());
    for (const auto& [key, value] : peers.items()) s.peers.push_back(parse_peer(value, fmt::format("Peer[\"{}\"]", key)));
  }
  std::sort(s.peers.begin(), s.peers.end(), [](const Peer& a, const Peer& b) {
    return std::tie(a.dns_name, a.host_name, a.id) < std::tie(b.dns_name, b.host_name, b.id);
  });
  if (const json& users = f.child("User"); !users.is_null()) {
    if (!users.is_object()) f.fail("User", "an object", users);
    for (const auto& [key, value] : users.items()) {
      Fields u(value, fmt::format("User[\"{}\"]", key));
      s.users[u.integer("ID")] = User{u.str("LoginName"), u.str("DisplayName")};
    }
  }
  return s;
}

Prefs parse_prefs(std::string_view text) {
  json doc = parse_object(text);
  Fields f(doc, "");
  Prefs p;
  p.advertise_routes = f.strings("AdvertiseRoutes");
  p.advertise_tags = f.strings("AdvertiseTags");
  p.exit_node_id = f.str("ExitNodeID");
  p.exit_node_ip = f.str("ExitNodeIP");
  p.route_all = f.boolean("RouteAll");
  p.want_running = f.boolean("WantRunning");
  p.shields_up = f.boolean("ShieldsUp");
  p.run_ssh = f.boolean("RunSSH");
  p.corp_dns = f.boolean("CorpDNS");
  p.hostname = f.str("Hostname");
  return p;
}

} // namespace meshops::tailscale
