// config: the DESIGN.md example parses; unknown keys, wrong types and bad JSON name the place.
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"

#include "fixture.hpp"

#include <catch2/catch.hpp>


using namespace meshops;

namespace {
std::string error_of(const std::string& text) {
  try {
    config::parse(text, "test.json");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::unknown);
    return e.what();
  }
  return "no error";
}
} // namespace

TEST_CASE("The example config of the README parses with every field", "[config]") {
  auto c = config::parse(read_fixture("config/example.json"), "example.json");
  CHECK(c.tailscale.hostname == "kernelcore");
  CHECK(c.tailscale.tailnet_domain == "example.ts.net");
  CHECK(c.monitoring.check_interval_s == 30);
  CHECK(c.monitoring.failure_threshold == 3);
  CHECK(c.monitoring.enable_auto_failover);
  CHECK(c.monitoring.exit_nodes == std::vector<std::string>{"kernelcore", "other-server"});
  CHECK(c.monitoring.alert.webhook == "https://hooks.example.net/meshops");
  REQUIRE(c.nginx.services.count("ollama") == 1);
  CHECK(c.nginx.services.at("ollama").upstream_port == 11434);
  CHECK(c.nginx.services.at("ollama").health_path == "/api/tags");
  CHECK(c.firewall.zones.at("dmz").allowed_tcp_ports == std::vector<int>{80, 443});
  CHECK(c.firewall.zones.at("admin").allow_all_services);
  CHECK(c.firewall.zones.at("isolated").allowed_tcp_ports.empty());
}

TEST_CASE("An empty object gives the built-in defaults", "[config]") {
  auto c = config::parse("{}", "x");
  CHECK(c.monitoring.max_latency_ms == 200);
  CHECK(c.monitoring.max_packet_loss_pct == 5);
  CHECK(c.nginx.binary == "nginx");
  CHECK(c.firewall.default_policy.empty());  // undeclared: fw-status --check does not check it
  CHECK(c.firewall.tailscale_port == 41641);
}

TEST_CASE("Config errors name the file and the key path", "[config]") {
  CHECK(error_of(R"({"monitoring": {"maxLatncy": 5}})") == "test.json: monitoring.maxLatncy: unknown key");
  CHECK(error_of(R"({"monitoring": {"maxLatency": "fast"}})") ==
        "test.json: monitoring.maxLatency: expected a number, got string");
  CHECK(error_of(R"({"nginx": {"services": {"ollama": {"upstreamPort": 99999}}}})") ==
        "test.json: nginx.services.ollama.upstreamPort: must be between 1 and 65535, got number");
  CHECK(error_of(R"({"firewall": {"zones": {"dmz": {"allowedTCPPorts": [80, "443"]}}}})") ==
        "test.json: firewall.zones.dmz.allowedTCPPorts[1]: expected a port number 1-65535, got string");
  CHECK(error_of(R"({"firewall": {"defaultPolicy": "deny"}})") ==
        "test.json: firewall.defaultPolicy: \"deny\" is not one of drop, reject, accept");
  CHECK(error_of(R"({"tailscale": []})") == "test.json: tailscale: expected an object, got array");
  CHECK(error_of(R"([1])") == "test.json: (top level): expected an object, got array");
}

TEST_CASE("A JSON syntax error names line and column", "[config]") {
  auto msg = error_of("{\n  \"monitoring\": {\n    \"maxLatency\": 200,\n  }\n}");
  CHECK(msg.rfind("test.json:4:3: not valid JSON:", 0) == 0);
}

TEST_CASE("load reads MESHOPS_CONFIG and fails on a missing explicit file", "[config]") {
  CHECK_THROWS_WITH(config::load("/nonexistent/meshops.json"),
                    "/nonexistent/meshops.json: cannot open: No such file or directory");
  ::setenv("MESHOPS_CONFIG", MESHOPS_FIXTURES "/config/example.json", 1);
  CHECK(config::load("").tailscale.hostname == "kernelcore");
  ::unsetenv("MESHOPS_CONFIG");
}
