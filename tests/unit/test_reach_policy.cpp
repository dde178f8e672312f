// meshops-reach --policy (lib/tailscale/policy.hpp, lib/checks/reach run_policy_tests) and
// --check (check_intent), on the test tailnet's real policy file and the LocalAPI replies
// captured from kernelcore (tests/fixtures/reach/policy/README, tests/fixtures/reach/tailnet).
// The expectations headscale itself fails (headscale-check.txt) are the ones found failing
// here, where they concern this node.
#include "reach_facts.hpp"

#include "meshops/checks/reach.hpp"
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"

#include <catch2/catch.hpp>

using namespace meshops::checks::reach;
using meshops::Exit;

namespace {

Facts facts() { return captured_facts(); }

std::string parse_error(const std::string& text) {
  try {
    meshops::tailscale::parse_policy(text, "p.hujson");
  } catch (const meshops::Error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("HuJSON: comments and trailing commas are read, offsets are kept") {
  CHECK(meshops::tailscale::hujson_to_json("{\"a\": [1, 2,], // x\n}") == "{\"a\": [1, 2 ]      \n}");
  CHECK(meshops::tailscale::hujson_to_json("{\"u\": \"//not a comment,\"}") == "{\"u\": \"//not a comment,\"}");
  auto p = meshops::tailscale::parse_policy(read_fixture("reach/policy/tailnet.hujson"), "tailnet.hujson");
  REQUIRE(p.tests.size() == 4);
  CHECK(p.tests[0].src == "tag:client");
  CHECK(p.tests[0].accept == std::vector<std::string>{"tag:server:80", "tag:server:5432"});
  CHECK(p.tests[2].proto == "tcp");
  CHECK(p.hosts.front().first == "lan");
}

TEST_CASE("a policy that does not parse names FILE:LINE:COL, where headscale does") {
  // headscale: "hujson: line 3, column 49: invalid character '\"' after object value"
  CHECK(read_fixture("reach/policy/broken-headscale.txt").find("line 3, column 49") != std::string::npos);
  CHECK(parse_error(read_fixture("reach/policy/broken.hujson"))==
        "p.hujson:3:49: not valid HuJSON: unexpected string literal; expected '}'");
  CHECK(parse_error("{\n  /* open") == "p.hujson:2:3: a /* comment is not closed");
  CHECK(parse_error("{\"tests\": [\n  {\"accept\": []}]}") == "p.hujson:2:3: tests: an entry needs \"src\" (a string)");
  CHECK(parse_error("{\"tests\": [{\"src\": \"a\", \"acept\": []}]}") == "p.hujson:1:12: tests: unknown key \"acept\"");
  CHECK(parse_error("[]") == "p.hujson:1:1: the policy must be an object");
}

TEST_CASE("the tests block against kernelcore's live filter") {
  auto p = meshops::tailscale::parse_policy(read_fixture("reach/policy/tailnet.hujson"), "tailnet.hujson");
  auto results = run_policy_tests(p, facts());
  std::vector<std::string> got;
  for (const auto& r : results) got.push_back(r.expect + " " + r.src + " " + r.dst + ": " + to_string(r.verdict));
  CHECK(got == std::vector<std::string>{
                   "accept tag:client tag:server:80: pass",
                   "accept tag:client tag:server:5432: pass",
                   "deny tag:client tag:server:3000: pass",
                   "accept admin@ 100.64.0.1:22: pass",
                   "accept tag:client tag:server:22: block",     // headscale: expected ALLOWED, got DENIED
                   "accept tag:client 100.64.0.3:80: skipped",   // another node's filter decides
               });
  CHECK(results[4].reason == "100.64.0.2 may not reach tcp/22: expected accept");
  CHECK(results[4].line == p.tests[2].line);
  CHECK(policy_tests_state(results) == Exit::critical);
  CHECK(policy_tests_state({results[0]}) == Exit::ok);
  CHECK(policy_tests_state({results[5]}) == Exit::unknown);
}

TEST_CASE("--check: allowFrom against the walk, both ways") {
  auto cfg = meshops::config::parse(R"({"nginx": {"services": {
      "ollama": {"upstreamPort": 11434, "allowFrom": ["tag:client"]},
      "llama": {"upstreamPort": 8080, "allowFrom": ["admin@"]},
      "open": {"upstreamPort": 1}}}})", "c");
  CHECK(cfg.nginx.services.at("ollama").allow_from == std::vector<std::string>{"tag:client"});
  CHECK_FALSE(cfg.nginx.services.at("open").allow_from);
  auto f = facts();
  auto laptop = resolve_source("laptop", "", *f.status.value);
  auto other = resolve_source("other-server", "", *f.status.value);
  CHECK(declared({"tag:client"}, laptop, f));
  CHECK_FALSE(declared({"tag:client"}, other, f));
  CHECK(declared({"admin@"}, other, f));
  CHECK_FALSE(declared({"admin@"}, laptop, f));  // a tagged node belongs to no user
  CHECK(declared({"other-server"}, other, f));
  auto report = [&](const Source& s, const std::string& svc, Exit state) {
    Report r;
    r.source = s;
    r.target.service = svc;
    r.state = state;
    r.conclusion = state == Exit::critical ? "blocked at proxy: x" : "reachable";
    return r;
  };
  auto findings = check_intent({report(laptop, "ollama", Exit::ok), report(other, "ollama", Exit::ok),
                                report(other, "llama", Exit::critical), report(laptop, "llama", Exit::critical),
                                report(laptop, "open", Exit::ok)},
                               f, cfg);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].severity == Exit::critical);
  CHECK(findings[0].what == "other-server reaches ollama but its allowFrom does not list it");
  CHECK(findings[1].severity == Exit::warning);
  CHECK(findings[1].what == "other-server is declared for llama but blocked at proxy: x");
  CHECK_THROWS_WITH(meshops::config::parse(R"({"nginx": {"services": {"a": {"allowFrom": "tag:x"}}}})", "c"),
                    Catch::Contains("nginx.services.a.allowFrom"));
}
