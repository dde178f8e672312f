#pragma once
// meshops-health's renderings of one run: a line per check and the overall line, the JSON
// document (meshops/meshops-health/1), its metrics followed by every check's own, and the
// plugin's verdict and words.
#include "health.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/checks/verdict.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace health {

/// "STATE     CHECK       REASON" per check, then (with the legend) "STATE: SUMMARY", e.g.
/// "CRITICAL: 1 critical, 1 unknown of 2 checks" or "OK: all 4 checks ok". Reasons escaped.
std::string to_text(const Health& h, const meshops::cli::Output& out);
nlohmann::ordered_json to_json(const Health& h);
/// meshops_health_check_state{check}, meshops_health_check_duration_seconds{check}, then every
/// check's own metrics (cli::emit adds meshops_health_state, _up, _last_run_timestamp_seconds).
std::vector<meshops::cli::Metric> to_prom(const Health& h);
/// The run's state with a reason per check not ok, worst first ("CHECK: reason"): the JSON's
/// reasons and --plugin's lines.
meshops::checks::Verdict to_verdict(const Health& h);
/// For --plugin, the text of a verdict without reasons: "all N checks ok".
std::string ok_text(const Health& h);

} // namespace health
