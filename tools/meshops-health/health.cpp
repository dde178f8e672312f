// Running the four checks in-process, at once, under the deadline they share. Each runs on a
// thread of its own that owns what it uses, so a check cut off at its deadline can be left to
// end by itself; the programs the checks started (nginx -t) are killed then, by the pids
// sys::run recorded, so none outlives meshops-health.
#include "health.hpp"

#include "fw-status/view.hpp"
#include "nginx-test/view.hpp"
#include "ts-quality/view.hpp"
#include "ts-status/view.hpp"

#include "meshops/checks/fw.hpp"
#include "meshops/checks/nginx_test.hpp"
#include "meshops/checks/ts_quality.hpp"
#include "meshops/checks/ts_status.hpp"
#include "meshops/sys/process.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace health {
namespace {

using meshops::Exit;
namespace checks = meshops::checks;
namespace cli = meshops::cli;
using Clock = std::chrono::steady_clock;

std::atomic<int> g_running{0};

/// The outcome of a check report: its state, the first reason of its plugin verdict (or its
/// ok text) or the error, its document and its metrics (with the run metrics its own
/// --prom-file writes).
template <class Report>
Outcome outcome_of(const std::string& name, const Report& r, nlohmann::ordered_json doc,
                   const std::function<std::vector<cli::Metric>()>& metrics, const checks::Verdict& words,
                   const std::string& ok) {
  Outcome o;
  o.name = name;
  o.state = r.verdict.state;
  o.exit_code = static_cast<int>(r.verdict.state);
  o.result = std::move(doc);
  if (r.error) {
    o.reason = r.error->what();
  } else {
    o.reason = words.reasons.empty() ? ok : words.reasons.front();
    if (words.reasons.size() > 1) o.reason += fmt::format(" (+{} more)", words.reasons.size() - 1);
    o.metrics = metrics();
  }
  auto run = cli::run_metrics(name, r.verdict.state, /*up=*/!r.error, cli::now_unix_s());
  o.metrics.insert(o.metrics.end(), run.begin(), run.end());
  return o;
}

/// A stopped tailscaled: its socket is absent or refuses. ts-status alone calls that UNKNOWN
/// (it cannot show a tailnet it cannot reach); for the host it means the tailnet is down.
template <class Report>
void tailscaled_down_is_critical(Outcome& o, const Report& r) {
  if (!r.tailscaled_down || !r.error) return;
  o.state = Exit::critical;
  o.reason = fmt::format("tailscaled is not running: {}", r.error->what());
}

std::vector<std::string> argv_of(const std::string& check, const Options& o) {
  std::vector<std::string> a{check};
  if (!o.config_path.empty()) a.insert(a.end(), {"--config", o.config_path});
  if ((check == "ts-status" || check == "ts-quality") && !o.socket.empty()) a.insert(a.end(), {"--socket", o.socket});
  if (check == "fw-status") a.push_back("--check");
  if (check == "nginx-test") {
    if (!o.nginx.empty()) a.insert(a.end(), {"--nginx", o.nginx});
    if (!o.nginx_config.empty()) a.insert(a.end(), {"--config-file", o.nginx_config});
    if (!o.nginx_prefix.empty()) a.insert(a.end(), {"--prefix", o.nginx_prefix});
  }
  a.push_back("--json");
  return a;
}

/// The check's work, run on its thread: what each tool does, with the same defaults.
std::function<Outcome()> check_fn(const std::string& name, const Options& o, const meshops::config::Config& cfg,
                                  std::shared_ptr<std::atomic<bool>> stop) {
  auto socket = meshops::tailscale::resolve_socket(o.socket, cfg.tailscale.socket);
  if (name == "ts-status")
    return [=] {
      checks::ts_status::Options opts;
      opts.socket = socket;
      opts.timeout = o.op_timeout;
      if (!cfg.monitoring.exit_nodes.empty()) opts.primary_exit_node = cfg.monitoring.exit_nodes.front();
      auto r = checks::ts_status::collect(opts);
      auto out = outcome_of(name, r, ts_status::to_json(r), [&] { return ts_status::to_prom(r); }, r.verdict,
                            ts_status::ok_text(r));
      tailscaled_down_is_critical(out, r);
      return out;
    };
  if (name == "ts-quality")
    return [=] {
      checks::ts_quality::Options opts;
      opts.socket = socket;
      opts.timeout = o.op_timeout;
      opts.peers = cfg.monitoring.targets;
      opts.quality.probe_timeout = o.op_timeout;
      opts.quality.thresholds = meshops::monitor::thresholds_from(cfg.monitoring);
      opts.quality.stop = stop.get();
      auto r = checks::ts_quality::collect(opts);
      auto out = outcome_of(name, r, ts_quality::to_json(r), [&] { return ts_quality::to_prom(r); },
                            r.verdict, ts_quality::ok_text(r));
      tailscaled_down_is_critical(out, r);
      return out;
    };
  if (name == "fw-status")
    return [=] {
      auto r = checks::fw::collect("", cfg);
      return outcome_of(name, r, fw_status::to_json(r), [&] { return fw_status::to_prom(r); }, r.verdict,
                        fw_status::ok_text(r));
    };
  return [=] {
    auto r = checks::nginx_test::collect(checks::nginx_test::resolve({o.nginx, o.nginx_config, o.nginx_prefix, {}, {}}, cfg, o.op_timeout), cfg);
    return outcome_of(name, r, nginx_test::to_json(r), [&] { return nginx_test::to_prom(r); }, r.verdict,
                      nginx_test::ok_text(r));
  };
}

struct Slot {
  std::mutex m;
  std::condition_variable cv;
  std::optional<Outcome> done;
};

} // namespace

Exit worst_of(const std::vector<Outcome>& checks) {
  Exit w = Exit::ok;
  for (const auto& c : checks) w = meshops::worst(w, c.state);
  return w;
}

bool checks_running() { return g_running > 0; }

Health run(const Options& o, const meshops::config::Config& cfg) {
  auto start = Clock::now();
  struct Running {
    std::string name;
    std::shared_ptr<Slot> slot;
    std::shared_ptr<std::atomic<bool>> stop;
  };
  std::vector<Running> running;
  for (const auto& name : o.checks) {
    Running r{name, std::make_shared<Slot>(), std::make_shared<std::atomic<bool>>(false)};
    auto fn = check_fn(name, o, cfg, r.stop);
    ++g_running;
    std::thread([slot = r.slot, fn, name, start] {
      Outcome out;
      try {
        out = fn();
      } catch (const std::exception& e) {
        out.name = name;
        out.state = Exit::unknown;
        out.reason = fmt::format("internal error: {}", e.what());
      }
      out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      {
        std::lock_guard lock(slot->m);
        slot->done = std::move(out);
      }
      slot->cv.notify_all();
      --g_running;
    }).detach();
    running.push_back(std::move(r));
  }
  Health h;
  for (auto& r : running) {
    std::unique_lock lock(r.slot->m);
    if (r.slot->cv.wait_until(lock, start + o.deadline, [&] { return r.slot->done.has_value(); })) {
      h.checks.push_back(std::move(*r.slot->done));
    } else {
      // Every check started at `start` with the same deadline, so each one still running now
      // is cut off: the programs they run end now, and none starts after.
      meshops::sys::stop_all_runs();
      *r.stop = true;  // ts-quality's pings end; the others end on their own timeouts
      Outcome out;
      out.name = r.name;
      out.state = Exit::unknown;
      out.reason = fmt::format("timed out after {:g} s", static_cast<double>(o.deadline.count()) / 1000);
      out.elapsed_ms = static_cast<double>(o.deadline.count());
      out.metrics = cli::run_metrics(r.name, Exit::unknown, /*up=*/false, cli::now_unix_s());
      h.checks.push_back(std::move(out));
    }
    h.checks.back().argv = argv_of(r.name, o);
  }
  h.state = worst_of(h.checks);
  return h;
}

} // namespace health
