#pragma once
// ts-status's renderings of its check report (meshops/checks/ts_status.hpp): text, JSON
// (schema meshops/ts-status/1), Prometheus and the plugin summary.
#include "meshops/checks/ts_status.hpp"
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts_status {

using Report = meshops::checks::ts_status::Report;

/// The peers' names, one a line, for shell completion: only names made of letters, digits,
/// '.', '_' and '-' (what a DNS label holds), so a shell never sees anything to expand.
std::string completion_names(const meshops::tailscale::Status& status);

nlohmann::ordered_json to_json(const Report& r);
std::string to_text(const Report& r, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const Report& r);
/// For --plugin, the text of a verdict without reasons: "Running, N/M peers online".
std::string ok_text(const Report& r);

} // namespace ts_status
