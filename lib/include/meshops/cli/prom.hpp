#pragma once
// Prometheus text exposition (format 0.0.4), for node_exporter's textfile collector.
#include "meshops/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshops::cli {

struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::string suffix = {};  ///< appended to the name: a summary's "_sum" and "_count"
};

struct Metric {
  std::string name;  ///< e.g. "meshops_ts_peers_online"; base units in the name (_bytes, _seconds)
  std::string help;
  std::string type;  ///< "gauge", "counter" or "summary" (samples labelled quantile, then _sum/_count)
  std::vector<Sample> samples;
  std::optional<double> warn = {};  ///< threshold of WARNING, in the metric's unit (plugin perfdata)
  std::optional<double> crit = {};  ///< threshold of CRITICAL, likewise
};

/// Renders metrics with # HELP and # TYPE lines; label values are escaped (\\, \", \n).
std::string render_prom(const std::vector<Metric>& metrics);

/// The prefix of a tool's metric names: "meshops_" and the tool's name with '_' for '-'
/// ("ts-status" -> "meshops_ts_status"); meshops-health's is "meshops_health".
std::string metric_prefix(std::string_view tool);

/// The three metrics every textfile of a check tool ends with, whether the run measured or
/// failed, so that a dead daemon or a stale file shows in Prometheus:
/// PREFIX_state (the exit code, 0..3), PREFIX_up (1: the tool's own metrics above are from this
/// run; 0: the run failed before measuring) and PREFIX_last_run_timestamp_seconds (now).
std::vector<Metric> run_metrics(std::string_view tool, Exit state, bool up, double now_unix_s);

/// Now in seconds since the epoch, to the millisecond: the value of a *_timestamp_seconds metric.
double now_unix_s();

} // namespace meshops::cli
