#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/tailscale/path_label.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace ts_status {
namespace {

using meshops::Exit;
using meshops::cli::Cell;
using meshops::cli::Style;
using meshops::tailscale::Connection;
using meshops::tailscale::Peer;
using meshops::tailscale::Status;
using json = nlohmann::ordered_json;

using meshops::tailscale::path_label;

bool is_exit_route(const std::string& r) { return r == "0.0.0.0/0" || r == "::/0"; }

/// Routes the control server approved for self: AllowedIPs minus the node's own addresses.
std::vector<std::string> approved_routes(const Status& s) {
  std::vector<std::string> out;
  for (const auto& r : s.self.allowed_ips) {
    bool own = false;
    for (const auto& ip : s.self.tailscale_ips)
      if (r == ip + "/32" || r == ip + "/128") own = true;
    if (!own) out.push_back(r);
  }
  return out;
}

bool contains_exit_route(const std::vector<std::string>& routes) {
  return std::any_of(routes.begin(), routes.end(), is_exit_route);
}

std::vector<std::string> subnet_routes(const std::vector<std::string>& routes) {
  std::vector<std::string> out;
  std::copy_if(routes.begin(), routes.end(), std::back_inserter(out), [](const auto& r) { return !is_exit_route(r); });
  return out;
}

std::string self_name(const Status& s) { return s.self.name(); }

std::string state_sentence(const std::string& state) {
  if (state == "Stopped") return "Tailscale is stopped.";
  if (state == "NeedsLogin") return "Logged out.";
  if (state == "NeedsMachineAuth") return "Machine is not yet approved by the tailnet admin.";
  if (state == "Starting") return "Tailscale is starting.";
  if (state.empty()) return "tailscaled reported no state.";
  return fmt::format("Tailscale is in state {}.", state);
}

json optional_time(const std::optional<meshops::tailscale::TimePoint>& t) {
  return t ? json(meshops::sys::format_utc(*t, /*with_millis=*/false)) : json(nullptr);
}

std::string connection_text(const Peer& p) {
  switch (p.connection()) {
  case Connection::direct: return "direct " + p.cur_addr;
  case Connection::derp_relay: return fmt::format("relay \"{}\"", p.relay);
  case Connection::peer_relay: return "peer-relay " + p.peer_relay;
  case Connection::idle: return "idle";
  }
  return "idle";
}

std::string last_seen_text(const Peer& p) {
  if (p.online) return "";
  if (!p.last_seen) return "unknown";
  auto age = std::chrono::duration_cast<std::chrono::seconds>(meshops::sys::Time::now() - *p.last_seen);
  return meshops::cli::human_age(age) + " ago";
}

std::string exit_text(const Peer& p) {
  if (p.exit_node) return "in use";
  if (p.exit_node_option) return "offered";
  return "";
}

std::string owner(const Status& s, const Peer& p) {
  auto it = s.users.find(p.user_id);
  return it == s.users.end() ? "" : it->second.login_name;
}

json peer_json(const Status& s, const Peer& p) {
  return {{"name", p.name()},
          {"dns_name", p.dns_name},
          {"host_name", p.host_name},
          {"id", p.id},
          {"public_key", p.public_key},
          {"tailscale_ips", p.tailscale_ips},
          {"os", p.os},
          {"owner", owner(s, p)},
          {"tags", p.tags},
          {"online", p.online},
          {"active", p.active},
          {"connection", meshops::tailscale::to_string(p.connection())},
          {"cur_addr", p.cur_addr.empty() ? json(nullptr) : json(p.cur_addr)},
          {"relay", p.relay.empty() ? json(nullptr) : json(p.relay)},
          {"peer_relay", p.peer_relay.empty() ? json(nullptr) : json(p.peer_relay)},
          {"rx_bytes", p.rx_bytes},
          {"tx_bytes", p.tx_bytes},
          {"last_seen", optional_time(p.last_seen)},
          {"last_handshake", optional_time(p.last_handshake)},
          {"last_write", optional_time(p.last_write)},
          {"key_expiry", optional_time(p.key_expiry)},
          {"expired", p.expired},
          {"exit_node", p.exit_node},
          {"exit_node_option", p.exit_node_option},
          {"primary_routes", p.primary_routes},
          {"allowed_ips", p.allowed_ips}};
}

} // namespace

json to_json(const Report& v) {
  const Status& s = v.status;
  json peers = json::array();
  for (const Peer* p : v.peers) peers.push_back(peer_json(s, *p));
  auto approved = approved_routes(s);
  std::vector<std::string> advertised = v.prefs ? v.prefs->advertise_routes : std::vector<std::string>{};
  json self = peer_json(s, s.self);
  self["exit_node_offered"] = v.prefs ? json(contains_exit_route(advertised)) : json(nullptr);
  self["exit_node_approved"] = contains_exit_route(approved);
  self["advertised_routes"] = v.prefs ? json(subnet_routes(advertised)) : json(nullptr);
  self["approved_routes"] = subnet_routes(approved);
  self["magic_dns_name"] = s.self.dns_name;
  json exit_node = nullptr;
  if (s.exit_node_status) {
    const Peer* p = meshops::tailscale::exit_node_peer(s);
    exit_node = {{"id", s.exit_node_status->id},
                 {"name", p ? json(p->name()) : json(nullptr)},
                 {"online", s.exit_node_status->online},
                 {"tailscale_ips", s.exit_node_status->tailscale_ips}};
  }
  std::size_t online = 0;
  for (const auto& p : s.peers) online += p.online;
  return {{"schema", "meshops/ts-status/1"},
          {"generated_at", meshops::sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false)},
          {"status", meshops::exit_name(v.verdict.state)},
          {"reasons", v.verdict.reasons},
          {"hint", v.verdict.hint.empty() ? json(nullptr) : json(v.verdict.hint)},
          {"backend_state", s.backend_state},
          {"version", s.version},
          {"tun", s.tun},
          {"auth_url", s.auth_url.empty() ? json(nullptr) : json(s.auth_url)},
          {"tailnet", {{"name", s.tailnet_name}, {"magic_dns_suffix", s.magic_dns_suffix}, {"magic_dns_enabled", s.magic_dns_enabled}}},
          {"self", self},
          {"health", s.health},
          {"exit_node", exit_node},
          {"peers_total", s.peers.size()},
          {"peers_online", online},
          {"peers", peers}};
}

std::string completion_names(const Status& status) {
  std::string out;
  for (const auto& p : status.peers) {
    auto name = p.name();
    bool safe = !name.empty() && name.front() != '-' && std::all_of(name.begin(), name.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
    });
    if (safe) out += name + "\n";
  }
  return out;
}

std::string to_text(const Report& v, const meshops::cli::Output& out) {
  using meshops::cli::paint;
  using meshops::cli::terminal_safe;
  const Status& s = v.status;
  std::string text;
  auto line = [&](const char* key, const std::string& value) {
    if (!value.empty()) text += fmt::format("{:<11}{}\n", key, value);
  };
  auto join = [](const std::vector<std::string>& items) { return terminal_safe(fmt::format("{}", fmt::join(items, ", "))); };

  if (s.backend_state != "Running") {
    text += paint(state_sentence(s.backend_state), Style::bad, out.color) + "\n";
    if (!s.auth_url.empty()) text += "Log in at: " + terminal_safe(s.auth_url) + "\n";
  }

  if (v.single) {
    const Peer& p = *v.peers.front();
    line("Peer:", terminal_safe(p.name()) + (p.dns_name.empty() ? "" : " (" + terminal_safe(p.dns_name) + ")"));
    line("Addresses:", join(p.tailscale_ips));
    line("OS:", terminal_safe(p.os));
    line("Owner:", terminal_safe(owner(s, p)));
    line("Tags:", join(p.tags));
    line("State:", paint(p.online ? "online" : "offline", p.online ? Style::good : Style::bad, out.color) +
                       (p.online ? "" : ", last seen " + last_seen_text(p)));
    line("Path:", terminal_safe(connection_text(p)));
    line("Traffic:", fmt::format("rx {}, tx {}", meshops::cli::human_bytes(static_cast<std::uint64_t>(p.rx_bytes)),
                                 meshops::cli::human_bytes(static_cast<std::uint64_t>(p.tx_bytes))));
    line("Exit node:", exit_text(p));
    line("Routes:", join(subnet_routes(p.primary_routes)));
    line("Node ID:", terminal_safe(p.id));
    return text;
  }

  // This node.
  line("Self:", terminal_safe(self_name(s)) + (s.self.dns_name.empty() ? "" : " (" + terminal_safe(s.self.dns_name) + ")"));
  line("State:", paint(s.backend_state, s.backend_state == "Running" ? Style::good : Style::bad, out.color));
  line("Addresses:", join(s.tailscale_ips));
  line("Version:", terminal_safe(s.version));
  auto approved = approved_routes(s);
  std::string exit_line;
  if (const Peer* p = meshops::tailscale::exit_node_peer(s))
    exit_line = fmt::format("using {} ({})", terminal_safe(p->name()),
                            paint(p->online ? "online" : "offline", p->online ? Style::good : Style::bad, out.color));
  else if (v.prefs && contains_exit_route(v.prefs->advertise_routes))
    exit_line = contains_exit_route(approved) ? "offered, approved" : "offered, awaiting approval";
  line("Exit node:", exit_line.empty() ? "none" : exit_line);
  if (v.prefs && !subnet_routes(v.prefs->advertise_routes).empty())
    line("Routes:", fmt::format("advertised {}; approved {}", join(subnet_routes(v.prefs->advertise_routes)),
                                subnet_routes(approved).empty() ? "none" : join(subnet_routes(approved))));
  line("Tags:", join(s.self.tags));
  if (!s.tailnet_name.empty())
    line("Tailnet:", fmt::format("{} (MagicDNS {})", terminal_safe(s.tailnet_name), s.magic_dns_enabled ? "on" : "off"));
  if (!s.self.public_key.empty() && !s.self.online)  // the verdict's warning: out of the map poll
    line("Control:", paint("not connected to the coordination server (peer states are stale)", Style::warn, out.color));
  if (!s.health.empty()) {
    text += paint("Health:", Style::warn, out.color) + "\n";
    for (const auto& h : s.health) text += "  - " + terminal_safe(h) + "\n";
  }
  if (s.peers.empty()) {
    if (out.legend) text += "\nNo peers.\n";
    return text;
  }

  meshops::cli::Table t({{"NAME", meshops::cli::Align::left, true},
                         {"IP"},
                         {"OS"},
                         {"STATE"},
                         {"CONNECTION", meshops::cli::Align::left, true, meshops::cli::Elide::middle},
                         {"RX", meshops::cli::Align::right},
                         {"TX", meshops::cli::Align::right},
                         {"LAST SEEN"},
                         {"EXIT"}});
  for (const Peer* p : v.peers) {
    auto conn = p->connection();
    Style conn_style = conn == Connection::direct ? Style::good : conn == Connection::idle ? Style::dim : Style::warn;
    t.add_row({p->name(), p->tailscale_ips.empty() ? "" : p->tailscale_ips.front(), p->os,
               Cell(p->online ? "online" : "offline", p->online ? Style::good : Style::bad),
               Cell(connection_text(*p), conn_style), meshops::cli::human_bytes(static_cast<std::uint64_t>(p->rx_bytes)),
               meshops::cli::human_bytes(static_cast<std::uint64_t>(p->tx_bytes)), last_seen_text(*p), exit_text(*p)});
  }
  text += "\n" + t.render(out);
  if (out.legend) {
    std::size_t online = 0;
    for (const Peer* p : v.peers) online += p->online;
    text += fmt::format("\n{} peer{} listed, {} online.\n", v.peers.size(), v.peers.size() == 1 ? "" : "s", online);
  }
  return text;
}

std::vector<meshops::cli::Metric> to_prom(const Report& v) {
  const Status& s = v.status;
  using meshops::cli::Metric;
  using meshops::tailscale::PathKind;
  const Peer* exit = nullptr;
  for (const auto& p : s.peers)
    if (p.exit_node) exit = &p;
  std::string exit_name = exit ? exit->name() : "";
  Metric info{"meshops_ts_status_info", "This node: its name, tailscale version, tailnet and the exit node it uses (\"\" for none).",
              "gauge",
              {{{{"self", s.self.name()}, {"version", s.version},
                 {"tailnet", s.tailnet_name.empty() ? s.magic_dns_suffix : s.tailnet_name}, {"exit_node", exit_name}},
                1.0}}};
  Metric running{"meshops_ts_status_running", "Whether tailscaled's backend state is Running.", "gauge",
                 {{{{"backend_state", s.backend_state}}, s.backend_state == "Running" ? 1.0 : 0.0}}};
  std::size_t online = 0;
  for (const auto& p : s.peers) online += p.online;
  Metric total{"meshops_ts_status_peers", "Peers in the tailnet.", "gauge", {{{}, static_cast<double>(s.peers.size())}}};
  Metric on{"meshops_ts_status_peers_online", "Peers connected to the control server.", "gauge", {{{}, static_cast<double>(online)}}};
  Metric health{"meshops_ts_status_health_warnings", "tailscaled's health warnings.", "gauge",
                {{{}, static_cast<double>(s.health.size())}}};
  std::vector<Metric> out{info, running, total, on, health};
  if (exit)
    out.push_back({"meshops_ts_status_exit_node_online", "Whether the exit node in use is online (0: exit traffic is blackholed).",
                   "gauge", {{{{"exit_node", exit_name}}, exit->online ? 1.0 : 0.0}}});
  if (!v.primary_exit_node.empty()) {
    const Peer* primary = meshops::tailscale::find_peer(s, v.primary_exit_node);
    bool on_primary = primary && primary->exit_node;
    out.push_back({"meshops_ts_status_exit_node_failed_over",
                   "1 when the exit node in use is not the primary of monitoring.exitNodes (a failover, or none).", "gauge",
                   {{{{"primary", primary ? primary->name() : v.primary_exit_node}, {"exit_node", exit_name}},
                     on_primary ? 0.0 : 1.0}}});
  }
  Metric peer_info{"meshops_ts_status_peer_info", "A peer's Tailscale address and OS.", "gauge", {}};
  Metric peer_online{"meshops_ts_status_peer_online", "Whether the peer is online.", "gauge", {}};
  Metric peer_path{"meshops_ts_status_peer_path",
                   "The path traffic to an active peer takes (tailscale's path words: direct_ipv4, direct_ipv6, derp, "
                   "peer_relay_ipv4, peer_relay_ipv6); no series while idle.",
                   "gauge", {}};
  Metric rx{"meshops_ts_status_peer_rx_bytes_total", "Bytes received from the peer.", "counter", {}};
  Metric tx{"meshops_ts_status_peer_tx_bytes_total", "Bytes sent to the peer.", "counter", {}};
  for (const Peer* p : v.peers) {
    std::vector<std::pair<std::string, std::string>> labels{{"peer", p->name()}};
    peer_info.samples.push_back(
        {{{"peer", p->name()}, {"ip", p->tailscale_ips.empty() ? "" : p->tailscale_ips.front()}, {"os", p->os}}, 1.0});
    peer_online.samples.push_back({labels, p->online ? 1.0 : 0.0});
    switch (p->connection()) {
    case Connection::direct: peer_path.samples.push_back({{{"peer", p->name()}, {"path", path_label(PathKind::direct, p->cur_addr)}}, 1.0}); break;
    case Connection::peer_relay:
      peer_path.samples.push_back({{{"peer", p->name()}, {"path", path_label(PathKind::peer_relay, p->peer_relay)}}, 1.0});
      break;
    case Connection::derp_relay: peer_path.samples.push_back({{{"peer", p->name()}, {"path", "derp"}}, 1.0}); break;
    case Connection::idle: break;
    }
    rx.samples.push_back({labels, static_cast<double>(p->rx_bytes)});
    tx.samples.push_back({labels, static_cast<double>(p->tx_bytes)});
  }
  for (auto* m : {&peer_info, &peer_online, &peer_path, &rx, &tx}) out.push_back(std::move(*m));
  return out;
}

std::string ok_text(const Report& v) {
  std::size_t online = 0;
  for (const auto& p : v.status.peers) online += p.online;
  return fmt::format("{}, {}/{} peers online", v.status.backend_state, online, v.status.peers.size());
}

} // namespace ts_status
