// nginx-test's verdict and views, on what the real nginx printed (tests/fixtures/nginx-test/
// capture.sh says how: Debian 12's nginx 1.22.1 on conf/, one edit per case): the diagnostics
// of `nginx -t`, the model of `nginx -T`, and the checks that need no network run on it.
#include "view.hpp"
#include "fixture.hpp"
#include "view_test.hpp"

#include "meshops/checks/nginx_test.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/nginx/diag.hpp"

#include <catch2/catch.hpp>

using namespace meshops;
using meshops::checks::nginx_test::Report;

namespace {

const std::string kConf = "/tmp/meshops-nginx-fixture/conf/nginx.conf";

std::string fixture(const std::string& name) { return read_fixture("nginx-test/" + name); }

/// The run as nginx-test makes it: nginx's stderr parsed, its exit status.
Report ran(const std::string& stderr_fixture, int exit_code, bool dumped) {
  Report r;
  r.config_file = kConf;
  r.dumped = dumped;
  r.run.binary = "/usr/sbin/nginx";
  r.run.argv = {"/usr/sbin/nginx", "-c", kConf, dumped ? "-T" : "-t"};
  r.run.exit_code = exit_code;
  r.run.elapsed = std::chrono::milliseconds(12);
  r.run.diagnostics = nginx::parse_diagnostics(fixture(stderr_fixture));
  r.syntax_ok = r.run.ok();
  return r;
}

/// The valid configuration with ollama declared: the services and duplicates checks on its dump.
Report valid() {
  Report r = ran("valid.stderr", 0, /*dumped=*/true);
  auto model = nginx::read_dump(fixture("valid.dump"));
  nginx::DeclaredService ollama{"ollama", "ollama.kernelcore.example.ts.net", "127.0.0.1", 11434, "20r/s", "500M", "/api/tags"};
  r.checks = nginx::check_services(model, {ollama});
  auto dups = nginx::check_duplicate_names(model);
  r.checks.insert(r.checks.end(), dups.begin(), dups.end());
  r.verdict = checks::nginx_test::judge(r);
  return r;
}

} // namespace

TEST_CASE("A valid configuration with an undeclared server block: warning, in every view", "[nginx-test][view]") {
  auto r = valid();
  CHECK(r.verdict.state == Exit::warning);
  CHECK(r.verdict.reasons == std::vector<std::string>{"undeclared:llama.kernelcore.example.ts.net: server block "
                                                      "llama.kernelcore.example.ts.net proxies but no service in "
                                                      "nginx.services has its name"});
  CHECK(nginx_test::to_text(r, plain_output(), false) ==
        "nginx -T: syntax ok (12.0ms)\n"
        "\n"
        "CHECK                                       STATUS   WHERE                                                REASON\n"
        "service:ollama                              ok       /tmp/meshops-nginx-fixture/conf/nginx.conf:17        ollama.kernelcore.example.ts.net -> 127.0.0.1:11434, 20r/s, body 500M\n"
        "undeclared:llama.kernelcore.example.ts.net  warning  /tmp/meshops-nginx-fixture/conf/conf.d/llama.conf:1  server block llama.kernelcore.example.ts.net proxies but no service in nginx.services has its name\n"
        "\n"
        "2 checks: 1 ok, 1 warning, 0 critical.\n");
  CHECK(without_time(nginx_test::to_json(r)) ==
        R"x({"schema":"meshops/nginx-test/1","status":"warning","reasons":["undeclared:llama.kernelcore.example.ts.net: server block llama.kernelcore.example.ts.net proxies but no service in nginx.services has its name"],"hint":null,"problem":null,"syntax_ok":true,"config_file":"/tmp/meshops-nginx-fixture/conf/nginx.conf","candidate":false,"nginx":{"binary":"/usr/sbin/nginx","argv":["/usr/sbin/nginx","-c","/tmp/meshops-nginx-fixture/conf/nginx.conf","-T"],"exit_code":0,"elapsed_ms":12},"diagnostics":[{"level":"notice","message":"the configuration file /tmp/meshops-nginx-fixture/conf/nginx.conf syntax is ok","file":null,"line":null},{"level":"notice","message":"configuration file /tmp/meshops-nginx-fixture/conf/nginx.conf test is successful","file":null,"line":null}],"skipped":[],"checks":[{"name":"service:ollama","kind":"service","status":"ok","reason":"ollama.kernelcore.example.ts.net -> 127.0.0.1:11434, 20r/s, body 500M","file":"/tmp/meshops-nginx-fixture/conf/nginx.conf","line":17,"also_file":null,"also_line":null,"latency_ms":null},{"name":"undeclared:llama.kernelcore.example.ts.net","kind":"undeclared","status":"warning","reason":"server block llama.kernelcore.example.ts.net proxies but no service in nginx.services has its name","file":"/tmp/meshops-nginx-fixture/conf/conf.d/llama.conf","line":1,"also_file":null,"also_line":null,"latency_ms":null}]})x");
  CHECK(cli::render_prom(nginx_test::to_prom(r)) ==
        "# HELP meshops_nginx_test_syntax_ok 1 when nginx accepted the configuration\n"
        "# TYPE meshops_nginx_test_syntax_ok gauge\n"
        "meshops_nginx_test_syntax_ok 1\n"
        "# HELP meshops_nginx_test_diagnostics Lines nginx printed, by level\n"
        "# TYPE meshops_nginx_test_diagnostics gauge\n"
        "meshops_nginx_test_diagnostics{level=\"emerg\"} 0\n"
        "meshops_nginx_test_diagnostics{level=\"alert\"} 0\n"
        "meshops_nginx_test_diagnostics{level=\"crit\"} 0\n"
        "meshops_nginx_test_diagnostics{level=\"error\"} 0\n"
        "meshops_nginx_test_diagnostics{level=\"warn\"} 0\n"
        "meshops_nginx_test_diagnostics{level=\"notice\"} 2\n"
        "# HELP meshops_nginx_test_check_state Check result: 0 ok, 1 warning, 2 critical\n"
        "# TYPE meshops_nginx_test_check_state gauge\n"
        "meshops_nginx_test_check_state{check=\"service:ollama\",kind=\"service\"} 0\n"
        "meshops_nginx_test_check_state{check=\"undeclared:llama.kernelcore.example.ts.net\",kind=\"undeclared\"} 1\n"
        "# HELP meshops_nginx_test_check_latency_seconds Probe latency of a check\n"
        "# TYPE meshops_nginx_test_check_latency_seconds gauge\n"
        "# HELP meshops_nginx_test_certificate_expiry_timestamp_seconds When a certificate nginx serves expires (notAfter), in seconds since the Unix epoch\n"
        "# TYPE meshops_nginx_test_certificate_expiry_timestamp_seconds gauge\n");
  CHECK(nginx_test::ok_text(r) == "configuration ok, 2 checks ok");
}

TEST_CASE("A configuration nginx rejects: critical, nginx's error first, no checks", "[nginx-test][view]") {
  auto r = ran("missing_semicolon.stderr", 1, /*dumped=*/true);
  r.verdict = checks::nginx_test::judge(r);
  CHECK(r.verdict.state == Exit::critical);
  CHECK(nginx_test::to_text(r, plain_output(), false) ==
        "nginx -T: configuration rejected (12.0ms)\n"
        "LEVEL   WHERE                                         MESSAGE\n"
        "emerg   /tmp/meshops-nginx-fixture/conf/nginx.conf:4  directive \"pid\" is not terminated by \";\"\n"
        "notice  -                                             configuration file /tmp/meshops-nginx-fixture/conf/nginx.conf test failed\n");
  CHECK(without_time(nginx_test::to_json(r)) ==
        R"x({"schema":"meshops/nginx-test/1","status":"critical","reasons":["nginx [emerg] directive \"pid\" is not terminated by \";\" in /tmp/meshops-nginx-fixture/conf/nginx.conf:4"],"hint":null,"problem":null,"syntax_ok":false,"config_file":"/tmp/meshops-nginx-fixture/conf/nginx.conf","candidate":false,"nginx":{"binary":"/usr/sbin/nginx","argv":["/usr/sbin/nginx","-c","/tmp/meshops-nginx-fixture/conf/nginx.conf","-T"],"exit_code":1,"elapsed_ms":12},"diagnostics":[{"level":"emerg","message":"directive \"pid\" is not terminated by \";\"","file":"/tmp/meshops-nginx-fixture/conf/nginx.conf","line":4},{"level":"notice","message":"configuration file /tmp/meshops-nginx-fixture/conf/nginx.conf test failed","file":null,"line":null}],"skipped":[],"checks":[]})x");
}

TEST_CASE("A permission nginx lacked is UNKNOWN with the hint, not a broken configuration", "[nginx-test][verdict]") {
  // collect() names the problem and the hint from nginx's own message (13: Permission denied).
  auto r = ran("pid_permission.stderr", 1, /*dumped=*/false);
  auto needs = nginx::missing_permission(r.run.diagnostics.at(1));
  REQUIRE(needs);
  r.problem = "nginx needs a permission user root lacks: open() \"/tmp/meshops-nginx-fixture/logs/nginx.pid\" failed (13: Permission denied)";
  r.hint = "root here lacks " + *needs + "; give it to the unit running nginx-test (CapabilityBoundingSet=, ReadWritePaths=)";
  auto v = checks::nginx_test::judge(r);
  CHECK(v.state == Exit::unknown);
  REQUIRE(v.reasons.size() == 2);
  CHECK(v.reasons[0] == r.problem);
  CHECK(v.reasons[1] == "nginx [emerg] open() \"/tmp/meshops-nginx-fixture/logs/nginx.pid\" failed (13: Permission denied)");
  CHECK(v.hint == r.hint);
  r.verdict = v;
  auto doc = nginx_test::to_json(r);
  CHECK(doc["status"] == "unknown");
  CHECK(doc["hint"] == r.hint);
  CHECK(doc["problem"] == r.problem);
}

TEST_CASE("Check states are the words of every status; the summary counts them so", "[nginx-test][view]") {
  auto r = valid();
  r.checks.push_back({"upstream:127.0.0.1:9", "upstream", Exit::critical, "TCP connect to 127.0.0.1:9 failed: refused", {}, {}, {}});
  r.verdict = checks::nginx_test::judge(r);
  CHECK(r.verdict.state == Exit::critical);
  CHECK(r.verdict.reasons.front() == "upstream:127.0.0.1:9: TCP connect to 127.0.0.1:9 failed: refused");  // critical first
  CHECK(nginx_test::to_json(r)["checks"][2]["status"] == "critical");
  CHECK_THAT(nginx_test::to_text(r, plain_output(), false), Catch::EndsWith("3 checks: 1 ok, 1 warning, 1 critical.\n"));
}
