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

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  bool once = false, status = false, dry_run = false;
  int probes = 5;
  std::string state_dir;

  return cli::tool_main(
      {"ts-monitor", "Watch the tailnet and fail over between exit nodes on its own", /*socket=*/true, /*prom=*/false,
       /*follows=*/true,
       "0 stopped by a signal or (--once, --status) healthy on the primary, 1 on a fallback exit node or none, "
       "2 the last check failed, 3 cannot run or tell (tailscaled, state, config), 64 bad usage"},
      common, argc, argv,
      [&](CLI::App& app) {
        auto* o = app.add_flag("--once", once, "Run one check cycle and exit (for a timer)");
        auto* s = app.add_flag("--status", status, "Print the saved state and exit");
        s->excludes(o);
        app.add_flag("--dry-run", dry_run, "Decide and report, but never change the exit node or the state file");
        app.add_option("--probes", probes, "Pings per target per check")->check(CLI::Range(1, 100))->type_name("N");
        app.add_option("--state-dir", state_dir, "Where the state file lives (default monitoring.stateDir)")->type_name("DIR");
      },
      [&]() -> Exit {
        auto cfg = config::load(common.config_path);
        if (!state_dir.empty()) cfg.monitoring.state_dir = state_dir;
        auto path = monitor::state_path(cfg.monitoring.state_dir);
        if (status) {
          const ts_monitor::Status st{path, monitor::load_state(path)};
          if (common.output.format == cli::Format::json) cli::print_json(ts_monitor::to_json(st, std::chrono::system_clock::now()), common.output);
          else cli::write_stdout(ts_monitor::to_text(st, common.output));
          return ts_monitor::status_code(st);
        }
        monitor::RunnerOptions ro;
        ro.monitoring = cfg.monitoring;
        ro.socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        ro.api_timeout = common.timeout();
        ro.dry_run = dry_run;
        ro.probes = probes;
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
        if (once) {
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
