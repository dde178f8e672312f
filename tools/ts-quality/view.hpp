#pragma once
// ts-quality's renderings of its check report (meshops/checks/ts_quality.hpp): a table with a
// sparkline of the round trips, JSON (meshops/ts-quality/1) and Prometheus text.
#include "meshops/checks/ts_quality.hpp"
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts_quality {

using Report = meshops::checks::ts_quality::Report;

/// The round trips as one character each, ▁ (fastest) to █ (slowest), "·" for a lost probe.
std::string sparkline(const std::vector<meshops::monitor::Probe>& probes);

nlohmann::ordered_json to_json(const Report& r);
std::string to_text(const Report& r, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const Report& r);
/// For --plugin, the text of a verdict without reasons: "N peers ok (direct N)".
std::string ok_text(const Report& r);

} // namespace ts_quality
