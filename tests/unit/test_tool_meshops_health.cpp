// meshops-health's worst-of and views, on outcomes built here: the rule of its man page
// (critical > unknown > warning > ok) from meshops::worst, and the exact text, JSON and metrics.
#include "health.hpp"
#include "view.hpp"
#include "view_test.hpp"

#include "meshops/cli/prom.hpp"

#include <catch2/catch.hpp>

using meshops::Exit;

namespace {

health::Outcome outcome(const std::string& name, Exit state, const std::string& reason, std::optional<int> exit_code) {
  health::Outcome o;
  o.name = name;
  o.state = state;
  o.reason = reason;
  o.exit_code = exit_code;
  o.elapsed_ms = 1500;
  o.argv = {name, "--json"};
  return o;
}

health::Health critical_and_unknown() {
  health::Health h;
  h.checks = {outcome("fw-status", Exit::critical, "tcp/8443 is open to 198.51.100.7 on eth0, but no zone declares it", 2),
              outcome("nginx-test", Exit::unknown, "timed out after 2 s", std::nullopt)};
  h.state = health::worst_of(h.checks);
  return h;
}

} // namespace

TEST_CASE("Worst of one critical and one unknown check is CRITICAL, exit 2", "[meshops-health]") {
  auto h = critical_and_unknown();
  CHECK(h.state == Exit::critical);
  CHECK(health::to_text(h, plain_output()) ==
        "CRITICAL  fw-status   tcp/8443 is open to 198.51.100.7 on eth0, but no zone declares it\n"
        "UNKNOWN   nginx-test  timed out after 2 s\n"
        "CRITICAL: 1 critical, 1 unknown of 2 checks\n");
  CHECK(without_time(health::to_json(h)) ==
        R"x({"schema":"meshops/meshops-health/1","status":"critical","reasons":["fw-status: tcp/8443 is open to 198.51.100.7 on eth0, but no zone declares it",)x"
        R"x("nginx-test: timed out after 2 s"],"exit_code":2,"checks":{"fw-status":{"state":"critical","reason":"tcp/8443 is open to 198.51.100.7 on eth0, but no zone declares it",)x"
        R"x("exit_code":2,"elapsed_ms":1500.0,"argv":["fw-status","--json"],"result":null},"nginx-test":{"state":"unknown","reason":"timed out after 2 s",)x"
        R"x("exit_code":null,"elapsed_ms":1500.0,"argv":["nginx-test","--json"],"result":null}}})x");
  CHECK(meshops::cli::render_prom(health::to_prom(h)) ==
        "# HELP meshops_health_check_state State of each check of meshops-health: 0 ok, 1 warning, 2 critical, 3 unknown\n"
        "# TYPE meshops_health_check_state gauge\n"
        "meshops_health_check_state{check=\"fw-status\"} 2\n"
        "meshops_health_check_state{check=\"nginx-test\"} 3\n"
        "# HELP meshops_health_check_duration_seconds How long each check of meshops-health ran\n"
        "# TYPE meshops_health_check_duration_seconds gauge\n"
        "meshops_health_check_duration_seconds{check=\"fw-status\"} 1.5\n"
        "meshops_health_check_duration_seconds{check=\"nginx-test\"} 1.5\n");
  auto s = health::to_verdict(h);
  CHECK(s.state == Exit::critical);
  CHECK(s.reasons.front() == "fw-status: tcp/8443 is open to 198.51.100.7 on eth0, but no zone declares it");
}

TEST_CASE("The order of states: critical > unknown > warning > ok, whatever the order of the checks", "[meshops-health]") {
  auto w = [](std::vector<Exit> states) {
    std::vector<health::Outcome> checks;
    for (auto s : states) checks.push_back(outcome("x", s, "", 0));
    return health::worst_of(checks);
  };
  CHECK(w({}) == Exit::ok);
  CHECK(w({Exit::ok, Exit::warning}) == Exit::warning);
  CHECK(w({Exit::warning, Exit::unknown}) == Exit::unknown);
  CHECK(w({Exit::unknown, Exit::critical}) == Exit::critical);
  CHECK(w({Exit::critical, Exit::unknown, Exit::warning, Exit::ok}) == Exit::critical);
}

TEST_CASE("All ok: one line per check and the overall line; reasons escaped before the terminal", "[meshops-health]") {
  health::Health h;
  h.checks = {outcome("ts-status", Exit::ok, "Running, 2/2 peers online", 0), outcome("fw-status", Exit::warning, "evil \x1b[31m red", 1)};
  h.state = health::worst_of(h.checks);
  CHECK(health::to_text(h, plain_output()) ==
        "OK        ts-status   Running, 2/2 peers online\n"
        "WARNING   fw-status   evil \\e[31m red\n"
        "WARNING: 1 warning of 2 checks\n");
  h.checks.pop_back();
  h.state = health::worst_of(h.checks);
  auto out = plain_output();
  CHECK(health::to_text(h, out) == "OK        ts-status   Running, 2/2 peers online\nOK: all 1 checks ok\n");
  out.legend = false;
  CHECK(health::to_text(h, out) == "OK        ts-status   Running, 2/2 peers online\n");
}
