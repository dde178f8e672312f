#pragma once
// Choosing the exit node through tailscaled's LocalAPI, as `tailscale set --exit-node` does:
// PATCH /prefs with ExitNodeIP (write permission: root, tailscaled's own uid, or its operator).
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/status.hpp"

#include <string>

namespace meshops::monitor {

/// The name of the exit node in use per status ("" for none): the peer's name when it is a
/// peer, else the ID.
std::string current_exit_node(const tailscale::Status& status);

/// The Tailscale IPv4 address of the peer called name (or with that IP). Throws meshops::Error
/// (Exit::unknown) when no peer matches.
std::string exit_node_ip(const tailscale::Status& status, const std::string& name);

/// The PATCH body for using ip as exit node ("" clears it). Pure.
std::string exit_node_patch(const std::string& ip);

/// Uses the peer called name as exit node, or none for "". Throws meshops::Error
/// (Exit::unknown) when tailscaled refuses or cannot be reached.
void set_exit_node(const tailscale::LocalApi& api, const std::string& name);

} // namespace meshops::monitor
