#include "meshops/monitor/failover.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace meshops::monitor {
namespace {

const std::string& primary_of(const FailoverSettings& s) {
  static const std::string none;
  return s.exit_nodes.empty() ? none : s.exit_nodes.front();
}

std::string or_none(const std::string& s) { return s.empty() ? "none" : s; }

void record(MonitorState& st, Transition t) {
  st.transitions.push_back(std::move(t));
  while (st.transitions.size() > MonitorState::kMaxTransitions) st.transitions.pop_front();
}

} // namespace

const char* to_string(Mode m) {
  switch (m) {
  case Mode::primary: return "primary";
  case Mode::failover: return "failover";
  case Mode::local: return "local";
  }
  return "?";
}

const char* to_string(Health h) {
  switch (h) {
  case Health::healthy: return "healthy";
  case Health::failed: return "failed";
  case Health::unknown: return "unknown";
  }
  return "?";
}

std::optional<Mode> parse_mode(const std::string& s) {
  for (auto m : {Mode::primary, Mode::failover, Mode::local})
    if (s == to_string(m)) return m;
  return std::nullopt;
}

Mode mode_for(const FailoverSettings& s, const std::string& exit_node) {
  if (exit_node.empty()) return s.exit_nodes.empty() ? Mode::primary : Mode::local;
  return exit_node == primary_of(s) ? Mode::primary : Mode::failover;
}

bool failover_due(const MonitorState& st, const FailoverSettings& s, Health check) {
  return check == Health::failed && s.auto_failover && !s.exit_nodes.empty() && st.mode != Mode::local &&
         st.consecutive_failures + 1 >= s.failure_threshold;
}

std::vector<std::string> failover_candidates(const MonitorState& st, const FailoverSettings& s) {
  // After the current node in list order, wrapping around: the next one is preferred, and the
  // primary comes back into play last.
  std::vector<std::string> out;
  const auto& nodes = s.exit_nodes;
  auto cur = std::find(nodes.begin(), nodes.end(), st.exit_node);
  std::size_t start = cur == nodes.end() ? 0 : static_cast<std::size_t>(cur - nodes.begin()) + 1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[(start + i) % nodes.size()];
    if (n != st.exit_node && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

Step on_check(const MonitorState& st, const FailoverSettings& s, Health check, const std::string& reason,
              Clock::time_point now, const std::map<std::string, Health>& candidates) {
  Step step{st, {}, std::nullopt};
  auto& next = step.state;
  next.last_check = now;
  next.last_health = check;
  next.last_reason = check == Health::healthy ? std::string() : reason;
  next.checks++;
  if (check == Health::unknown) {
    next.unknown_checks++;
    // Said once when it starts, and once when it ends (below): not at every check.
    if (st.last_health != Health::unknown) step.events.push_back({"unknown", true, check, reason, std::nullopt});
    step.events.push_back({"check", false, check, reason, std::nullopt});
    return step;
  }
  if (st.last_health == Health::unknown && st.checks > 0)
    step.events.push_back({"recovered", true, check, "tailscaled answers again", std::nullopt});
  if (check == Health::healthy) {
    next.consecutive_failures = 0;
    step.events.push_back({"check", false, check, "", std::nullopt});
    return step;
  }
  next.failed_checks++;
  bool due = failover_due(st, s, check);
  next.consecutive_failures = st.consecutive_failures + 1;
  step.events.push_back({"check", false, check, reason, std::nullopt});
  if (!due) return step;

  std::string to;
  for (const auto& c : failover_candidates(st, s)) {
    auto h = candidates.find(c);
    if (h != candidates.end() && h->second == Health::healthy) {
      to = c;
      break;
    }
  }
  Transition t{now, st.mode, mode_for(s, to), st.exit_node, to,
               fmt::format("{} failed checks in a row (last: {}); {}", next.consecutive_failures, reason,
                           to.empty() ? "no healthy exit node, using the local network" : "next healthy exit node: " + to)};
  next.mode = t.to;
  next.exit_node = to;
  next.consecutive_failures = 0;
  next.primary_healthy_streak = 0;
  next.last_restore_probe = now;  // the primary just failed: the first restore probe waits a full interval
  record(next, t);
  step.events.push_back({"failover", true, check, t.reason, t});
  step.action = ExitNodeAction{to};
  return step;
}

bool restore_probe_due(const MonitorState& st, const FailoverSettings& s, Clock::time_point now,
                       std::chrono::milliseconds restore_interval) {
  if (s.exit_nodes.empty() || st.mode == Mode::primary || !s.auto_failover) return false;
  return !st.last_restore_probe || now - *st.last_restore_probe >= restore_interval;
}

Step on_restore_probe(const MonitorState& st, const FailoverSettings& s, Health primary, const std::string& reason,
                      Clock::time_point now) {
  Step step{st, {}, std::nullopt};
  auto& next = step.state;
  next.last_restore_probe = now;
  if (st.mode == Mode::primary || s.exit_nodes.empty()) return step;
  // Unknown (tailscaled unreachable) neither breaks nor extends the streak.
  if (primary == Health::healthy) next.primary_healthy_streak++;
  else if (primary == Health::failed) next.primary_healthy_streak = 0;
  step.events.push_back({"restore_probe", false, primary,
                         primary == Health::healthy
                             ? fmt::format("{} healthy {}/{}", primary_of(s), next.primary_healthy_streak, s.restore_threshold)
                             : reason,
                         std::nullopt});
  if (primary != Health::healthy || next.primary_healthy_streak < s.restore_threshold) return step;
  Transition t{now, st.mode, Mode::primary, st.exit_node, primary_of(s),
               fmt::format("{} healthy for {} probes in a row", primary_of(s), next.primary_healthy_streak)};
  next.mode = Mode::primary;
  next.exit_node = primary_of(s);
  next.primary_healthy_streak = 0;
  next.consecutive_failures = 0;
  record(next, t);
  step.events.push_back({"restore", true, primary, t.reason, t});
  step.action = ExitNodeAction{primary_of(s)};
  return step;
}

Step on_action_failed(const MonitorState& before, const Step& step, const std::string& error) {
  Step out{step.state, {}, std::nullopt};
  auto& next = out.state;
  next.mode = before.mode;
  next.exit_node = before.exit_node;
  next.transitions = before.transitions;
  next.last_restore_probe = step.state.last_restore_probe;
  for (const auto& e : step.events) {
    if (e.type == "failover") next.consecutive_failures = before.consecutive_failures + 1;
    else if (e.type == "restore") next.primary_healthy_streak = before.primary_healthy_streak + 1;
    else out.events.push_back(e);
  }
  std::string target = step.action ? or_none(step.action->exit_node) : "?";
  out.events.push_back({"action_failed", true, step.state.last_health,
                        fmt::format("could not switch the exit node to {}: {}", target, error), std::nullopt});
  return out;
}

} // namespace meshops::monitor
