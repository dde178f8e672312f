#pragma once
// ts-status's view of tailscaled's state: which peers to show, the check result, and the
// three renderings (text, JSON schema meshops/ts-status/1, Prometheus).
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/error.hpp"
#include "meshops/tailscale/status.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ts_status {

struct Filters {
  std::string peer;      ///< --peer NAME|IP: one peer, in detail
  bool online = false;   ///< --online
  bool offline = false;  ///< --offline
  std::string tag;       ///< --tag TAG
  bool exit_nodes = false;  ///< --exit-nodes
};

struct View {
  meshops::tailscale::Status status;
  std::optional<meshops::tailscale::Prefs> prefs;  ///< absent when /prefs was refused
  std::vector<const meshops::tailscale::Peer*> peers;  ///< after the filters
  bool single = false;  ///< --peer: detail view
  meshops::Exit code = meshops::Exit::ok;
  std::vector<std::string> reasons;  ///< why code is not ok, one line each
  std::string primary_exit_node;  ///< monitoring.exitNodes[0], "" when none: for the failover metric
};

/// Applies the filters and decides the exit code. Throws meshops::Error (unknown) for a
/// --peer that matches nothing.
View make_view(meshops::tailscale::Status status, std::optional<meshops::tailscale::Prefs> prefs, const Filters& f);

/// The view of a run that could not read tailscaled (or found no --peer): the error's code
/// and message as the state and reason, nothing else known.
View failed_view(const meshops::Error& e);

/// The peers' names, one a line, for shell completion: only names made of letters, digits,
/// '.', '_' and '-' (what a DNS label holds), so a shell never sees anything to expand.
std::string completion_names(const meshops::tailscale::Status& status);

nlohmann::ordered_json to_json(const View& v);
std::string to_text(const View& v, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const View& v);
/// For --plugin: "Running, N/M peers online", and the reasons.
meshops::cli::Summary to_summary(const View& v);

} // namespace ts_status
