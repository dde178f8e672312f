// ts-quality: latency, jitter, loss and path to tailnet peers, all measured at once through
// tailscaled's ping, plus the node's side of `tailscale netcheck`; a check tool (exit 0/1/2/3).
#include "netcheck.hpp"
#include "view.hpp"

#include "meshops/cli/progress.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/config/config.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/sys/process.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

namespace {

struct Options {
  std::vector<std::string> peers;
  int count = 5;
  double interval_s = 1.0;
  std::string type = "disco";
  std::optional<double> max_latency_ms, max_loss_pct;
  bool no_netcheck = false;
  std::string tailscale;  ///< the CLI for netcheck; empty: looked up in PATH
};

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  Options o;

  return cli::tool_main(
      {"ts-quality", "Measure latency, jitter, loss and path to tailnet peers, all at once", /*socket=*/true, /*prom=*/true},
      common, argc, argv,
      [&](CLI::App& app) {
        app.add_option("--peer", o.peers, "Measure this peer (repeatable; default: monitoring.targets, else every online peer)")
            ->type_name("PEER");
        app.add_option("-n,--count", o.count, "Probes per peer (default 5)")->check(CLI::Range(1, 100000))->type_name("N");
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
        app.add_option("--tailscale", o.tailscale, "The tailscale CLI that runs netcheck (default: tailscale in PATH)")
            ->type_name("PATH");
        app.footer("See ts-quality(1).");
      },
      [&]() -> Exit {
        auto cfg = config::load(common.config_path);
        auto socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        monitor::QualityOptions q;
        q.count = o.count;
        q.interval = std::chrono::milliseconds(static_cast<long long>(o.interval_s * 1000));
        q.probe_timeout = common.timeout();
        q.type = *tailscale::parse_ping_type(o.type);
        q.thresholds = monitor::thresholds_from(cfg.monitoring);
        if (o.max_latency_ms) q.thresholds.max_latency_ms = *o.max_latency_ms;
        if (o.max_loss_pct) q.thresholds.max_loss_pct = *o.max_loss_pct;

        ts_quality::Result result;
        result.report.options = q;
        result.report.started = std::chrono::system_clock::now();
        auto print = [&] {
          cli::emit(common, result.code(),
                    {[&] { cli::print_json(ts_quality::to_json(result), common.output); },
                     [&] { cli::write_stdout(ts_quality::to_text(result, common.output)); },
                     [&] { return ts_quality::to_prom(result); },
                     [&] { return ts_quality::to_summary(result); }});
        };
        // Every state ends in the whole document; a run that cannot measure says why in it.
        // An error also goes to stderr (tool_main), so only JSON repeats it on stdout.
        auto document_error = [&](const Error& e) {
          if (common.output.format != cli::Format::json) return;
          result.failure = e.code();
          result.reasons.push_back(e.what());
          print();
        };
        std::vector<monitor::Target> targets;
        tailscale::LocalApi api(socket, common.timeout());
        try {
          auto status = api.status();
          if (status.backend_state != "Running") {
            result.failure = Exit::critical;
            result.reasons.push_back(fmt::format("tailscaled's backend is {}, not Running: nothing to measure",
                                                 status.backend_state.empty() ? "in no state" : status.backend_state));
            print();
            return result.code();
          }
          targets = monitor::check_targets(status, o.peers.empty() ? cfg.monitoring.targets : o.peers);
          if (targets.empty()) throw Error(Exit::unknown, "no online peer to measure", "name one with --peer");
        } catch (const Error& e) {
          document_error(e);
          throw;
        }

        // netcheck runs beside the pings: it costs seconds of STUN, the pings cost no CPU.
        std::thread netcheck;
        auto netcheck_slot = std::make_shared<std::optional<ts_quality::Netcheck>>();
        if (!o.no_netcheck) {
          std::map<int, ts_quality::DerpRegion> regions;
          try {
            regions = ts_quality::parse_derpmap(api.get("derpmap"));
          } catch (const std::exception&) {
            // Regions then show by number only.
          }
          auto cli_path = o.tailscale.empty() ? sys::find_program("tailscale") : std::optional<std::string>(o.tailscale);
          double budget = std::max(common.timeout_s, (o.count - 1) * o.interval_s + common.timeout_s);
          if (!cli_path) {
            result.netcheck = ts_quality::Netcheck{};
            result.netcheck->reason = "the tailscale CLI is not in PATH (give it with --tailscale PATH)";
          } else {
            // The thread owns what it uses: after an interrupt it is left behind, detached.
            netcheck = std::thread([slot = netcheck_slot, regions, cli = *cli_path, socket, budget] {
              *slot = ts_quality::run_netcheck(cli, socket, regions, budget);
            });
          }
        }
        // Ctrl-C or SIGTERM ends the pings early; the result so far is printed.
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        q.stop = &g_stop;
        std::size_t ended = 0, total = targets.size() * static_cast<std::size_t>(o.count);
        cli::Progress progress(std::chrono::seconds(1));
        q.on_probe = [&](const monitor::Target&, const monitor::Probe&) {
          progress.show(fmt::format("ts-quality: {}/{} probes ended ({} peer{})", ++ended, total, targets.size(),
                                    targets.size() == 1 ? "" : "s"));
        };
        try {
          result.report = monitor::measure(socket, targets, q);
        } catch (const Error& e) {
          if (netcheck.joinable()) netcheck.join();
          result.netcheck = *netcheck_slot;
          document_error(e);
          throw;
        } catch (...) {
          if (netcheck.joinable()) netcheck.join();
          throw;
        }
        progress.clear();
        if (result.report.interrupted) {
          // A netcheck the signal did not end would hold the partial result back for seconds.
          if (netcheck.joinable()) {
            netcheck.detach();
            result.netcheck = ts_quality::Netcheck{};
            result.netcheck->reason = "interrupted";
          }
          result.reasons.push_back(fmt::format("interrupted after {}: partial result", cli::human_ms(result.report.elapsed_ms)));
        }
        if (netcheck.joinable()) {
          netcheck.join();
          result.netcheck = *netcheck_slot;
        }

        print();
        return result.code();
      });
}
