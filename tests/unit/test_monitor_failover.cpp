// The failover state machine, transition by transition (pure: no tailnet, no clock).
#include "meshops/monitor/failover.hpp"

#include <catch2/catch.hpp>

using namespace meshops::monitor;
using namespace std::chrono_literals;

namespace {
FailoverSettings settings() { return {{"kernelcore", "other-server", "third"}, 3, 2, true}; }
MonitorState on(const std::string& node) {
  MonitorState st;
  st.exit_node = node;
  st.mode = mode_for(settings(), node);
  return st;
}
const Clock::time_point t0 = Clock::time_point(1800000000s);
std::vector<std::string> types(const Step& s) {
  std::vector<std::string> out;
  for (auto& e : s.events) out.push_back(e.type);
  return out;
}
} // namespace

TEST_CASE("mode_for reads the mode from the exit node in use", "[monitor][failover]") {
  CHECK(mode_for(settings(), "kernelcore") == Mode::primary);
  CHECK(mode_for(settings(), "third") == Mode::failover);
  CHECK(mode_for(settings(), "unlisted") == Mode::failover);
  CHECK(mode_for(settings(), "") == Mode::local);
  CHECK(mode_for(FailoverSettings{}, "") == Mode::primary);
  CHECK(parse_mode("local") == Mode::local);
  CHECK_FALSE(parse_mode("elsewhere"));
}

TEST_CASE("Failed checks below the threshold only count; a healthy check resets them", "[monitor][failover]") {
  auto s = settings();
  auto a = on_check(on("kernelcore"), s, Health::failed, "kernelcore: loss 40%", t0);
  CHECK(a.state.consecutive_failures == 1);
  CHECK_FALSE(a.action);
  CHECK(types(a) == std::vector<std::string>{"check"});
  CHECK(a.state.last_reason == "kernelcore: loss 40%");
  auto b = on_check(a.state, s, Health::failed, "x", t0 + 1s);
  CHECK(b.state.consecutive_failures == 2);
  CHECK_FALSE(failover_due(a.state, s, Health::healthy));
  CHECK(failover_due(b.state, s, Health::failed));
  auto c = on_check(b.state, s, Health::healthy, "", t0 + 2s);
  CHECK(c.state.consecutive_failures == 0);
  CHECK(c.state.checks == 3);
  CHECK(c.state.failed_checks == 2);
  CHECK(c.state.last_reason.empty());
}

TEST_CASE("The threshold-th failure fails over to the first healthy candidate after the current one", "[monitor][failover]") {
  auto s = settings();
  auto st = on("kernelcore");
  st.consecutive_failures = 2;
  CHECK(failover_candidates(st, s) == std::vector<std::string>{"other-server", "third"});
  SECTION("next one healthy") {
    auto step = on_check(st, s, Health::failed, "kernelcore: no reply", t0, {{"other-server", Health::healthy}, {"third", Health::healthy}});
    REQUIRE(step.action);
    CHECK(step.action->exit_node == "other-server");
    CHECK(step.state.mode == Mode::failover);
    CHECK(step.state.exit_node == "other-server");
    CHECK(step.state.consecutive_failures == 0);
    CHECK(types(step) == std::vector<std::string>{"check", "failover"});
    CHECK(step.events[1].alert);
    REQUIRE(step.state.transitions.size() == 1);
    CHECK(step.state.transitions[0].from_exit_node == "kernelcore");
    CHECK(step.state.transitions[0].reason == "3 failed checks in a row (last: kernelcore: no reply); next healthy exit node: other-server");
  }
  SECTION("next one down: skip to the one after") {
    auto step = on_check(st, s, Health::failed, "r", t0, {{"other-server", Health::failed}, {"third", Health::healthy}});
    REQUIRE(step.action);
    CHECK(step.action->exit_node == "third");
  }
  SECTION("none healthy (or unmeasured): off the exit node, local") {
    auto step = on_check(st, s, Health::failed, "r", t0, {{"other-server", Health::unknown}});
    REQUIRE(step.action);
    CHECK(step.action->exit_node.empty());
    CHECK(step.state.mode == Mode::local);
    CHECK(step.state.transitions.back().reason.find("using the local network") != std::string::npos);
  }
  SECTION("without enableAutoFailover it only counts") {
    s.auto_failover = false;
    auto step = on_check(st, s, Health::failed, "r", t0, {{"other-server", Health::healthy}});
    CHECK_FALSE(step.action);
    CHECK(step.state.consecutive_failures == 3);
  }
}

TEST_CASE("Candidates wrap around the list, the primary last; local has nothing to fail over from", "[monitor][failover]") {
  auto s = settings();
  CHECK(failover_candidates(on("other-server"), s) == std::vector<std::string>{"third", "kernelcore"});
  auto local = on("");
  local.consecutive_failures = 5;
  CHECK_FALSE(failover_due(local, s, Health::failed));
  CHECK_FALSE(on_check(local, s, Health::failed, "r", t0).action);
}

TEST_CASE("Unknown checks change no counter, and are said once; recovery is said once", "[monitor][failover]") {
  auto s = settings();
  auto st = on("kernelcore");
  st.consecutive_failures = 2;
  st.checks = 5;
  st.last_health = Health::failed;
  auto u1 = on_check(st, s, Health::unknown, "tailscaled unreachable", t0);
  CHECK(types(u1) == std::vector<std::string>{"unknown", "check"});
  CHECK(u1.state.consecutive_failures == 2);
  CHECK(u1.state.unknown_checks == 1);
  auto u2 = on_check(u1.state, s, Health::unknown, "tailscaled unreachable", t0 + 1s);
  CHECK(types(u2) == std::vector<std::string>{"check"});
  auto back = on_check(u2.state, s, Health::healthy, "", t0 + 2s);
  CHECK(types(back) == std::vector<std::string>{"recovered", "check"});
  CHECK(back.events[0].alert);
  CHECK(back.state.consecutive_failures == 0);
}

TEST_CASE("Restore: probes every restoreInterval away from the primary, restoreThreshold in a row", "[monitor][failover]") {
  auto s = settings();
  auto st = on("other-server");
  CHECK(restore_probe_due(st, s, t0, 10s));
  CHECK_FALSE(restore_probe_due(on("kernelcore"), s, t0, 10s));
  auto p1 = on_restore_probe(st, s, Health::healthy, "", t0);
  CHECK(p1.state.primary_healthy_streak == 1);
  CHECK_FALSE(p1.action);
  CHECK_FALSE(restore_probe_due(p1.state, s, t0 + 5s, 10s));
  CHECK(restore_probe_due(p1.state, s, t0 + 10s, 10s));
  SECTION("a failed probe restarts the count: no flapping") {
    auto f = on_restore_probe(p1.state, s, Health::failed, "kernelcore: loss 60%", t0 + 10s);
    CHECK(f.state.primary_healthy_streak == 0);
    CHECK(f.events[0].reason == "kernelcore: loss 60%");
    auto again = on_restore_probe(f.state, s, Health::healthy, "", t0 + 20s);
    CHECK_FALSE(again.action);
  }
  SECTION("an unknown probe neither breaks nor extends the streak") {
    auto u = on_restore_probe(p1.state, s, Health::unknown, "unreachable", t0 + 10s);
    CHECK(u.state.primary_healthy_streak == 1);
  }
  SECTION("the threshold-th healthy probe restores the primary") {
    auto p2 = on_restore_probe(p1.state, s, Health::healthy, "", t0 + 10s);
    REQUIRE(p2.action);
    CHECK(p2.action->exit_node == "kernelcore");
    CHECK(p2.state.mode == Mode::primary);
    CHECK(p2.state.primary_healthy_streak == 0);
    CHECK(types(p2) == std::vector<std::string>{"restore_probe", "restore"});
    CHECK(p2.events[1].alert);
    CHECK(p2.state.transitions.back().to == Mode::primary);
  }
}

TEST_CASE("After a failover the first restore probe waits a full interval", "[monitor][failover]") {
  auto s = settings();
  auto st = on("kernelcore");
  st.consecutive_failures = 2;
  auto f = on_check(st, s, Health::failed, "r", t0, {{"other-server", Health::healthy}});
  CHECK_FALSE(restore_probe_due(f.state, s, t0 + 1s, 5s));
  CHECK(restore_probe_due(f.state, s, t0 + 5s, 5s));
}

TEST_CASE("A refused exit node change keeps mode and node, and retries at the next check", "[monitor][failover]") {
  auto s = settings();
  auto st = on("kernelcore");
  st.consecutive_failures = 2;
  auto step = on_check(st, s, Health::failed, "r", t0, {{"other-server", Health::healthy}});
  auto failed = on_action_failed(st, step, "permission denied");
  CHECK(failed.state.mode == Mode::primary);
  CHECK(failed.state.exit_node == "kernelcore");
  CHECK(failed.state.transitions.empty());
  CHECK(failed.state.consecutive_failures == 3);
  CHECK(types(failed) == std::vector<std::string>{"check", "action_failed"});
  CHECK(failed.events.back().reason == "could not switch the exit node to other-server: permission denied");
  CHECK(failover_due(failed.state, s, Health::failed));
}

TEST_CASE("Transitions kept are the last kMaxTransitions", "[monitor][failover]") {
  FailoverSettings s{{"a", "b"}, 1, 1, true};
  MonitorState st;
  st.exit_node = std::string(1, 'a');
  for (int i = 0; i < 30; ++i) {
    std::map<std::string, Health> healthy{{"a", Health::healthy}, {"b", Health::healthy}};
    st = on_check(st, s, Health::failed, "r", t0 + std::chrono::seconds(i), healthy).state;
  }
  CHECK(st.transitions.size() == MonitorState::kMaxTransitions);
  CHECK(st.transitions.back().at == t0 + 29s);
}
