#pragma once
// ts-monitor's decisions, as a pure state machine: check results in, the next state, the
// events to report and the exit node action out. No I/O, no clock: the caller measures, acts,
// and feeds the outcome back, so each transition is unit-tested on its own.
//
// Modes: primary (using exitNodes[0]), failover (using a later exit node), local (no exit
// node: "switch to the local network"). A failed check (latency over maxLatency, loss over
// maxPacketLoss, no reply) counts; failureThreshold in a row with enableAutoFailover fail over
// to the first healthy exit node after the current one in exitNodes order (wrapping around,
// the primary included), or to local when none is healthy. Away from the primary, every
// restoreInterval the primary is probed; restoreThreshold healthy probes in a row restore it.
// An unknown check (tailscaled unreachable) changes no counter.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshops::monitor {

using Clock = std::chrono::system_clock;

enum class Mode { primary, failover, local };
enum class Health { healthy, failed, unknown };

/// "primary", "failover", "local".
const char* to_string(Mode m);
/// "healthy", "failed", "unknown".
const char* to_string(Health h);
std::optional<Mode> parse_mode(const std::string& s);

/// What the machine needs from the config.
struct FailoverSettings {
  std::vector<std::string> exit_nodes;  ///< primary first; empty: only monitor, never act
  int failure_threshold = 3;
  int restore_threshold = 3;
  bool auto_failover = false;
};

/// One state change, kept in the state file (the last few) and reported as an event.
struct Transition {
  Clock::time_point at;
  Mode from = Mode::primary, to = Mode::primary;
  std::string from_exit_node, to_exit_node;  ///< "" = no exit node
  std::string reason;
};

struct MonitorState {
  Mode mode = Mode::primary;
  std::string exit_node;                ///< the exit node in use, "" for none
  int consecutive_failures = 0;         ///< failed checks in a row on the current path
  int primary_healthy_streak = 0;       ///< healthy restore probes of the primary in a row
  std::uint64_t checks = 0, failed_checks = 0, unknown_checks = 0;
  Health last_health = Health::unknown;
  std::string last_reason;              ///< why the last check was not healthy
  std::optional<Clock::time_point> last_check, last_restore_probe;
  std::deque<Transition> transitions;   ///< newest last, at most kMaxTransitions
  static constexpr std::size_t kMaxTransitions = 20;
};

/// An exit node change the caller must make (and report back on failure).
struct ExitNodeAction {
  std::string exit_node;  ///< the node to use; "" = stop using an exit node
};

/// A reportable happening: NDJSON on stdout, and a webhook POST when alert is true.
struct MonitorEvent {
  std::string type;  ///< check, failover, restore, restore_probe, unknown, recovered
  bool alert = false;
  Health health = Health::unknown;
  std::string reason;
  std::optional<Transition> transition;
};

struct Step {
  MonitorState state;
  std::vector<MonitorEvent> events;
  std::optional<ExitNodeAction> action;
};

/// The mode an observed exit node means: the primary, another listed node (failover), none
/// (local). A node not in the list reads as failover.
Mode mode_for(const FailoverSettings& s, const std::string& exit_node);

/// Whether this check, if it fails, completes a failover: the caller then measures the
/// candidates (exit nodes other than the current one) and passes their health to on_check.
bool failover_due(const MonitorState& st, const FailoverSettings& s, Health check);

/// The exit nodes to probe before failing over, in the order they are preferred.
std::vector<std::string> failover_candidates(const MonitorState& st, const FailoverSettings& s);

/// Feeds one check result. candidates: health of the failover candidates (needed only when
/// failover_due; missing ones count as failed).
Step on_check(const MonitorState& st, const FailoverSettings& s, Health check, const std::string& reason,
              Clock::time_point now, const std::map<std::string, Health>& candidates = {});

/// Whether the primary should be probed now: away from it, with restoreInterval passed since
/// the last probe (or never probed).
bool restore_probe_due(const MonitorState& st, const FailoverSettings& s, Clock::time_point now,
                       std::chrono::milliseconds restore_interval);

/// Feeds one probe of the primary (only meaningful away from it).
Step on_restore_probe(const MonitorState& st, const FailoverSettings& s, Health primary, const std::string& reason,
                      Clock::time_point now);

/// The step when the action of step could not be made (tailscaled refused the prefs change):
/// mode and exit node stay as before, the check is still counted, and the failover or restore
/// stays due, so the next check or probe tries again. Adds an "action_failed" alert event.
Step on_action_failed(const MonitorState& before, const Step& step, const std::string& error);

} // namespace meshops::monitor
