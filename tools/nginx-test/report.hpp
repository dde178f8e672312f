#pragma once
// nginx-test's result: the nginx run, its diagnostics, every named check, and the exit code
// they add up to. Collected by collect(), printed by the render_* functions.
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/nginx/runner.hpp"
#include "meshops/sys/time.hpp"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nginx_test {

/// The check groups, in the order they run; "syntax" alone is the fast path.
inline const std::vector<std::string> kGroups{"syntax", "services", "duplicates", "upstreams", "vhosts",
                                              "certificates"};

struct Options {
  meshops::nginx::Invocation nginx;  ///< binary, -c, -p, timeout (flags over the config file)
  std::set<std::string> groups;      ///< which of kGroups run
  std::chrono::milliseconds probe_timeout{5000};
  /// --config-file names another file than nginx.config: a configuration nginx is not running
  /// yet, so probing the running server's virtual hosts would test something else.
  bool candidate = false;
  std::string running_config;  ///< nginx.config, for the message
};

/// A check group that did not run, and why.
struct Skipped {
  std::string group;
  std::string reason;
};

struct Report {
  meshops::nginx::TestRun run;
  bool syntax_ok = false;
  bool dumped = false;                       ///< ran -T (more than the syntax check)
  std::vector<meshops::nginx::Check> checks;
  /// Each certificate read, by path: its notAfter (the expiry metric).
  std::map<std::string, meshops::sys::Time> certificate_expiry;
  std::string config_file;       ///< the nginx configuration tested (-c), empty: nginx's default
  bool candidate = false;        ///< see Options::candidate
  std::vector<Skipped> skipped;  ///< groups asked for that did not run
  meshops::Exit exit = meshops::Exit::ok;
  std::string problem;  ///< why exit is UNKNOWN though nginx ran (a permission it lacked)
  std::string hint;
};

/// The services of the config file, with the server names they must have. A service whose
/// server name cannot be formed (tailscale.hostname or tailnetDomain unset) is returned in
/// `unnamed` instead.
std::vector<meshops::nginx::DeclaredService> declared_services(const meshops::config::Config& cfg,
                                                               std::vector<std::string>& unnamed);

/// Runs nginx (-t, or -T when more than syntax is asked for), then the asked-for checks.
/// Throws meshops::Error (UNKNOWN) when nginx cannot be run at all.
Report collect(const Options& opt, const meshops::config::Config& cfg);

} // namespace nginx_test
