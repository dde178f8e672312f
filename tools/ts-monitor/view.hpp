#pragma once
// ts-monitor's renderings: an event as a text line, the saved state for --status (table and
// JSON meshops/ts-monitor/1) and the exit code that state means.
#include "meshops/cli/output.hpp"
#include "meshops/error.hpp"
#include "meshops/monitor/failover.hpp"
#include "meshops/monitor/runner.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ts_monitor {

/// An event as a line for people: "TIME EVENT mode exit-node reason" (its JSON is
/// monitor::to_json).
std::string to_text(const meshops::monitor::RunnerEvent& e, const meshops::cli::Output& out);

/// --status's report: the state file and what it holds (nullopt: ts-monitor has not run here).
struct Status {
  std::string path;
  std::optional<meshops::monitor::MonitorState> state;
};

/// --status exit code: unknown without a state or when the last check could not tell,
/// critical when the last check failed, warning when away from the primary, else ok.
meshops::Exit status_code(const Status& s);

/// --status as JSON: schema meshops/ts-monitor/1, generated_at (now, RFC 3339), state_file,
/// status (exit code name), state.
nlohmann::ordered_json to_json(const Status& s, std::chrono::system_clock::time_point now);

/// --status as text: a summary table and the last transitions.
std::string to_text(const Status& s, const meshops::cli::Output& out);

} // namespace ts_monitor
