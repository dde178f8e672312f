#pragma once
// meshops-health's model: the four checks of the host, each run in-process by its own check
// library (meshops/checks/*), all at once, each under its own deadline; one measurement that
// text, JSON, Prometheus and the plugin line are all rendered from.
#include "meshops/cli/prom.hpp"
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace health {

/// The checks, in the order they are shown.
inline const std::vector<std::string> kChecks{"ts-status", "ts-quality", "fw-status", "nginx-test"};

struct Options {
  std::vector<std::string> checks;  ///< which of kChecks run, in kChecks' order
  std::string config_path;          ///< -c, as given ("" for the default)
  std::string socket;               ///< --socket, as given
  std::string nginx, nginx_config, nginx_prefix;
  std::chrono::milliseconds deadline{30000};    ///< --timeout: of each check
  std::chrono::milliseconds op_timeout{5000};   ///< each tool's own per-operation timeout
};

/// One check's outcome.
struct Outcome {
  std::string name;
  meshops::Exit state = meshops::Exit::unknown;  ///< the host's view (tailscaled down is critical)
  std::string reason;                            ///< one line
  std::optional<int> exit_code;                  ///< what the tool alone would exit with; none when cut off
  double elapsed_ms = 0;
  std::vector<std::string> argv;         ///< the tool's equivalent command line
  nlohmann::ordered_json result;         ///< the tool's own JSON document, null when cut off
  std::vector<meshops::cli::Metric> metrics;  ///< the tool's own metrics and its run metrics
};

struct Health {
  std::vector<Outcome> checks;
  meshops::Exit state = meshops::Exit::ok;  ///< meshops::worst of the checks
};

/// The worst of the checks' states (meshops::worst: critical > unknown > warning > ok).
meshops::Exit worst_of(const std::vector<Outcome>& checks);

/// Runs the chosen checks at once and waits for each until their deadline; a check still
/// running then is UNKNOWN "timed out after N s": the programs it runs are killed then
/// (sys::stop_all_runs: none starts after), its thread is left to end on its own.
Health run(const Options& o, const meshops::config::Config& cfg);

/// Whether a check still runs past its deadline (the process then ends without waiting).
bool checks_running();

} // namespace health
