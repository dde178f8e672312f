#include "meshops/tailscale/log_events.hpp"

#include <fmt/format.h>

namespace meshops::tailscale {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// The text between `after` and the next `until` (or the end), "" when `after` is absent.
std::string_view between(std::string_view s, std::string_view after, std::string_view until) {
  auto a = s.find(after);
  if (a == std::string_view::npos) return {};
  s.remove_prefix(a + after.size());
  return s.substr(0, s.find(until));
}

/// "[WQJ2n]" at the start of s (tailscaled's short node key), "" when not there.
std::string short_key_at(std::string_view s) {
  if (s.size() < 7 || s[0] != '[' || s[6] != ']') return {};
  return std::string(s.substr(0, 7));
}

std::string peer_name(const PeerIndex& index, const std::string& key) {
  auto name = index.find(key);
  return name.empty() ? key : name;
}

std::string or_none(const std::string& s) { return s.empty() ? "none" : s; }

} // namespace

std::vector<DerivedEvent> LogEventTracker::update(std::string_view m, const PeerIndex& index) {
  std::vector<DerivedEvent> out;
  auto control = [&](bool up, std::string why) {
    if (control_ == (up ? 1 : 0)) return;
    std::string from = control_ < 0 ? "" : control_ ? "connected" : "disconnected";
    control_ = up ? 1 : 0;
    out.push_back({up ? "control_connected" : "control_disconnected", "", from, up ? "connected" : "disconnected",
                   std::move(why)});
  };
  auto online = [&](const std::string& key, const std::string& why) {
    if (!peer_offline_.erase(key)) return;
    auto name = peer_name(index, key);
    out.push_back({"peer_online", name, "offline", "online", fmt::format("{}: online ({})", name, why)});
  };

  if (starts_with(m, "Switching ipn state ")) {
    auto from = std::string(between(m, "Switching ipn state ", " -> "));
    auto to = std::string(between(m, " -> ", " "));
    if (!to.empty() && to != backend_state_) {
      out.push_back({"backend_state_changed", "", from, to, fmt::format("backend state {} -> {}", or_none(from), to)});
      backend_state_ = to;
    }
  } else if (starts_with(m, "magicsock: home is now derp-")) {
    auto code = std::string(between(m, " (", ")"));
    if (code.empty()) code = std::string(between(m, "home is now ", " "));
    if (!code.empty() && code != derp_home_) {
      out.push_back({"derp_home_changed", "", derp_home_, code, fmt::format("DERP home {} -> {}", or_none(derp_home_), code)});
      derp_home_ = code;
    }
  } else if (starts_with(m, "magicsock: derp-") && m.find(" connected; connGen=") != std::string_view::npos) {
    auto region = std::string(between(m, "magicsock: ", " "));
    if (derp_connected_.insert(region).second)
      out.push_back({"derp_connected", "", "", region, fmt::format("connected to DERP {}", region)});
  } else if (starts_with(m, "magicsock: closing connection to derp-")) {
    auto region = std::string(between(m, "closing connection to ", " "));
    auto why = std::string(between(m, "(", ")"));
    // Said also when the connect came before the part of the log read.
    derp_connected_.erase(region);
    if (!region.empty())
      out.push_back({"derp_disconnected", "", region, "", fmt::format("disconnected from DERP {} ({})", region, why)});
  } else if (starts_with(m, "magicsock: disco: node ")) {
    auto rest = m.substr(std::string_view("magicsock: disco: node ").size());
    auto key = short_key_at(rest);
    auto addr = std::string(between(rest, " now using ", " "));
    if (!key.empty() && !addr.empty()) {
      online(key, "answers disco");
      auto path = "direct " + addr;
      auto& last = peer_path_[key];
      if (last != path) {
        auto name = peer_name(index, key);
        out.push_back({"path_changed", name, last.empty() ? "" : "direct", "direct",
                       fmt::format("{}: path {}-> {}", name, last.empty() ? "" : last + " ", path)});
        last = path;
      }
    }
  } else if (starts_with(m, "magicsock: derp-") && m.find(" does not know about peer ") != std::string_view::npos) {
    auto key = short_key_at(between(m, " does not know about peer ", ","));
    if (!key.empty() && peer_offline_.insert(key).second) {
      auto name = peer_name(index, key);
      auto region = std::string(between(m, "magicsock: ", " "));
      out.push_back({"peer_offline", name, "online", "offline", fmt::format("{}: offline (gone from DERP {})", name, region)});
      peer_path_.erase(key);
    }
  } else if (starts_with(m, "open-conn-track: timeout opening ") && m.find("; online=no") != std::string_view::npos) {
    // A connection to the peer got no answer, and control's last word on it was offline.
    auto key = short_key_at(between(m, " to node ", ";"));
    if (!key.empty() && peer_offline_.insert(key).second) {
      auto name = peer_name(index, key);
      out.push_back({"peer_offline", name, "online", "offline", fmt::format("{}: offline (no answer; control says offline)", name)});
      peer_path_.erase(key);
    }
  } else if (starts_with(m, "wgengine: Reconfig: [") && m.find(" changed from \"discokey:") != std::string_view::npos) {
    auto key = short_key_at(m.substr(std::string_view("wgengine: Reconfig: ").size()));
    if (!key.empty()) online(key, "restarted with a new disco key");
  } else if (starts_with(m, "health(warnable=")) {
    auto code = std::string(between(m, "health(warnable=", ")"));
    auto rest = between(m, "): ", "\n");
    bool ok = rest == "ok";
    if (code == "not-in-map-poll") control(ok, ok ? "in the control server's map poll again" : "not in the control server's map poll");
    if (ok) {
      if (health_.erase(code)) out.push_back({"health_ok", "", code, "", fmt::format("health: {}: ok", code)});
    } else if (starts_with(rest, "error: ")) {
      auto text = std::string(rest.substr(7));
      auto it = health_.find(code);
      if (it == health_.end() || it->second != text) {
        health_[code] = text;
        out.push_back({"health_warning", "", "", code, fmt::format("health: {}: {}", code, text)});
      }
    }
  } else if (starts_with(m, "control: client.Shutdown")) {
    control(false, "control client shut down");
  } else if (starts_with(m, "control: RegisterReq: got response")) {
    control(true, "registered with the control server");
  }
  return out;
}

} // namespace meshops::tailscale
