#pragma once
// ts-quality's check: latency, jitter, loss and path to tailnet peers, all pinged at once
// through tailscaled, with `tailscale netcheck` run beside the pings. The verdict: CRITICAL
// when this node is not Running, a peer is down or every peer is offline, WARNING when one is
// degraded (each peer not ok is a reason), UNKNOWN when tailscaled cannot be read, the netmap
// has no peer or the run was interrupted before the end.
// tools/ts-quality and meshops-health render this report.
#include "meshops/checks/verdict.hpp"
#include "meshops/error.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/tailscale/netcheck.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshops::checks::ts_quality {

struct Options {
  std::string socket;  ///< tailscaled's LocalAPI socket, resolved (tailscale::resolve_socket)
  std::chrono::milliseconds timeout{5000};  ///< of each LocalAPI call (and of netcheck, at least)
  std::vector<std::string> peers;  ///< whom to measure; empty: every online peer (monitor::check_targets)
  monitor::QualityOptions quality;  ///< count, interval, type, thresholds; its stop ends the run early
  bool netcheck = true;             ///< run `tailscale netcheck` beside the pings
  std::string tailscale;            ///< the CLI for netcheck; empty: looked up in PATH
  /// Called as each probe ends with the probes ended, their total and the number of peers.
  std::function<void(std::size_t ended, std::size_t total, std::size_t peers)> on_progress;
};

struct Report {
  monitor::QualityReport measurement;
  std::optional<tailscale::Netcheck> netcheck;  ///< nullopt without netcheck
  Verdict verdict;
  /// Set when the run could not measure (tailscaled unreachable, an unknown peer, no peer
  /// online): the verdict is the error's.
  std::optional<Error> error;
  /// The error is tailscaled's socket absent or refusing (LocalApiError's Cause::unreachable):
  /// not running. meshops-health calls the host's tailnet down for it.
  bool tailscaled_down = false;
};

/// The verdict of what was measured: the measurement's exit code, at least UNKNOWN when it
/// was interrupted (part of a run cannot say all is well; what it found wrong still counts);
/// its reasons: each peer down, then each degraded ("NAME: VERDICT (WHY, ...)"), then the interruption.
Verdict conclude(const monitor::QualityReport& m);

/// Measures: never throws meshops::Error, a failure is the report's (with what was measured).
Report collect(const Options& o);

} // namespace meshops::checks::ts_quality
