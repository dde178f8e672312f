// ts-monitor: every checkInterval, measure the targets and the exit node in use (the core of
// ts-quality); after failureThreshold failed checks fail over to the next healthy exit node or
// off the exit node; restore the primary after restoreThreshold healthy probes. Events on
// stdout (text or NDJSON) and to a webhook; state in a file; Type=notify under systemd.
#include "view.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/monitor/runner.hpp"
#include "meshops/monitor/state_file.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/tailscale/localapi.hpp"

namespace {

/// ts-monitor's own flags (the common ones are cli::CommonOptions).
struct Options {
  bool once = false;     ///< --once: one check cycle, then exit
  bool status = false;   ///< --status: print the saved state, exit with its code
  bool dry_run = false;  ///< --dry-run: decide and report, change nothing
  int probes = 5;        ///< --probes: pings per target per check
  std::string state_dir; ///< --state-dir; empty: monitoring.stateDir
};

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  Options o;

  return cli::tool_main(
      {"ts-monitor", "Watch the tailnet and fail over between exit nodes on its own", /*socket=*/true, /*prom=*/false,
       /*follows=*/true,
       "0 stopped by a signal or (--once, --status) healthy on the primary, 1 on a fallback exit node or none, "
       "2 the last check failed, 3 cannot run or tell (tailscaled, state, config), 64 bad usage"},
      common, argc, argv,
      [&](CLI::App& app) {
        auto* once = app.add_flag("--once", o.once, "Run one check cycle and exit (for a timer)");
        auto* status = app.add_flag("--status", o.status, "Print the saved state and exit");
        status->excludes(once);
        app.add_flag("--dry-run", o.dry_run, "Decide and report, but never change the exit node or the state file");
        app.add_option("--probes", o.probes, "Pings per target per check")->check(CLI::Range(1, 100))->type_name("N");
        app.add_option("--state-dir", o.state_dir, "Where the state file lives (default monitoring.stateDir)")->type_name("DIR");
      },
      [&]() -> Exit {
        auto cfg = config::load(common.config_path);
        if (!o.state_dir.empty()) cfg.monitoring.state_dir = o.state_dir;
        auto path = monitor::state_path(cfg.monitoring.state_dir);
        if (o.status) {
          const ts_monitor::Status st{path, monitor::load_state(path)};
          if (common.output.format == cli::Format::json) cli::print_json(ts_monitor::to_json(st, std::chrono::system_clock::now()), common.output);
          else cli::write_stdout(ts_monitor::to_text(st, common.output));
          return ts_monitor::status_code(st);
        }
        monitor::RunnerOptions ro;
        ro.monitoring = cfg.monitoring;
        ro.socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        ro.api_timeout = common.timeout();
        ro.dry_run = o.dry_run;
        ro.probes = o.probes;
        ro.probe_timeout = std::min(common.timeout(), std::chrono::milliseconds(2000));
        bool json = common.output.format == cli::Format::json;
        auto out = common.output;
        monitor::Runner runner(
            ro,
            [&](const monitor::RunnerEvent& e) {
              if (json) cli::print_ndjson(monitor::to_json(e));
              else cli::write_stdout(ts_monitor::to_text(e, out));
            },
            [](const std::string& m) { cli::warn("ts-monitor", m); });
        runner.start();
        if (o.once) {
          auto h = runner.cycle();
          runner.finish("--once: one cycle done");
          if (h == monitor::Health::unknown) return Exit::unknown;
          if (h == monitor::Health::failed) return Exit::critical;
          return runner.state().mode == monitor::Mode::primary ? Exit::ok : Exit::warning;
        }
        sys::catch_stop_signals();
        runner.run(sys::stop_flag());
        runner.finish("signal: state saved");
        return Exit::ok;
      });
}
