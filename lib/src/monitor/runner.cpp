#include "meshops/monitor/runner.hpp"

#include "meshops/error.hpp"
#include "meshops/monitor/exit_node.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/monitor/sd_notify.hpp"
#include "meshops/monitor/state_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <thread>

namespace meshops::monitor {
namespace {

using ojson = nlohmann::ordered_json;

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

} // namespace

FailoverSettings settings_from(const config::Monitoring& m) {
  return {m.exit_nodes, m.failure_threshold, m.restore_threshold, m.enable_auto_failover};
}

ojson to_json(const RunnerEvent& r) {
  const auto& e = r.event;
  ojson j{{"ts", sys::format_utc(r.at)}, {"event", e.type}, {"health", to_string(e.health)}, {"reason", e.reason},
          {"mode", to_string(r.mode)}, {"exit_node", sys::or_null(r.exit_node)},
          {"consecutive_failures", r.consecutive_failures}, {"primary_healthy_streak", r.primary_healthy_streak}};
  if (e.transition) {
    const auto& t = *e.transition;
    j["transition"] = {{"from", to_string(t.from)}, {"to", to_string(t.to)},
                       {"from_exit_node", sys::or_null(t.from_exit_node)},
                       {"to_exit_node", sys::or_null(t.to_exit_node)}};
  }
  if (r.dry_run) j["dry_run"] = true;
  if (r.targets) {
    auto& targets = j["targets"] = ojson::array();
    for (const auto& t : *r.targets)
      targets.push_back({{"name", t.name}, {"ip", t.ip}, {"verdict", to_string(t.verdict)},
                         {"avg_ms", sys::or_null(t.avg_ms)}, {"loss_pct", t.loss_pct}, {"path", t.path}});
  }
  return j;
}

Runner::Runner(RunnerOptions options, Emit emit, std::function<void(const std::string&)> warn)
    : options_(std::move(options)), settings_(settings_from(options_.monitoring)), emit_(std::move(emit)),
      warn_(std::move(warn)), state_path_(state_path(options_.monitoring.state_dir)) {
  if (!options_.monitoring.alert.webhook.empty()) {
    WebhookSink::Options w;
    w.url = options_.monitoring.alert.webhook;
    w.timeout = options_.api_timeout;
    webhook_ = std::make_unique<WebhookSink>(w, warn_);
  }
}

Runner::~Runner() = default;

void Runner::start() {
  tailscale::LocalApi api(options_.socket, options_.api_timeout);
  auto observed = current_exit_node(api.status());
  auto now = Clock::now();
  auto loaded = load_state(state_path_);
  std::string how;
  if (loaded) {
    state_ = *loaded;
    how = "resumed from " + state_path_;
    if (state_.exit_node != observed && !options_.dry_run) {
      how += fmt::format("; exit node is {}, not {}: changed outside ts-monitor, following it",
                         observed.empty() ? "none" : observed, state_.exit_node.empty() ? "none" : state_.exit_node);
      state_.exit_node = observed;
      state_.mode = mode_for(settings_, observed);
      state_.consecutive_failures = 0;
    }
  } else {
    state_.exit_node = observed;
    state_.mode = mode_for(settings_, observed);
    how = "no state file: starting from the exit node in use";
  }
  // A state file that cannot be written is an environment fault: refuse to start (UNKNOWN, with
  // write_file_atomic's hint) rather than fail over with a state the next start cannot read.
  if (!options_.dry_run) save_state(state_path_, state_);
  report({"started", false, Health::unknown, how, std::nullopt}, now, nullptr);
  notify_ready(status_line());
}

Runner::Measured Runner::measure(const std::vector<std::string>& names) const {
  Measured m;
  QualityOptions q;
  q.count = options_.probes;
  q.interval = options_.probe_interval;
  q.probe_timeout = options_.probe_timeout;
  q.thresholds = thresholds_from(options_.monitoring);
  try {
    auto report = check(options_.socket, names, q, options_.api_timeout);
    std::vector<std::string> reasons = report.reasons;
    for (const auto& t : report.targets) {
      m.targets.push_back({t.target.name, t.target.ip, t.verdict, t.stats.avg_ms, t.stats.loss_pct, t.path.text()});
      for (const auto& r : t.reasons) reasons.push_back(t.target.name + ": " + r);
      if (t.verdict != Verdict::ok && t.reasons.empty()) reasons.push_back(t.target.name + ": " + to_string(t.verdict));
    }
    m.health = report.verdict == Verdict::ok ? Health::healthy : Health::failed;
    m.reason = join(reasons, "; ");
  } catch (const Error& e) {
    // Unreachable tailscaled, a stopped backend, a target that is no peer: we cannot tell.
    m.health = Health::unknown;
    m.reason = e.what();
  }
  return m;
}

void Runner::report(const MonitorEvent& e, Clock::time_point now, const Measured* check) {
  RunnerEvent r{now, e, state_.mode, state_.exit_node, state_.consecutive_failures, state_.primary_healthy_streak,
                options_.dry_run, std::nullopt};
  if (check && e.type == "check") r.targets = check->targets;
  emit_(r);
  // A reason may quote tailscaled's reply: invalid UTF-8 is replaced, never thrown from the loop.
  if (e.alert && webhook_) webhook_->post(to_json(r).dump(-1, ' ', false, ojson::error_handler_t::replace));
}

void Runner::apply(const MonitorState& before, Step step, Clock::time_point now, const Measured* check) {
  if (step.action && !options_.dry_run) {
    try {
      set_exit_node(tailscale::LocalApi(options_.socket, options_.api_timeout), step.action->exit_node);
    } catch (const Error& e) {
      step = on_action_failed(before, step, e.what());
    }
  }
  state_ = step.state;
  for (const auto& e : step.events) report(e, now, check);
}

Health Runner::cycle() {
  auto before = state_;
  std::vector<std::string> names = options_.monitoring.targets;
  if (!state_.exit_node.empty() && std::find(names.begin(), names.end(), state_.exit_node) == names.end())
    names.push_back(state_.exit_node);
  auto check = measure(names);
  std::map<std::string, Health> candidates;
  if (failover_due(state_, settings_, check.health))
    for (const auto& c : failover_candidates(state_, settings_)) candidates[c] = measure({c}).health;
  auto now = Clock::now();
  apply(before, on_check(state_, settings_, check.health, check.reason, now, candidates), now, &check);

  if (restore_probe_due(state_, settings_, now,
                        std::chrono::milliseconds(static_cast<long long>(options_.monitoring.restore_interval_s * 1000)))) {
    auto primary = measure({settings_.exit_nodes.front()});
    auto at = Clock::now();
    auto before_probe = state_;
    apply(before_probe, on_restore_probe(state_, settings_, primary.health, primary.reason, at), at, nullptr);
  }
  save();
  notify_status(status_line());
  return check.health;
}

void Runner::run(const std::atomic<bool>& stop) {
  auto interval = std::chrono::milliseconds(static_cast<long long>(options_.monitoring.check_interval_s * 1000));
  auto watchdog = watchdog_interval();
  auto next = std::chrono::steady_clock::now();
  while (!stop) {
    cycle();
    notify_watchdog();
    next += interval;
    // A check slower than the interval: start the next one now, without a burst to catch up.
    if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now();
    while (!stop && std::chrono::steady_clock::now() < next) {
      auto slice = std::chrono::milliseconds(200);
      if (watchdog) notify_watchdog();
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(slice, next - std::chrono::steady_clock::now()));
    }
  }
}

void Runner::finish(const std::string& reason) {
  save();
  notify_stopping("stopping");
  report({"stopped", false, state_.last_health, reason, std::nullopt}, Clock::now(), nullptr);
  if (webhook_) webhook_->close(std::chrono::milliseconds(2000));
}

void Runner::save() {
  if (options_.dry_run) return;
  try {
    save_state(state_path_, state_);
  } catch (const Error& e) {
    if (warn_) warn_(e.what());
  }
}

std::string Runner::status_line() const {
  return fmt::format("{}; exit node {}; last check {}{}", to_string(state_.mode),
                     state_.exit_node.empty() ? "none" : state_.exit_node, to_string(state_.last_health),
                     state_.consecutive_failures ? fmt::format(" ({} failed in a row)", state_.consecutive_failures) : "");
}

} // namespace meshops::monitor
