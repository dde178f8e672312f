// ts-monitor's views: event lines (exact text, columns aligned with or without colour, the
// same event's NDJSON record) and --status as text and JSON, exact.
#include "view.hpp"
#include "view_test.hpp"

#include <catch2/catch.hpp>

namespace {

namespace mon = meshops::monitor;

// 2026-11-20T18:50:58.238Z
const mon::Clock::time_point kAt{std::chrono::milliseconds(1795200658238)};

mon::RunnerEvent started() {
  return {kAt, {"started", false, mon::Health::unknown, "no state file: starting from the exit node in use", std::nullopt},
          mon::Mode::local, "", 0, 0, false, std::nullopt};
}

mon::RunnerEvent failover_dry_run() {
  mon::Transition t{kAt, mon::Mode::primary, mon::Mode::failover, "exit-a", "exit-b", "exit-a: loss 100% > 5%"};
  return {kAt + std::chrono::milliseconds(1608), {"failover", true, mon::Health::failed, "exit-a: loss 100% > 5%", t},
          mon::Mode::failover, "exit-b", 0, 0, true, std::nullopt};
}

mon::RunnerEvent check_healthy() {
  return {kAt, {"check", false, mon::Health::healthy, "", std::nullopt}, mon::Mode::primary, "exit-a", 0, 2, false,
          std::vector<mon::CheckedTarget>{{"laptop", "100.64.0.7", mon::Verdict::ok, 1.25, 0, "direct 198.18.0.11:41641"},
                                          {"exit-a", "100.64.0.3", mon::Verdict::down, std::nullopt, 100, ""}}};
}

std::string strip_colour(const std::string& s) {
  std::string bare;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    bare += s[i];
  }
  return bare;
}

} // namespace

TEST_CASE("Event lines: exact text for people", "[ts-monitor][view]") {
  meshops::cli::Output plain;
  CHECK(ts_monitor::to_text(started(), plain) ==
        "2026-11-20T18:50:58.238Z  started                  local     exit node none          "
        "no state file: starting from the exit node in use\n");
  CHECK(ts_monitor::to_text(failover_dry_run(), plain) ==
        "2026-11-20T18:50:59.846Z  failover (dry run)       failover  exit node exit-b        exit-a: loss 100% > 5%\n");
  // No reason: the line ends after the exit node, without trailing blanks.
  CHECK(ts_monitor::to_text(check_healthy(), plain) ==
        "2026-11-20T18:50:58.238Z  check healthy            primary   exit node exit-a\n");
}

TEST_CASE("Event lines keep their columns aligned, coloured or not", "[ts-monitor][view]") {
  meshops::cli::Output plain, coloured;
  coloured.color = true;
  auto probe = started();
  probe.event.type = "restore_probe";
  probe.dry_run = true;
  for (const auto* out : {&plain, &coloured}) {
    auto a = strip_colour(ts_monitor::to_text(started(), *out));
    auto b = strip_colour(ts_monitor::to_text(probe, *out));
    REQUIRE(a.find("  local ") != std::string::npos);
    CHECK(a.find("  local ") == b.find("  local "));
  }
  // Colour marks the event word only: a failover is red.
  CHECK(ts_monitor::to_text(failover_dry_run(), coloured).find("\x1b[31mfailover (dry run)") != std::string::npos);
}

TEST_CASE("Event records: the NDJSON of each event", "[ts-monitor][view][json]") {
  CHECK(mon::to_json(started()).dump() ==
        R"({"ts":"2026-11-20T18:50:58.238Z","event":"started","health":"unknown",)"
        R"("reason":"no state file: starting from the exit node in use","mode":"local","exit_node":null,)"
        R"("consecutive_failures":0,"primary_healthy_streak":0})");
  CHECK(mon::to_json(failover_dry_run()).dump() ==
        R"({"ts":"2026-11-20T18:50:59.846Z","event":"failover","health":"failed","reason":"exit-a: loss 100% > 5%",)"
        R"("mode":"failover","exit_node":"exit-b","consecutive_failures":0,"primary_healthy_streak":0,)"
        R"("transition":{"from":"primary","to":"failover","from_exit_node":"exit-a","to_exit_node":"exit-b"},)"
        R"("dry_run":true})");
  CHECK(mon::to_json(check_healthy()).dump() ==
        R"({"ts":"2026-11-20T18:50:58.238Z","event":"check","health":"healthy","reason":"","mode":"primary",)"
        R"("exit_node":"exit-a","consecutive_failures":0,"primary_healthy_streak":2,"targets":[)"
        R"({"name":"laptop","ip":"100.64.0.7","verdict":"ok","avg_ms":1.25,"loss_pct":0.0,"path":"direct 198.18.0.11:41641"},)"
        R"({"name":"exit-a","ip":"100.64.0.3","verdict":"down","avg_ms":null,"loss_pct":100.0,"path":""}]})");
}

TEST_CASE("--status JSON says when it was made, right after the schema", "[ts-monitor][view][json]") {
  auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
  auto j = ts_monitor::to_json(ts_monitor::Status{"/var/lib/meshops/monitor.json", std::nullopt}, at);
  auto it = j.begin();
  CHECK(it.key() == "schema");
  ++it;
  CHECK(it.key() == "generated_at");
  CHECK(j["generated_at"] == "2026-11-18T11:06:40Z");
  CHECK(j["status"] == "unknown");
  CHECK(j["state"].is_null());
}

namespace {
/// A state after one failover: on exit-b since exit-a lost every probe.
ts_monitor::Status failed_over() {
  mon::MonitorState st;
  st.mode = mon::Mode::failover;
  st.exit_node = "exit-b";
  st.consecutive_failures = 0;
  st.checks = 12;
  st.failed_checks = 3;
  st.last_health = mon::Health::healthy;
  st.last_check = kAt;
  st.transitions.push_back({kAt, mon::Mode::primary, mon::Mode::failover, "exit-a", "exit-b", "exit-a: loss 100% > 5%"});
  return {"/var/lib/meshops/monitor.json", st};
}
} // namespace

TEST_CASE("--status text: the state table, the transitions, the file; exact", "[ts-monitor][view]") {
  auto out = plain_output();
  CHECK(ts_monitor::to_text(failed_over(), out) ==
        "MODE      EXIT NODE  LAST CHECK                HEALTH   FAILED IN A ROW  CHECKS  FAILED  REASON\n"
        "failover  exit-b     2026-11-20T18:50:58.238Z  healthy                0      12       3  -\n"
        "\n"
        "AT                        FROM              TO                 REASON\n"
        "2026-11-20T18:50:58.238Z  primary (exit-a)  failover (exit-b)  exit-a: loss 100% > 5%\n"
        "\n"
        "State file /var/lib/meshops/monitor.json.\n");
  CHECK(ts_monitor::status_code(failed_over()) == meshops::Exit::warning);
  CHECK(ts_monitor::to_text(ts_monitor::Status{"/var/lib/meshops/monitor.json", std::nullopt}, out) ==
        "No state at /var/lib/meshops/monitor.json: ts-monitor has not run here yet.\n");
}

TEST_CASE("--status JSON of a state: the state file's document under state, without its schema", "[ts-monitor][view][json]") {
  CHECK(without_time(ts_monitor::to_json(failed_over(), std::chrono::system_clock::now())) ==
        R"({"schema":"meshops/ts-monitor/1","state_file":"/var/lib/meshops/monitor.json","status":"warning","state":)"
        R"({"mode":"failover","exit_node":"exit-b","consecutive_failures":0,"primary_healthy_streak":0,"checks":12,)"
        R"("failed_checks":3,"unknown_checks":0,"last_health":"healthy","last_reason":"","last_check":"2026-11-20T18:50:58.238Z",)"
        R"("last_restore_probe":null,"transitions":[{"at":"2026-11-20T18:50:58.238Z","from":"primary","to":"failover",)"
        R"("from_exit_node":"exit-a","to_exit_node":"exit-b","reason":"exit-a: loss 100% > 5%"}]}})");
}
