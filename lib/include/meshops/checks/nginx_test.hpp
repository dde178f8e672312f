#pragma once
// nginx-test's check: the real `nginx -t` (or -T), its diagnostics, then every named check of
// the configuration (declared services, duplicates, upstreams, virtual hosts, certificates), and
// the verdict they add up to. nginx's own permission errors are the environment's (UNKNOWN with a
// hint), not the configuration's. tools/nginx-test and meshops-health render this report.
#include "meshops/checks/verdict.hpp"
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nginx/conf_checks.hpp"
#include "meshops/nginx/runner.hpp"
#include "meshops/sys/time.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace meshops::checks::nginx_test {

/// The check groups, in the order they run; "syntax" alone is the fast path.
inline const std::vector<std::string> kGroups{"syntax", "services", "duplicates", "upstreams", "vhosts",
                                              "certificates"};

struct Options {
  nginx::Invocation nginx;  ///< binary, -c, -p, timeout (flags over the config file)
  std::set<std::string> groups;      ///< which of kGroups run
  std::chrono::milliseconds probe_timeout{5000};
  /// --config-file names another file than nginx.config: a configuration nginx is not running
  /// yet, so probing the running server's virtual hosts would test something else.
  bool candidate = false;
  std::string running_config;  ///< nginx.config, for the message
};

/// What the user asked for (nginx-test's flags, meshops-health's --nginx*): empty fields take
/// the config's nginx.binary, nginx.config and nginx.prefix.
struct Request {
  std::string binary;       ///< --nginx
  std::string config_file;  ///< --config-file
  std::string prefix;       ///< -p/--prefix
  std::vector<std::string> only, skip;  ///< groups; "syntax" always runs
};

/// The options of a request: the config's defaults filled in, the groups chosen, and whether
/// --config-file names a candidate (another file than nginx.config, relative paths taken from
/// nginx's prefix as nginx does). timeout bounds nginx and each probe.
Options resolve(const Request& req, const config::Config& cfg, std::chrono::milliseconds timeout);

/// A check group that did not run, and why.
struct Skipped {
  std::string group;
  std::string reason;
};

struct Report {
  nginx::TestRun run;
  bool syntax_ok = false;
  bool dumped = false;                       ///< ran -T (more than the syntax check)
  std::vector<nginx::Check> checks;
  /// Each certificate read, by path: its notAfter (the expiry metric).
  std::map<std::string, sys::Time> certificate_expiry;
  std::string config_file;       ///< the nginx configuration tested (-c), empty: nginx's default
  bool candidate = false;        ///< see Options::candidate
  std::vector<Skipped> skipped;  ///< groups asked for that did not run
  std::string problem;  ///< why the state is UNKNOWN though nginx ran (a permission it lacked)
  std::string hint;     ///< what to change for the problem
  Verdict verdict;      ///< judge() of the above
  /// Set when nginx could not be run at all: nothing else is known, the verdict is the error's.
  std::optional<Error> error;
};

/// The services of the config file, with the server names they must have. A service whose
/// server name cannot be formed (tailscale.hostname or tailnetDomain unset) is returned in
/// `unnamed` instead.
std::vector<nginx::DeclaredService> declared_services(const config::Config& cfg,
                                                               std::vector<std::string>& unnamed);

/// The verdict of a run: UNKNOWN for a problem (a permission nginx lacked, with the hint),
/// CRITICAL when nginx rejected the configuration, else the worst of nginx's warnings and the
/// checks. Reasons, worst first: the problem, nginx's errors and warnings when it rejected the
/// configuration, then each check not ok ("NAME: REASON"), critical first.
Verdict judge(const Report& r);

/// Runs nginx (-t, or -T when more than syntax is asked for), then the asked-for checks. Never
/// throws meshops::Error: nginx that cannot be run at all is the report's error (UNKNOWN).
Report collect(const Options& opt, const config::Config& cfg);

} // namespace meshops::checks::nginx_test
