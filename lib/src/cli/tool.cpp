#include "meshops/cli/tool.hpp"

#include "meshops/cli/completion.hpp"
#include "meshops/cli/escape.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/text.hpp"
#include "meshops/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <exception>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace meshops::cli {
namespace {

void add_common_flags(CLI::App& app, const ToolInfo& info, CommonOptions& c) {
  app.add_option("-c,--config", c.config_path, "Config file (default $MESHOPS_CONFIG, then /etc/meshops/config.json)")
      ->type_name("FILE");
  auto* json = app.add_flag("--json", c.json, info.follows ? "Print one JSON document (NDJSON when following)" : "Print one JSON document");
  if (info.prom) {
    auto* prom = app.add_flag("--prom", c.prom, "Print Prometheus text exposition");
    app.add_option("--prom-file", c.prom_file, "Also write Prometheus text atomically to PATH, in every state")
        ->type_name("PATH");
    json->excludes(prom);
    auto* plugin = app.add_flag("--plugin", c.plugin,
                                "Print a Monitoring Plugins status line with performance data (Nagios, Icinga)");
    plugin->excludes(json)->excludes(prom);
  }
  if (info.socket)
    app.add_option("--socket", c.socket, "tailscaled's LocalAPI socket (default $TS_SOCKET, then /var/run/tailscale/tailscaled.sock)")
        ->type_name("PATH");
  app.add_option("--timeout", c.timeout_s, "Give up on any one operation after SECONDS (default 5)")
      ->check(CLI::Validator(
          [](const std::string& v) {
            char* end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            return end != v.c_str() && *end == '\0' && d > 0 && d < 86400 ? std::string()
                                                                          : "expected seconds, a number above 0";
          },
          ""))
      ->type_name("SECONDS");
  app.add_option_function<std::string>(
         "--color",
         [&c](const std::string& v) {  // checked by IsMember first
           c.color = v == "always" ? ColorMode::always : v == "never" ? ColorMode::never : ColorMode::auto_;
         },
         "Colour: auto, always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("--no-legend", c.no_legend, "Omit table headers and footers");
  app.add_flag("-v,--verbose", c.verbose, "Say more (repeatable)");
}

Output decide_output(const CommonOptions& c) {
  Output o;
  if (c.prom) o.format = Format::prom;
  else if (c.json) o.format = Format::json;
  else if (c.plugin) o.format = Format::plugin;
  else if (!c.prom_file.empty()) o.format = Format::none;  // the file is the output
  o.color = o.format == Format::text && use_color(c.color);
  o.legend = !c.no_legend;
  o.json_pretty = ::isatty(1);
  o.width = terminal_width();
  return o;
}

void report(const std::string& tool, const std::string& message, const std::string& hint) {
  std::fputs(fmt::format("{}: {}\n", tool, terminal_safe(message)).c_str(), stderr);
  if (!hint.empty()) std::fputs(fmt::format("hint: {}\n", terminal_safe(hint)).c_str(), stderr);
}

/// Writes the Prometheus text of a run to --prom-file, then to stdout for --prom. The file
/// first: a reader that closes stdout early must not cost the textfile its update.
void write_metrics(const CommonOptions& c, const std::string& text) {
  if (!c.prom_file.empty()) sys::write_file_atomic(c.prom_file, text);
  if (c.prom) write_stdout(text);
}

} // namespace

int tool_main(const ToolInfo& info, CommonOptions& common, int argc, char** argv,
              const std::function<void(CLI::App&)>& setup, const std::function<Exit()>& run) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app(info.description, info.name);
  app.set_version_flag("--version", fmt::format("{} (meshops) {}", info.name, kVersion));
  app.option_defaults()->always_capture_default(false);
  add_common_flags(app, info, common);
  try {
    setup(app);
    // After setup: every --help ends with the exit codes and the man page, from this one place.
    app.footer(fmt::format("Exit status: {}.\nSee {}(1).\n",
                           info.exit_status.empty() ? "0 ok, 1 warning, 2 critical, 3 unknown, 64 bad usage" : info.exit_status,
                           info.name));
    // The build's `TOOL --completion SHELL` (tools/completion.cmake): the script from the App
    // as setup left it. Not an option of the App, so no other flag or check gets in its way.
    if (argc == 3 && std::string_view(argv[1]) == "--completion") {
      write_stdout(completion::script(app, argv[2]));
      return 0;
    }
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed to stdout, exit 0
  } catch (const CLI::ParseError& e) {
    report(info.name, e.what(), fmt::format("see '{} --help'", info.name));
    return static_cast<int>(Exit::usage);
  }

  common.output = decide_output(common);
  common.tool = info.name;
  Exit code = Exit::unknown;
  std::string failure, hint;  // what ended the run: --plugin's status line, the failure document
  try {
    code = run();
  } catch (const Error& e) {
    report(info.name, e.what(), e.hint());
    code = e.code();
    failure = e.what();
    hint = e.hint();
  } catch (const std::exception& e) {
    failure = fmt::format("internal error: {}", e.what());
    report(info.name, failure, "");
    code = Exit::unknown;
  }
  // A --json run that failed before printing anything still prints a document: the state,
  // the error and its hint (a tool that prints its own failure document prints no second).
  if (!failure.empty() && common.output.format == Format::json && !stdout_written()) {
    nlohmann::ordered_json doc{{"schema", fmt::format("meshops/{}/1", info.name)},
                               {"generated_at", sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false)},
                               {"status", exit_name(code)},
                               {"reasons", {failure}},
                               {"error", failure},
                               {"hint", hint.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(hint)}};
    print_json(doc, common.output);
  }
  // A run that failed before emit(): the file still says so, instead of the last good run's
  // metrics living on. Bad usage is no run and leaves the file alone.
  if (!common.emitted && common.wants_metrics() && code != Exit::usage) {
    try {
      write_metrics(common, render_prom(run_metrics(info.name, code, /*up=*/false, now_unix_s())));
    } catch (const Error& e) {
      report(info.name, e.what(), e.hint());
    }
  }
  // --plugin owes its status line in every state: the error it failed with, the hint below.
  if (!failure.empty() && common.output.format == Format::plugin && !stdout_written())
    write_stdout(render_plugin(info.name, {code, {failure}, hint}, "", {}, hint.empty() ? "" : "hint: " + terminal_safe(hint) + "\n"));
  if (std::fflush(stdout) != 0 && errno == EPIPE) return 0;
  return static_cast<int>(code);
}

void emit(const CommonOptions& common, const checks::Verdict& verdict, const Views& views) {
  const Exit state = verdict.state;
  common.emitted = true;
  const bool plugin = common.output.format == Format::plugin;
  std::vector<Metric> metrics;
  if (common.wants_metrics() || plugin) metrics = views.metrics();
  std::exception_ptr write_failed;  // the run's result then: see below
  if (common.wants_metrics()) {
    auto all = metrics;
    auto run = run_metrics(common.tool, state, /*up=*/true, now_unix_s());
    all.insert(all.end(), run.begin(), run.end());
    try {
      write_metrics(common, render_prom(all));
    } catch (const Error&) {
      write_failed = std::current_exception();
    }
  }
  // The textfile could not be written (a directory the unit may not write): that is the run's
  // state, not what was measured. The text view still shows the measurement above the error on
  // stderr; for --json and --plugin, read by machines, tool_main prints the error's document and
  // status line (UNKNOWN with the hint for a permission) instead of a measured "ok".
  if (write_failed) {
    if (common.output.format == Format::text) views.text();
    std::rethrow_exception(write_failed);
  }
  if (common.output.format == Format::json) views.json();
  else if (common.output.format == Format::text) views.text();
  else if (plugin) write_stdout(render_plugin(common.tool, verdict, views.ok ? views.ok() : std::string(), metrics, ""));
  else if (state != Exit::ok) {
    // --prom-file alone, as a timer's unit runs it: the file holds the result, and the journal
    // (stderr) says why the state is not OK, the way the plugin line does: the state and the
    // first reason, then a line per further reason, then the hint.
    std::vector<std::string> lines{sys::upper(exit_name(state))};
    if (!verdict.reasons.empty()) {
      lines.front() += " - " + verdict.reasons.front();
      lines.insert(lines.end(), verdict.reasons.begin() + 1, verdict.reasons.end());
    }
    for (std::size_t i = 0; i < lines.size(); ++i) report(common.tool, lines[i], i + 1 == lines.size() ? verdict.hint : "");
  }
}

Exit emit_check(const CommonOptions& common, const checks::Verdict& verdict, const Views& views,
                const std::optional<Error>& error) {
  if (!error) {
    emit(common, verdict, views);
    return verdict.state;
  }
  if (common.output.format == Format::json) views.json();
  throw *error;
}

void warn(const std::string& tool, const std::string& message) { report(tool, message, ""); }

} // namespace meshops::cli
