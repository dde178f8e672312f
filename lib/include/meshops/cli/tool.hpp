#pragma once
// The shape every binary shares: common flags of the CLI contract, parse errors as exit 64,
// one exit path that reports a meshops::Error once as `TOOL: what failed: why`.
#include "meshops/cli/output.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/error.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace meshops::cli {

/// The flags of DESIGN.md's CLI contract, bound by tool_main.
struct CommonOptions {
  std::string config_path;  ///< -c/--config; empty: $MESHOPS_CONFIG, /etc/meshops/config.json
  std::string socket;       ///< --socket; empty: $TS_SOCKET, the config, the default path
  double timeout_s = 5.0;   ///< --timeout, seconds
  bool json = false;        ///< --json
  bool prom = false;        ///< --prom
  std::string prom_file;    ///< --prom-file (implies --prom)
  ColorMode color = ColorMode::auto_;
  bool no_legend = false;   ///< --no-legend
  int verbose = 0;          ///< -v, repeatable
  Output output;            ///< decided after parsing, from the flags above and the terminal

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  }
};

struct ToolInfo {
  std::string name;         ///< the binary's name, prefix of every error line
  std::string description;  ///< one line, capitalised, no trailing period
  bool socket = false;      ///< offers --socket (tools that talk to tailscaled)
  bool prom = false;        ///< offers --prom and --prom-file (check tools)
};

/// Parses argv with the common flags plus those setup() adds, then calls run() and returns
/// its exit code. --help/--version exit 0; a bad flag prints `TOOL: MESSAGE` and a hint and
/// exits 64; a meshops::Error thrown by run() is printed (escaped) and its code returned;
/// any other exception is an UNKNOWN (3). SIGPIPE is ignored: a closed stdout ends quietly.
int tool_main(const ToolInfo& info, CommonOptions& common, int argc, char** argv,
              const std::function<void(CLI::App&)>& setup, const std::function<Exit()>& run);

/// Prints metrics to stdout, or writes them atomically to --prom-file when given.
void emit_prom(const std::vector<Metric>& metrics, const CommonOptions& common);

/// Writes `TOOL: message` (escaped) to stderr: for warnings that do not end the run.
void warn(const std::string& tool, const std::string& message);

} // namespace meshops::cli
