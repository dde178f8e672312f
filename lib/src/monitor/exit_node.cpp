#include "meshops/monitor/exit_node.hpp"

#include "meshops/error.hpp"
#include "meshops/monitor/quality.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace meshops::monitor {

std::string current_exit_node(const tailscale::Status& status) {
  if (!status.exit_node_status) return {};
  if (const auto* p = tailscale::exit_node_peer(status)) return p->name();
  return status.exit_node_status->id;
}

std::string exit_node_ip(const tailscale::Status& status, const std::string& name) {
  auto targets = resolve_targets(status, {name});
  if (targets.empty() || targets.front().ip.empty())
    throw Error(Exit::unknown, fmt::format("exit node {}: no such peer", name));
  return targets.front().ip;
}

std::string exit_node_patch(const std::string& ip) {
  // ExitNodeID is cleared in the same call, so the IP decides (notes 2.3).
  nlohmann::ordered_json body{{"ExitNodeID", ""}, {"ExitNodeIDSet", true}, {"ExitNodeIP", ip}, {"ExitNodeIPSet", true}};
  return body.dump();
}

void set_exit_node(const tailscale::LocalApi& api, const std::string& name) {
  std::string ip = name.empty() ? std::string() : exit_node_ip(api.status(), name);
  api.send("PATCH", "prefs", exit_node_patch(ip));
}

} // namespace meshops::monitor
