#pragma once
// ts-status's check: tailscaled's state read once (/status and /prefs at once), the peers the
// filters select, and the verdict: CRITICAL when the backend is not Running or the exit node in
// use is gone or expired, WARNING for health warnings, control unreachable (Self.Online false),
// every peer offline, or a selected peer offline or expired, UNKNOWN (with the hint) when
// tailscaled cannot be read. tools/ts-status and meshops-health render this report.
#include "meshops/checks/verdict.hpp"
#include "meshops/error.hpp"
#include "meshops/tailscale/status.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace meshops::checks::ts_status {

struct Filters {
  std::string peer;         ///< --peer NAME|IP: one peer, in detail
  bool online = false;      ///< --online
  bool offline = false;     ///< --offline
  std::string tag;          ///< --tag TAG
  bool exit_nodes = false;  ///< --exit-nodes
};

struct Options {
  std::string socket;  ///< tailscaled's LocalAPI socket, resolved (tailscale::resolve_socket)
  std::chrono::milliseconds timeout{5000};
  Filters filters;
  std::string primary_exit_node;  ///< monitoring.exitNodes[0], "" when none: for the failover metric
};

/// Holds pointers into its own status: move it, do not copy it.
struct Report {
  tailscale::Status status;
  std::optional<tailscale::Prefs> prefs;  ///< absent when /prefs was refused
  std::vector<const tailscale::Peer*> peers;  ///< after the filters
  bool single = false;  ///< --peer: detail view
  Verdict verdict;
  std::string primary_exit_node;
  /// Set when tailscaled could not be read or --peer matched nothing: nothing else is known,
  /// the verdict is the error's.
  std::optional<Error> error;
  /// The error is tailscaled's socket absent or refusing (LocalApiError's Cause::unreachable):
  /// not running. meshops-health calls the host's tailnet down for it.
  bool tailscaled_down = false;

  Report() = default;
  Report(Report&&) = default;
  Report& operator=(Report&&) = default;
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;
};

/// Applies the filters and decides the verdict. Throws meshops::Error (unknown) for a --peer
/// that matches nothing.
Report evaluate(tailscale::Status status, std::optional<tailscale::Prefs> prefs, const Filters& f);

/// The report of a run that could not read tailscaled (or found no --peer).
Report failed(const Error& e);

/// Reads tailscaled and evaluates: never throws meshops::Error, a failure is the report's.
Report collect(const Options& o);

} // namespace meshops::checks::ts_status
