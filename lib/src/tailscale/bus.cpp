#include "meshops/tailscale/bus.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string string_at(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (!v) return {};
  if (!v->is_string()) throw std::runtime_error(fmt::format("{}{}: expected a string, got {}", path, key, v->type_name()));
  return v->get<std::string>();
}

std::int64_t integer_at(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (!v) return 0;
  if (!v->is_number_integer()) throw std::runtime_error(fmt::format("{}{}: expected an integer, got {}", path, key, v->type_name()));
  return v->get<std::int64_t>();
}

std::vector<HealthWarning> parse_warnings(const json& health) {
  std::vector<HealthWarning> out;
  const json* warnings = member(health, "Warnings");
  if (!warnings) return out;
  if (!warnings->is_object()) throw std::runtime_error(fmt::format("Health.Warnings: expected an object, got {}", warnings->type_name()));
  for (const auto& [code, w] : warnings->items()) {
    auto path = fmt::format("Health.Warnings[\"{}\"].", code);
    if (!w.is_object()) continue;  // a null entry is a warning that cleared
    out.push_back({code, string_at(w, "Severity", path), string_at(w, "Title", path), string_at(w, "Text", path)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  return out;
}

} // namespace

std::string backend_state_name(std::int64_t n) {
  static constexpr const char* kNames[] = {"NoState", "InUseOtherUser", "NeedsLogin", "NeedsMachineAuth",
                                           "Stopped", "Starting", "Running"};
  if (n >= 0 && n < static_cast<std::int64_t>(std::size(kNames))) return kNames[n];
  return fmt::format("State({})", n);
}

Notify parse_notify(std::string_view line) {
  json doc;
  try {
    doc = json::parse(line);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(fmt::format("not JSON: {}", e.what()));
  }
  if (!doc.is_object()) throw std::runtime_error(fmt::format("expected an object, got {}", doc.type_name()));
  Notify n;
  n.version = string_at(doc, "Version", "");
  n.session_id = string_at(doc, "SessionID", "");
  if (member(doc, "ErrMessage")) n.err_message = string_at(doc, "ErrMessage", "");
  if (member(doc, "State")) n.state = backend_state_name(integer_at(doc, "State", ""));
  if (member(doc, "BrowseToURL")) n.browse_to_url = string_at(doc, "BrowseToURL", "");
  n.login_finished = member(doc, "LoginFinished") != nullptr;
  if (const json* prefs = member(doc, "Prefs")) {
    n.has_prefs = true;
    n.exit_node_id = string_at(*prefs, "ExitNodeID", "Prefs.");
    n.exit_node_ip = string_at(*prefs, "ExitNodeIP", "Prefs.");
  }
  n.has_netmap = member(doc, "NetMap") != nullptr;
  if (const json* engine = member(doc, "Engine")) {
    n.has_engine = true;
    n.engine_live_peers = integer_at(*engine, "NumLive", "Engine.");
    n.engine_live_derps = integer_at(*engine, "LiveDERPs", "Engine.");
  }
  if (const json* health = member(doc, "Health")) {
    n.has_health = true;
    n.health = parse_warnings(*health);
  }
  return n;
}

} // namespace meshops::tailscale
