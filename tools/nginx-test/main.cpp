// nginx-test: validate the nginx configuration with the real `nginx -t`, then prove every
// proxied service answers (declared services, upstreams, virtual hosts, certificates). The
// check itself is meshops::checks::nginx_test; this is flags -> collect -> render.
#include "view.hpp"

#include "meshops/checks/nginx_test.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

namespace {

using meshops::Exit;
namespace cli = meshops::cli;
namespace check = meshops::checks::nginx_test;

struct Flags {
  std::string nginx_binary;  ///< --nginx
  std::string config_file;   ///< --config-file
  std::string prefix;        ///< -p/--prefix
  std::vector<std::string> only;
  std::vector<std::string> skip;
};

void add_options(CLI::App& app, Flags& f) {
  app.add_option("--nginx", f.nginx_binary, "nginx binary (default nginx.binary from the config, then nginx)")
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

/// Whether a and b name one file, relative paths taken from nginx's prefix as nginx does.
bool same_file(const std::string& prefix, const std::string& a, const std::string& b) {
  auto full = [&](const std::string& p) { return p.empty() || p[0] == '/' || prefix.empty() ? p : prefix + "/" + p; };
  struct stat sa {}, sb {};
  if (::stat(full(a).c_str(), &sa) == 0 && ::stat(full(b).c_str(), &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return full(a) == full(b);
}

check::Options resolve(const Flags& f, const meshops::config::Config& cfg, const cli::CommonOptions& common) {
  check::Options o;
  o.nginx.binary = f.nginx_binary.empty() ? cfg.nginx.binary : f.nginx_binary;
  o.nginx.config_file = f.config_file.empty() ? cfg.nginx.config : f.config_file;
  o.nginx.prefix = f.prefix.empty() ? cfg.nginx.prefix : f.prefix;
  o.nginx.timeout = common.timeout();
  o.probe_timeout = common.timeout();
  if (f.only.empty()) o.groups.insert(check::kGroups.begin(), check::kGroups.end());
  else o.groups.insert(f.only.begin(), f.only.end());
  for (const auto& s : f.skip) o.groups.erase(s);
  o.groups.insert("syntax");  // every other check reads what nginx -T prints
  o.running_config = cfg.nginx.config;
  o.candidate = !f.config_file.empty() && !same_file(o.nginx.prefix, f.config_file, cfg.nginx.config);
  return o;
}

} // namespace

int main(int argc, char** argv) {
  cli::CommonOptions common;
  Flags flags;
  cli::ToolInfo info{"nginx-test", "Validate the nginx configuration and prove every proxied service answers",
                     /*socket=*/false, /*prom=*/true};
  return cli::tool_main(info, common, argc, argv, [&](CLI::App& app) { add_options(app, flags); }, [&] {
    auto cfg = meshops::config::load(common.config_path);
    auto report = check::collect(resolve(flags, cfg, common), cfg);
    // nginx that could not run at all: tool_main reports it, and prints the JSON document of
    // an error (its hint included).
    if (report.error) throw *report.error;
    cli::emit(common, report.verdict.state,
              {[&] { cli::print_json(nginx_test::to_json(report), common.output); },
               [&] { cli::write_stdout(nginx_test::to_text(report, common.output, common.verbose > 0)); },
               [&] { return nginx_test::to_prom(report); },
               [&] { return nginx_test::to_summary(report); }});
    // The report is printed first (its JSON says why too), then the problem as every tool
    // reports an error: `nginx-test: what`, and `hint: ...` below it.
    if (!report.problem.empty()) throw meshops::Error(report.verdict.state, report.problem, report.hint);
    return report.verdict.state;
  });
}
