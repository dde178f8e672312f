#pragma once
// Prometheus text exposition (format 0.0.4), for node_exporter's textfile collector.
#include <string>
#include <utility>
#include <vector>

namespace meshops::cli {

struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

struct Metric {
  std::string name;  ///< e.g. "meshops_ts_peers_online"; base units in the name (_bytes, _seconds)
  std::string help;
  std::string type;  ///< "gauge" or "counter"
  std::vector<Sample> samples;
};

/// Renders metrics with # HELP and # TYPE lines; label values are escaped (\\, \", \n).
std::string render_prom(const std::vector<Metric>& metrics);

} // namespace meshops::cli
