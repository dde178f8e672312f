#include "meshops/tailscale/bus.hpp"

#include "json_fields.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;

using detail::Fields;

std::vector<HealthWarning> parse_warnings(const Fields& health) {
  std::vector<HealthWarning> out;
  const json& warnings = health.child("Warnings");
  if (warnings.is_null()) return out;
  if (!warnings.is_object()) health.fail("Warnings", "an object", warnings);
  for (const auto& [code, w] : warnings.items()) {
    if (!w.is_object()) continue;  // a null entry is a warning that cleared
    Fields f(w, fmt::format("Health.Warnings[\"{}\"]", code));
    out.push_back({code, f.str("Severity"), f.str("Title"), f.str("Text")});
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
  json doc = detail::parse_object(line);
  Fields f(doc, "");
  Notify n;
  n.version = f.str("Version");
  n.session_id = f.str("SessionID");
  if (f.has("ErrMessage")) n.err_message = f.str("ErrMessage");
  if (f.has("State")) n.state = backend_state_name(f.integer("State"));
  if (f.has("BrowseToURL")) n.browse_to_url = f.str("BrowseToURL");
  n.login_finished = f.has("LoginFinished");
  if (f.has("Prefs")) {
    Fields prefs(f.child("Prefs"), "Prefs");
    n.has_prefs = true;
    n.exit_node_id = prefs.str("ExitNodeID");
    n.exit_node_ip = prefs.str("ExitNodeIP");
  }
  n.has_netmap = f.has("NetMap");
  if (f.has("Engine")) {
    Fields engine(f.child("Engine"), "Engine");
    n.has_engine = true;
    n.engine_live_peers = engine.integer("NumLive");
    n.engine_live_derps = engine.integer("LiveDERPs");
  }
  if (f.has("Health")) {
    n.has_health = true;
    n.health = parse_warnings(Fields(f.child("Health"), "Health"));
  }
  return n;
}

} // namespace meshops::tailscale
