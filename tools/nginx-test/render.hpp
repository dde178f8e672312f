#pragma once
// Printing a Report: the human tables, the JSON document (meshops/nginx-test/1) and the
// Prometheus metrics. JSON and metrics come from the Report, never from the tables.
#include "report.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace nginx_test {

/// The JSON document: schema, status, syntax_ok, nginx, diagnostics, checks.
nlohmann::json to_json(const Report& r);

/// Diagnostics (all with verbose, else those of level warn and worse) and the checks table.
std::string render_text(const Report& r, const meshops::cli::Output& out, bool verbose);

/// meshops_nginx_test_* metrics.
std::vector<meshops::cli::Metric> to_metrics(const Report& r);

/// For --plugin: "configuration ok, N checks ok"; reasons: the problem, nginx's errors and
/// warnings when it rejected the configuration, then each check not ok, critical first.
meshops::cli::Summary to_summary(const Report& r);

} // namespace nginx_test
