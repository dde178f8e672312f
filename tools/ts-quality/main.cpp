// ts-quality: latency, jitter, loss and path to tailnet peers, all measured at once through
// tailscaled's ping, plus the node's side of `tailscale netcheck`; a check tool (exit 0/1/2/3).
#include "view.hpp"

#include "meshops/checks/ts_quality.hpp"
#include "meshops/cli/progress.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <optional>

namespace {

struct Flags {
  std::vector<std::string> peers;
  double interval_s = 1.0;
  std::string type = "disco";
  std::optional<double> max_latency_ms, max_loss_pct;
  bool no_netcheck = false;
};

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  Flags o;
  meshops::checks::ts_quality::Options opts;

  return cli::tool_main(
      {"ts-quality", "Measure latency, jitter, loss and path to tailnet peers, all at once", /*socket=*/true, /*prom=*/true},
      common, argc, argv,
      [&](CLI::App& app) {
        app.add_option("--peer", o.peers, "Measure this peer (repeatable; default: monitoring.targets, else every online peer)")
            ->type_name("PEER");
        app.add_option("-n,--count", opts.quality.count, "Probes per peer (default 5)")->check(CLI::Range(1, 100000))->type_name("N");
        app.add_option("-i,--interval", o.interval_s, "Seconds between a peer's probes (default 1)")
            ->check(CLI::Range(0.001, 3600.0))
            ->type_name("SECONDS");
        app.add_option("--type", o.type, "Ping type: disco (default, as tailscale ping), tsmp or icmp")
            ->check(CLI::IsMember({"disco", "tsmp", "icmp"}, CLI::ignore_case))
            ->type_name("TYPE");
        app.add_option("--max-latency", o.max_latency_ms, "Average round trip above MS is degraded (default: config maxLatency, 200)")
            ->check(CLI::PositiveNumber)
            ->type_name("MS");
        app.add_option("--max-loss", o.max_loss_pct, "Loss above PCT percent is degraded (default: config maxPacketLoss, 5)")
            ->check(CLI::Range(0.0, 100.0))
            ->type_name("PCT");
        app.add_flag("--no-netcheck", o.no_netcheck, "Skip tailscale netcheck (DERP latency, UDP, NAT)");
        app.add_option("--tailscale", opts.tailscale, "The tailscale CLI that runs netcheck (default: tailscale in PATH)")
            ->type_name("PATH");
      },
      [&]() -> Exit {
        auto cfg = config::load(common.config_path);
        opts.socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        opts.timeout = common.timeout();
        opts.peers = o.peers.empty() ? cfg.monitoring.targets : o.peers;
        opts.netcheck = !o.no_netcheck;
        auto& q = opts.quality;
        q.interval = std::chrono::milliseconds(static_cast<long long>(o.interval_s * 1000));
        q.probe_timeout = common.timeout();
        q.type = *tailscale::parse_ping_type(o.type);
        q.thresholds = monitor::thresholds_from(cfg.monitoring);
        if (o.max_latency_ms) q.thresholds.max_latency_ms = *o.max_latency_ms;
        if (o.max_loss_pct) q.thresholds.max_loss_pct = *o.max_loss_pct;
        // Ctrl-C or SIGTERM ends the pings early; the result so far is printed.
        sys::catch_stop_signals();
        q.stop = &sys::stop_flag();
        cli::Progress progress(std::chrono::seconds(1));
        opts.on_progress = [&](std::size_t ended, std::size_t total, std::size_t peers) {
          progress.show(fmt::format("ts-quality: {}/{} probes ended ({} peer{})", ended, total, peers, peers == 1 ? "" : "s"));
        };

        auto report = checks::ts_quality::collect(opts);
        progress.clear();
        // Every state ends in the whole document: a run that could not check says why in it.
        return cli::emit_check(common, report.verdict,
                               {[&] { cli::print_json(ts_quality::to_json(report), common.output); },
                                [&] { cli::write_stdout(ts_quality::to_text(report, common.output)); },
                                [&] { return ts_quality::to_prom(report); },
                                [&] { return ts_quality::ok_text(report); }},
                               report.error);
      });
}
