#include "meshops/tailscale/bus_events.hpp"

#include <fmt/format.h>

namespace meshops::tailscale {
namespace {

// The path a peer's traffic takes, or "" while idle: idle says nothing about the path, so
// direct -> idle -> direct is no switch.
std::string path_of(const Peer& p) {
  switch (p.connection()) {
  case Connection::direct: return "direct";
  case Connection::derp_relay: return fmt::format("relay \"{}\"", p.relay);
  case Connection::peer_relay: return fmt::format("peer-relay {}", p.peer_relay);
  case Connection::idle: break;
  }
  return {};
}

std::string exit_node_name(const Status& s) {
  if (!s.exit_node_status) return {};
  if (const Peer* p = exit_node_peer(s)) return p->name();
  return s.exit_node_status->tailscale_ips.empty() ? s.exit_node_status->id : s.exit_node_status->tailscale_ips.front();
}

std::string or_none(const std::string& s) { return s.empty() ? "none" : s; }

std::string key_of(const Peer& p) { return p.id.empty() ? p.public_key : p.id; }

} // namespace

std::vector<DerivedEvent> StatusTracker::update(const Status& status) {
  std::vector<DerivedEvent> out;
  // Only a Running backend has a netmap to compare: a restarted tailscaled is NoState or
  // Starting with no peers until its first netmap. Its peers, path and exit node are the last
  // Running view's until then, so the restart itself yields no peer event.
  if (baseline_ && status.backend_state != backend_state_)
    out.push_back({"backend_state_changed", "", backend_state_, status.backend_state,
                   fmt::format("backend state {} -> {}", or_none(backend_state_), or_none(status.backend_state))});
  backend_state_ = status.backend_state;
  if (baseline_ && status.backend_state != "Running") return out;
  std::string exit_node = exit_node_name(status);
  std::map<std::string, PeerView> peers;
  for (const auto& p : status.peers) {
    // An offline peer has no path: its last one stands until it is back.
    PeerView v{p.name(), p.online, p.online ? path_of(p) : std::string()};
    if (auto old = peers_.find(key_of(p)); old != peers_.end() && v.path.empty()) v.path = old->second.path;
    peers[key_of(p)] = v;
  }
  if (baseline_) {
    if (status.self.relay != derp_home_ && !status.self.relay.empty())
      out.push_back({"derp_home_changed", "", derp_home_, status.self.relay,
                     fmt::format("DERP home {} -> {}", or_none(derp_home_), status.self.relay)});
    if (exit_node != exit_node_)
      out.push_back({"exit_node_changed", exit_node, exit_node_, exit_node,
                     fmt::format("exit node {} -> {}", or_none(exit_node_), or_none(exit_node))});
    for (const auto& [id, now] : peers) {
      auto old = peers_.find(id);
      if (old == peers_.end()) {
        if (now.online) out.push_back({"peer_online", now.name, "", "online", fmt::format("{}: joined, online", now.name)});
        continue;
      }
      if (old->second.online != now.online)
        out.push_back({now.online ? "peer_online" : "peer_offline", now.name, old->second.online ? "online" : "offline",
                       now.online ? "online" : "offline", fmt::format("{}: {}", now.name, now.online ? "online" : "offline")});
      if (!old->second.path.empty() && !now.path.empty() && old->second.path != now.path)
        out.push_back({"path_changed", now.name, old->second.path, now.path,
                       fmt::format("{}: path {} -> {}", now.name, old->second.path, now.path)});
    }
    for (const auto& [id, old] : peers_)
      if (!peers.count(id) && old.online)
        out.push_back({"peer_offline", old.name, "online", "removed", fmt::format("{}: removed from the netmap", old.name)});
  }
  // An empty DERP home (between netmaps) is not a change to report later as "-> X".
  if (!status.self.relay.empty()) derp_home_ = status.self.relay;
  exit_node_ = exit_node;
  peers_ = std::move(peers);
  baseline_ = true;
  return out;
}

std::vector<DerivedEvent> StatusTracker::update_health(const std::vector<HealthWarning>& warnings) {
  std::vector<DerivedEvent> out;
  std::map<std::string, HealthWarning> now;
  for (const auto& w : warnings) now[w.code] = w;
  if (health_baseline_) {
    for (const auto& [code, w] : now) {
      auto old = health_.find(code);
      if (old == health_.end() || old->second.text != w.text)
        out.push_back({"health_warning", "", "", code, fmt::format("health: {}: {}", code, w.text.empty() ? w.title : w.text)});
    }
    for (const auto& [code, w] : health_)
      if (!now.count(code)) out.push_back({"health_ok", "", code, "", fmt::format("health: {}: ok", code)});
  }
  health_ = std::move(now);
  health_baseline_ = true;
  return out;
}

} // namespace meshops::tailscale
