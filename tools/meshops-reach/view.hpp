#pragma once
// meshops-reach's views of the walk: the layer table and its conclusion, JSON
// (meshops/meshops-reach/1), and the matrix.
#include "meshops/checks/reach.hpp"
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meshops_reach {

std::string to_text(const meshops::checks::reach::Report& r, const meshops::cli::Output& out, bool verbose);
nlohmann::ordered_json to_json(const meshops::checks::reach::Report& r);

std::string to_text(const std::vector<meshops::checks::reach::Report>& reports, const meshops::cli::Output& out);
nlohmann::ordered_json to_json(const std::vector<meshops::checks::reach::Report>& reports, meshops::Exit state);

std::string to_text(const std::vector<meshops::checks::reach::PolicyTestResult>& results, meshops::Exit state,
                        const meshops::cli::Output& out);
nlohmann::ordered_json to_json(const std::vector<meshops::checks::reach::PolicyTestResult>& results, meshops::Exit state,
                                   const std::string& file);

std::string to_text(const std::vector<meshops::checks::reach::IntentFinding>& findings,
                       const std::vector<meshops::checks::reach::Report>& reports, meshops::Exit state,
                       const meshops::cli::Output& out);
nlohmann::ordered_json to_json(const std::vector<meshops::checks::reach::IntentFinding>& findings,
                                  const std::vector<meshops::checks::reach::Report>& reports, meshops::Exit state);
std::vector<meshops::cli::Metric> to_prom(const std::vector<meshops::checks::reach::IntentFinding>& findings,
                                                const std::vector<meshops::checks::reach::Report>& reports);
/// The findings' verdict: the worst of their severities, a reason per finding, the worst first.
meshops::checks::Verdict to_verdict(const std::vector<meshops::checks::reach::IntentFinding>& findings);
/// For --plugin, the text of a verdict without reasons: "N pairs agree with allowFrom".
std::string ok_text(const std::vector<meshops::checks::reach::Report>& reports);

} // namespace meshops_reach
