#pragma once
// --check: the zones declared in the config against the ruleset as it is. Each declared zone
// is probed with the evaluator (a packet from its interfaces or sources to every port any rule
// or zone mentions), so "open" means what the kernel would do, across all tables.
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nft/services.hpp"

#include <string>
#include <vector>

namespace meshops::nft {

struct Finding {
  Exit severity = Exit::warning;  ///< warning or critical
  std::string kind;     ///< undeclared_open, declared_closed, unknown_service, missing_zone,
                        ///< default_policy, logging_absent, tailscale_port_closed
  std::string zone;     ///< the zone concerned, or empty
  std::string message;  ///< one sentence for a human
};

/// Something --check did not compare because the config does not declare it.
struct NotChecked {
  std::string what;    ///< zones, default_policy
  std::string reason;  ///< one sentence for a human
};

struct DriftReport {
  std::vector<Finding> findings;
  std::vector<NotChecked> not_checked;
  std::size_t probes = 0;  ///< packets evaluated
  /// ok when there are no findings, else the worst severity.
  Exit status() const;
};

/// Compares config.firewall with ruleset; what it does not declare is listed in not_checked.
/// An allowedIPs entry that is no network throws meshops::Error (Exit::unknown) naming it.
/// Service names resolve through services, then the
/// upstream port of a service of the same name in config.nginx.services.
DriftReport check_drift(const Ruleset& ruleset, const config::Config& config, const Services& services);

} // namespace meshops::nft
