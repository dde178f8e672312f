#pragma once
// The checks that need only the model of the configuration (no network): declared services
// against server blocks, both ways, and a server_name given twice on one listen address.
#include "meshops/error.hpp"
#include "meshops/nginx/conf.hpp"

#include <optional>
#include <string>
#include <vector>

namespace meshops::nginx {

/// One named result, as nginx-test reports it.
struct Check {
  std::string name;    ///< unique, e.g. "service:ollama", "upstream:127.0.0.1:11434"
  std::string kind;    ///< "service", "undeclared", "upstream", "vhost", "certificate", "duplicate"
  Exit status = Exit::ok;  ///< ok, warning or critical (meshops::exit_name's words)
  std::string reason;  ///< one line saying why
  std::optional<Place> at;       ///< where in the configuration, when one place is to blame
  std::optional<Place> also_at;  ///< the second place (a duplicate)
  std::optional<double> latency_ms;
};

/// A service the config file declares (nginx.services), with the server name it must have.
struct DeclaredService {
  std::string name;
  std::string server_name;  ///< SUBDOMAIN.HOSTNAME.TAILNETDOMAIN
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  std::string rate_limit;     ///< "20r/s"; empty: not checked
  std::string max_body_size;  ///< "500M"; empty: not checked
  std::string health_path;    ///< empty: TCP connect only
};

/// Where a proxy_pass leads: the addresses it names, expanding an upstream{} block.
std::vector<Target> proxy_targets(const ConfModel& model, const Value& proxy_pass);

/// One check per declared service ("service:NAME"): crit when no server block has its
/// server_name or none of its locations proxies to upstream_host:upstream_port; warn when the
/// rate limit or body size differ. Then, when any service is declared, one warn per proxied
/// server block that no service declares ("undeclared:NAME").
std::vector<Check> check_services(const ConfModel& model, const std::vector<DeclaredService>& services);

/// One warn per server_name that a second server block repeats on the same listen address
/// ("duplicate:NAME@ADDRESS"), naming both places: nginx ignores the second.
std::vector<Check> check_duplicate_names(const ConfModel& model);

/// A name a request can be sent with: not a wildcard, regex, "_" or empty.
bool is_concrete_name(std::string_view server_name);

/// One virtual host to probe through nginx: a server block's first concrete name on one of
/// its TCP listen addresses.
struct VirtualHost {
  std::string server_name;
  Listen listen;
  Place at;
};

/// Every (server block, TCP listen) pair with a concrete name, in configuration order; a
/// name already probed on the same address is left out.
std::vector<VirtualHost> virtual_hosts(const ConfModel& model);

} // namespace meshops::nginx
