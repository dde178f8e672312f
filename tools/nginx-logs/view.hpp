#pragma once
// nginx-logs' views: the access log summary and the error log report as text, JSON
// (meshops/nginx-logs/1, schema first), Prometheus metrics and the --plugin line; an error
// log entry as its NDJSON record.
#include "commands.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/nginx/log_aggregate.hpp"
#include "meshops/nginx/log_error.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace nginx_logs {

// The summary document (schema, then the stamp's keys, then the counts in the order
// nginx-logs(1) lists them) is nginx::summary_to_json, in lib/nginx beside the Summary: the
// module's tests and the fuzz target read it too.
/// The summary as tables with bar charts.
std::string to_text(const meshops::nginx::Summary& s, const meshops::cli::Output& out);
/// The summary's counts as Prometheus metrics.
std::vector<meshops::cli::Metric> to_prom(const meshops::nginx::Summary& s);
/// For --plugin: the counts in one line (nginx-logs judges nothing: always OK).
std::string ok_text(const meshops::nginx::Summary& s);

/// One error log entry as its record: event "error", ts (RFC 3339), level, pid, tid,
/// connection, message, client, server, request, upstream, host, referrer, limit, zone.
nlohmann::ordered_json to_json(const meshops::nginx::ErrorRecord& r);
/// The errors document: schema, generated_at (the time given), the counts, zones, records.
nlohmann::ordered_json to_json(const ErrorsReport& r, const std::string& generated_at);
/// The recent entries as a table, then the counts per level and per zone.
std::string to_text(const ErrorsReport& r, const meshops::cli::Output& out);
std::vector<meshops::cli::Metric> to_prom(const ErrorsReport& r);
/// For --plugin: "N error log entries in M lines" (always OK).
std::string ok_text(const ErrorsReport& r);

} // namespace nginx_logs
