#pragma once
// ts-monitor's loop around the pure failover machine: measure (monitor::check, the same core as
// ts-quality), decide (failover.hpp), act (exit_node.hpp, unless dry-run), report (events to
// the caller, alerts to the webhook), remember (state_file.hpp), and tell systemd.
#include "meshops/config/config.hpp"
#include "meshops/monitor/alert.hpp"
#include "meshops/monitor/failover.hpp"
#include "meshops/monitor/quality.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace meshops::monitor {

struct RunnerOptions {
  config::Monitoring monitoring;
  std::string socket;
  std::chrono::milliseconds api_timeout{5000};
  bool dry_run = false;     ///< decide and report, never change the exit node or the state file
  int probes = 5;           ///< pings per target per check
  std::chrono::milliseconds probe_interval{200};
  std::chrono::milliseconds probe_timeout{2000};
};

/// Settings of the machine from the config.
FailoverSettings settings_from(const config::Monitoring& m);

/// One target of a check, as its event reports it.
struct CheckedTarget {
  std::string name, ip;
  Verdict verdict = Verdict::ok;
  std::optional<double> avg_ms;  ///< nullopt: nothing answered
  double loss_pct = 0;
  std::string path;  ///< Path::text(), "" when unknown
};

/// What the runner reports: an event of the failover machine, when it happened and the state
/// it left behind.
struct RunnerEvent {
  Clock::time_point at;
  MonitorEvent event;
  Mode mode = Mode::primary;
  std::string exit_node;  ///< "" for none
  int consecutive_failures = 0;
  int primary_healthy_streak = 0;
  bool dry_run = false;  ///< decided without acting
  std::optional<std::vector<CheckedTarget>> targets;  ///< check events: what was measured
};

/// The NDJSON record of an event (stdout and the webhook): ts, event, health, reason, mode,
/// exit_node, counters, the transition when there is one, dry_run when deciding without
/// acting, targets for a check.
nlohmann::ordered_json to_json(const RunnerEvent& e);

class Runner {
public:
  using Emit = std::function<void(const RunnerEvent&)>;
  /// emit gets every event record (stdout); warn gets problems that do not stop the loop.
  Runner(RunnerOptions options, Emit emit, std::function<void(const std::string&)> warn);
  ~Runner();

  /// Loads the state file, or starts from the exit node tailscaled uses now. Emits "started".
  /// Throws meshops::Error (Exit::unknown) when tailscaled cannot be reached.
  void start();
  /// One cycle: a check of the targets and the exit node in use, then a probe of the primary
  /// when one is due. Saves the state. Returns the check's health.
  Health cycle();
  /// Cycles every checkInterval until stop is set, petting systemd's watchdog between.
  void run(const std::atomic<bool>& stop);
  /// Saves the state, drains the webhook (bounded), emits "stopped".
  void finish(const std::string& reason = "signal");

  const MonitorState& state() const { return state_; }
  std::string status_line() const;

private:
  struct Measured {
    Health health = Health::unknown;
    std::string reason;
    std::vector<CheckedTarget> targets;
  };
  Measured measure(const std::vector<std::string>& names) const;
  void apply(const MonitorState& before, Step step, Clock::time_point now, const Measured* check);
  void report(const MonitorEvent& e, Clock::time_point now, const Measured* check);
  void save();

  RunnerOptions options_;
  FailoverSettings settings_;
  Emit emit_;
  std::function<void(const std::string&)> warn_;
  std::unique_ptr<WebhookSink> webhook_;
  MonitorState state_;
  std::string state_path_;
};

} // namespace meshops::monitor
