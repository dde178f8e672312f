#pragma once
// ts-quality's renderings of one measurement: a table with a sparkline of the round trips,
// JSON (meshops/ts-quality/1) and Prometheus text.
#include "netcheck.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/error.hpp"
#include "meshops/monitor/quality.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ts_quality {

struct Result {
  meshops::monitor::QualityReport report;
  std::optional<Netcheck> netcheck;  ///< nullopt with --no-netcheck
  /// Set when the run could not measure at all (this node Stopped: critical; tailscaled
  /// unreachable, an unknown --peer: unknown), with why in reasons. ok: the report decides.
  meshops::Exit failure = meshops::Exit::ok;
  std::vector<std::string> reasons;  ///< why nothing was measured, one line each
  /// The check's state: the failure, else the verdict's exit code (at least unknown when the
  /// run was interrupted).
  meshops::Exit code() const;
};

/// The round trips as one character each, ▁ (fastest) to █ (slowest), "·" for a lost probe.
std::string sparkline(const std::vector<meshops::monitor::Probe>& probes);

nlohmann::ordered_json to_json(const Result& r);
std::string to_text(const Result& r, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const Result& r);
/// For --plugin: "N peers ok (direct N)", and a reason per peer not ok ("other-server: down").
meshops::cli::Summary to_summary(const Result& r);

} // namespace ts_quality
