#pragma once
// ts-quality's renderings of one measurement: a table with a sparkline of the round trips,
// JSON (meshops/ts-quality/1) and Prometheus text.
#include "netcheck.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/monitor/quality.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ts_quality {

struct Result {
  meshops::monitor::QualityReport report;
  std::optional<Netcheck> netcheck;  ///< nullopt with --no-netcheck
};

/// The round trips as one character each, ▁ (fastest) to █ (slowest), "·" for a lost probe.
std::string sparkline(const std::vector<meshops::monitor::Probe>& probes);

nlohmann::ordered_json to_json(const Result& r);
std::string to_text(const Result& r, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const Result& r);

} // namespace ts_quality
