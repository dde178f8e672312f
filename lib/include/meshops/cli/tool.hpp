#pragma once
// The shape every binary shares: common flags of the CLI contract, parse errors as exit 64,
// one exit path that reports a meshops::Error once as `TOOL: what failed: why`.
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/error.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshops::cli {

/// The flags of DESIGN.md's CLI contract, bound by tool_main.
struct CommonOptions {
  std::string config_path;  ///< -c/--config; empty: $MESHOPS_CONFIG, /etc/meshops/config.json
  std::string socket;       ///< --socket; empty: $TS_SOCKET, the config, the default path
  double timeout_s = 5.0;   ///< --timeout, seconds
  bool json = false;        ///< --json
  bool prom = false;        ///< --prom: Prometheus text on stdout
  std::string prom_file;    ///< --prom-file: also (or only) write it to PATH
  bool plugin = false;      ///< --plugin: the Monitoring Plugins status line on stdout
  ColorMode color = ColorMode::auto_;
  bool no_legend = false;   ///< --no-legend
  int verbose = 0;          ///< -v, repeatable
  Output output;            ///< decided after parsing, from the flags above and the terminal
  std::string tool;         ///< the binary's name (set by tool_main): the metrics' prefix
  mutable bool emitted = false;  ///< emit() ran: tool_main then writes no failure metrics

  /// Whether the run owes Prometheus text (--prom or --prom-file).
  bool wants_metrics() const { return prom || !prom_file.empty(); }
  /// Whether the run owes one check result for a machine (--prom, --prom-file or --plugin):
  /// modes that have none (a stream, a question) refuse these as bad usage.
  bool wants_result() const { return wants_metrics() || plugin; }

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  }
};

struct ToolInfo {
  std::string name;         ///< the binary's name, prefix of every error line
  std::string description;  ///< one line, capitalised, no trailing period
  bool socket = false;      ///< offers --socket (tools that talk to tailscaled)
  bool prom = false;        ///< offers --prom, --prom-file and --plugin (check tools)
  bool follows = false;     ///< streams (-f/--follow, a daemon): --json prints NDJSON then
  /// The exit codes in words for the "Exit status:" line every --help ends with; empty: a
  /// check's "0 ok, 1 warning, 2 critical, 3 unknown, 64 bad usage".
  std::string exit_status = {};
};

/// Parses argv with the common flags plus those setup() adds, then calls run() and returns
/// its exit code. --help/--version exit 0; a bad flag prints `TOOL: MESSAGE` and a hint and
/// exits 64; a meshops::Error thrown by run() is printed (escaped) and its code returned;
/// any other exception is an UNKNOWN (3). SIGPIPE is ignored: a closed stdout ends quietly.
int tool_main(const ToolInfo& info, CommonOptions& common, int argc, char** argv,
              const std::function<void(CLI::App&)>& setup, const std::function<Exit()>& run);

/// A check's result in each of its views; emit() calls only the ones the flags ask for.
struct Views {
  std::function<void()> json;                    ///< prints the JSON document
  std::function<void()> text;                    ///< prints the text view
  std::function<std::vector<Metric>()> metrics;  ///< the tool's own metrics
  std::function<std::string()> ok = {};          ///< --plugin's text when the verdict has no reason
};

/// Shows a check's result: the JSON, text or plugin view on stdout, and with --prom /
/// --prom-file the metrics followed by run_metrics(verdict.state, up=1): --prom-file is written
/// (atomically) before stdout, and beside --json or --plugin too. --plugin prints
/// render_plugin() of the verdict, views.ok and the tool's metrics. Called again (a follow), it rewrites
/// the file. A run that ends without emit() (an error) gets the run metrics alone with up=0
/// from tool_main, and with --plugin an UNKNOWN (or the error's state) status line. A file that
/// cannot be written is the run's error (thrown after the text view): --json and --plugin then
/// print tool_main's failure document and status line, never the measured state.
void emit(const CommonOptions& common, const checks::Verdict& verdict, const Views& views);

/// A check's last step: emit() its views and return verdict.state; or, for a run that could not check
/// (error set), print the JSON document alone (with --json every state ends in one) and throw
/// the error, which tool_main reports on stderr, in --prom-file's failure metrics and in
/// --plugin's status line.
Exit emit_check(const CommonOptions& common, const checks::Verdict& verdict, const Views& views,
                const std::optional<Error>& error);

/// Writes `TOOL: message` (escaped) to stderr: for warnings that do not end the run.
void warn(const std::string& tool, const std::string& message);

} // namespace meshops::cli
