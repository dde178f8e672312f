// nginx-test: validate the nginx configuration with the real `nginx -t`, then prove every
// proxied service answers (declared services, upstreams, virtual hosts, certificates). The
// check itself is meshops::checks::nginx_test; this is flags -> collect -> render.
#include "view.hpp"

#include "meshops/checks/nginx_test.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"

#include <fmt/format.h>


namespace {

using meshops::Exit;
namespace cli = meshops::cli;
namespace check = meshops::checks::nginx_test;

void add_options(CLI::App& app, check::Request& f) {
  app.add_option("--nginx", f.binary, "nginx binary (default nginx.binary from the config, then nginx)")
      ->type_name("PATH");
  app.add_option("--config-file", f.config_file, "nginx configuration to test (default nginx.config)")
      ->type_name("FILE");
  app.add_option("-p,--prefix", f.prefix, "nginx prefix path, passed as -p (default nginx.prefix)")
      ->type_name("PREFIX");
  auto groups = CLI::IsMember(check::kGroups);
  app.add_option("--only", f.only, "Run only these checks: syntax, services, duplicates, upstreams, vhosts, certificates")
      ->type_name("CHECK,...")
      ->delimiter(',')
      ->check(groups);
  app.add_option("--skip", f.skip, "Skip these checks (same names as --only)")
      ->type_name("CHECK,...")
      ->delimiter(',')
      ->check(groups);
}

} // namespace

int main(int argc, char** argv) {
  cli::CommonOptions common;
  check::Request flags;
  cli::ToolInfo info{"nginx-test", "Validate the nginx configuration and prove every proxied service answers",
                     /*socket=*/false, /*prom=*/true};
  return cli::tool_main(info, common, argc, argv, [&](CLI::App& app) { add_options(app, flags); }, [&] {
    auto cfg = meshops::config::load(common.config_path);
    auto report = check::collect(check::resolve(flags, cfg, common.timeout()), cfg);
    // nginx that could not run at all: tool_main reports it, and prints the JSON document of
    // an error (its hint included).
    if (report.error) throw *report.error;
    cli::emit(common, report.verdict,
              {[&] { cli::print_json(nginx_test::to_json(report), common.output); },
               [&] { cli::write_stdout(nginx_test::to_text(report, common.output, common.verbose > 0)); },
               [&] { return nginx_test::to_prom(report); },
               [&] { return nginx_test::ok_text(report); }});
    // The report is printed first (its JSON says why too), then the problem as every tool
    // reports an error: `nginx-test: what`, and `hint: ...` below it.
    if (!report.problem.empty()) throw meshops::Error(report.verdict.state, report.problem, report.hint);
    return report.verdict.state;
  });
}
