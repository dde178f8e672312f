#pragma once
// The Monitoring Plugins view (--plugin), for Nagios and Icinga: a first line
// `TOOL STATE - text | perfdata`, details after it, the exit code as always. One renderer for
// every check tool: the words come from the tool's checks::Verdict (header-only, it needs only
// meshops/error.hpp, so the cli module may read it) and its text for a run with nothing wrong,
// the performance data from the same metrics its Prometheus view writes.
#include "meshops/checks/verdict.hpp"
#include "meshops/cli/prom.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace meshops::cli {

/// The plugin output of a check: `TOOL STATE - TEXT | PERFDATA`, then one line per further
/// reason, then `details` (the text view). STATE is verdict.state; TEXT its first reason (the
/// reasons worst first: the first one leads), or `ok` ("3 of 3 peers online") without one.
/// PERFDATA holds every sample of the gauges and counters in metrics but `*_info` ones and
/// summaries, as 'LABELS NAME'=VALUE[UOM];WARN;CRIT;MIN;MAX: NAME without the tool's prefix and
/// its unit, LABELS the sample's label values, UOM s, B, % (a _ratio, times 100) or c (a
/// counter). '|' in any text becomes '/', control characters are escaped.
std::string render_plugin(std::string_view tool, const checks::Verdict& verdict, std::string_view ok,
                          const std::vector<Metric>& metrics, std::string_view details);

/// The performance data alone (the part after '|'), space-separated.
std::string plugin_perfdata(std::string_view tool, const std::vector<Metric>& metrics);

} // namespace meshops::cli
