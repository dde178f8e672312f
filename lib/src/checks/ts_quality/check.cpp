#include "meshops/checks/ts_quality.hpp"

#include "meshops/sys/process.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

namespace meshops::checks::ts_quality {
namespace {

/// `tailscale netcheck` on its own thread: it costs seconds of STUN, the pings cost no CPU.
/// The thread owns what it uses, so after an interrupt it can be left behind, detached.
class NetcheckRun {
public:
  NetcheckRun(const Options& o, const tailscale::LocalApi& api) {
    std::map<int, tailscale::DerpRegion> regions;
    try {
      regions = tailscale::parse_derpmap(api.get("derpmap"));
    } catch (const std::exception&) {
      // Regions then show by number only.
    }
    auto cli = o.tailscale.empty() ? sys::find_program("tailscale") : std::optional<std::string>(o.tailscale);
    if (!cli) {
      done_ = tailscale::Netcheck{};
      done_->reason = "the tailscale CLI is not in PATH (give it with --tailscale PATH)";
      return;
    }
    double timeout_s = static_cast<double>(o.timeout.count()) / 1000;
    double interval_s = static_cast<double>(o.quality.interval.count()) / 1000;
    double budget = std::max(timeout_s, (o.quality.count - 1) * interval_s + timeout_s);
    thread_ = std::thread([slot = slot_, regions, cli = *cli, socket = o.socket, budget] {
      *slot = tailscale::run_netcheck(cli, socket, regions, budget);
    });
  }
  NetcheckRun(const NetcheckRun&) = delete;
  NetcheckRun& operator=(const NetcheckRun&) = delete;
  ~NetcheckRun() {
    if (thread_.joinable()) thread_.join();
  }

  /// Its result, waiting for it.
  tailscale::Netcheck wait() {
    if (thread_.joinable()) {
      thread_.join();
      done_ = *slot_;
    }
    return done_ ? *done_ : tailscale::Netcheck{};
  }

  /// An interrupted run: a netcheck still running would hold the partial result back for seconds.
  tailscale::Netcheck abandon() {
    if (!thread_.joinable()) return wait();
    thread_.detach();
    tailscale::Netcheck n;
    n.reason = "interrupted";
    return n;
  }

private:
  std::shared_ptr<std::optional<tailscale::Netcheck>> slot_ = std::make_shared<std::optional<tailscale::Netcheck>>();
  std::optional<tailscale::Netcheck> done_;
  std::thread thread_;
};

} // namespace

Verdict conclude(const monitor::QualityReport& m) {
  Verdict v;
  v.state = monitor::exit_code(m.verdict);
  // Each peer not ok is a reason: "laptop: down (offline in the netmap, no reply to 5 probes)".
  for (auto verdict : {monitor::Verdict::down, monitor::Verdict::degraded})
    for (const auto& t : m.targets) {
      if (t.verdict != verdict) continue;
      std::string why;
      for (const auto& reason : t.reasons) why += (why.empty() ? " (" : ", ") + reason;
      v.reasons.push_back(fmt::format("{}: {}{}", t.target.name, monitor::to_string(t.verdict), why.empty() ? "" : why + ")"));
    }
  if (m.interrupted) v.add(Exit::unknown, fmt::format("interrupted after {}: partial result", cli::human_ms(m.elapsed_ms)));
  return v;
}

Report collect(const Options& o) {
  Report r;
  r.measurement.options = o.quality;
  r.measurement.options.on_probe = nullptr;
  r.measurement.started = std::chrono::system_clock::now();
  auto fail = [&](const Error& e) {
    r.verdict = Verdict::failed(e);
    r.error = e;
    if (auto* api = dynamic_cast<const tailscale::LocalApiError*>(&e))
      r.tailscaled_down = api->cause() == tailscale::LocalApiError::Cause::unreachable;
    return std::move(r);
  };
  tailscale::LocalApi api(o.socket, o.timeout);
  std::vector<monitor::Target> targets;
  try {
    auto status = api.status();
    if (status.backend_state != "Running") {
      r.verdict.add(Exit::critical, fmt::format("tailscaled's backend is {}, not Running: nothing to measure",
                                                status.backend_state.empty() ? "in no state" : status.backend_state));
      return r;
    }
    targets = monitor::check_targets(status, o.peers);
    // Peers in the netmap and none online: this node reaches no one, which is the finding.
    if (auto why = monitor::all_peers_offline(status, o.peers); targets.empty() && !why.empty()) {
      r.verdict.add(Exit::critical, why);
      return r;
    }
    if (targets.empty()) throw Error(Exit::unknown, "no peer in the netmap to measure", "name one with --peer");
  } catch (const Error& e) {
    return fail(e);
  }

  std::optional<NetcheckRun> netcheck;
  if (o.netcheck) netcheck.emplace(o, api);
  auto q = o.quality;
  std::size_t ended = 0, total = targets.size() * static_cast<std::size_t>(q.count);
  if (o.on_progress)
    q.on_probe = [&](const monitor::Target&, const monitor::Probe&) { o.on_progress(++ended, total, targets.size()); };
  try {
    r.measurement = monitor::measure(o.socket, targets, q);
  } catch (const Error& e) {
    if (netcheck) r.netcheck = netcheck->wait();
    return fail(e);
  }
  if (netcheck) r.netcheck = r.measurement.interrupted ? netcheck->abandon() : netcheck->wait();
  r.verdict = conclude(r.measurement);
  return r;
}

} // namespace meshops::checks::ts_quality
