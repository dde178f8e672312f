#pragma once
// nginx-test's renderings of its check report (meshops/checks/nginx_test.hpp): the human
// tables, the JSON document (meshops/nginx-test/1) and the Prometheus metrics. JSON and metrics
// come from the Report, never from the tables.
#include "meshops/checks/nginx_test.hpp"
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace nginx_test {

using Report = meshops::checks::nginx_test::Report;

/// The JSON document: schema first, status, reasons, hint, problem, syntax_ok, nginx,
/// diagnostics, skipped, checks.
nlohmann::ordered_json to_json(const Report& r);

/// Diagnostics (all with verbose, else those of level warn and worse) and the checks table.
std::string to_text(const Report& r, const meshops::cli::Output& out, bool verbose);

/// meshops_nginx_test_* metrics.
std::vector<meshops::cli::Metric> to_prom(const Report& r);

/// For --plugin, the text of a verdict without reasons: "configuration ok, N checks ok".
std::string ok_text(const Report& r);

} // namespace nginx_test
