// meshops-health: the host check of the guide. ts-status, ts-quality, fw-status --check and
// nginx-test, run in-process through their check libraries, all at once, each under its own
// deadline; a line per check and the worst of them. See man/meshops-health.1.
#include "health.hpp"
#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  common.timeout_s = 30;  // meshops-health's --timeout is each check's deadline
  health::Options o;
  std::vector<std::string> only, skip;

  int rc = cli::tool_main(
      {"meshops-health", "Check the whole host: tailnet, path quality, firewall zones, nginx", /*socket=*/true, /*prom=*/true},
      common, argc, argv,
      [&](CLI::App& app) {
        app.get_option("--timeout")->description("Deadline of each check, in SECONDS (default 30)");
        app.add_option("--nginx", o.nginx, "nginx binary, for nginx-test")->type_name("PATH");
        app.add_option("--nginx-config", o.nginx_config, "nginx configuration to test, for nginx-test")->type_name("FILE");
        app.add_option("--nginx-prefix", o.nginx_prefix, "nginx prefix path (-p), for nginx-test")->type_name("PREFIX");
        auto names = CLI::IsMember(health::kChecks);
        app.add_option("--only", only, "Run only these checks: ts-status, ts-quality, fw-status, nginx-test")
            ->type_name("CHECK,...")
            ->delimiter(',')
            ->check(names);
        app.add_option("--skip", skip, "Skip these checks (same names as --only)")->type_name("CHECK,...")->delimiter(',')->check(names);
      },
      [&]() -> Exit {
        for (const auto& c : health::kChecks) {
          bool in = only.empty() || std::count(only.begin(), only.end(), c);
          if (in && !std::count(skip.begin(), skip.end(), c)) o.checks.push_back(c);
        }
        if (o.checks.empty()) throw Error(Exit::usage, "every check is skipped", "see 'meshops-health --help'");
        auto cfg = config::load(common.config_path);
        o.config_path = common.config_path;
        o.socket = common.socket;
        o.deadline = common.timeout();
        auto h = health::run(o, cfg);
        if (common.verbose)
          for (const auto& c : h.checks)
            cli::warn("meshops-health", fmt::format("{}: {} in {:.0f} ms, as `{}`", c.name, exit_name(c.state), c.elapsed_ms,
                                                    fmt::join(c.argv, " ")));
        cli::emit(common, health::to_verdict(h),
                  {[&] { cli::print_json(health::to_json(h), common.output); },
                   [&] { cli::write_stdout(health::to_text(h, common.output)); },
                   [&] { return health::to_prom(h); },
                   [&] { return health::ok_text(h); }});
        return h.state;
      });
  // A check cut off at its deadline may still run (its programs were killed then): end
  // without waiting for its thread.
  if (health::checks_running()) {
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(rc);
  }
  return rc;
}
