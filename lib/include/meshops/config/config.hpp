#pragma once
// The config file of DESIGN.md: JSON whose keys are named after the NixOS options of the
// host's modules. Unknown keys and wrong types are errors naming the key path: a typo must not
// silently disable a check.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::config {

struct Tailscale {
  std::string socket;  ///< empty: $TS_SOCKET, then /var/run/tailscale/tailscaled.sock
  std::string hostname;
  std::string tailnet_domain;  ///< tailnetDomain, e.g. "example.ts.net"
};

struct Alert {
  std::string webhook;  ///< URL for JSON POSTs of monitor events; empty: none
};

struct Monitoring {
  double check_interval_s = 30;    ///< checkInterval, seconds
  double max_latency_ms = 200;     ///< maxLatency, ms
  double max_packet_loss_pct = 5;  ///< maxPacketLoss, percent
  int failure_threshold = 3;       ///< failureThreshold: consecutive failed checks before failover
  bool enable_auto_failover = false;
  std::vector<std::string> targets;    ///< peers to measure (names or IPs)
  std::vector<std::string> exit_nodes; ///< exitNodes: primary first
  double restore_interval_s = 300;     ///< restoreInterval, seconds
  int restore_threshold = 3;           ///< restoreThreshold: healthy checks before restoring
  std::string state_dir = "/var/lib/meshops";  ///< stateDir
  Alert alert;
};

struct Service {
  std::string subdomain;
  std::string upstream_host = "127.0.0.1";  ///< upstreamHost
  int upstream_port = 0;                    ///< upstreamPort
  std::string rate_limit;                   ///< rateLimit, e.g. "20r/s"
  std::string max_body_size;                ///< maxBodySize, e.g. "500M"
  std::string health_path;                  ///< healthPath, e.g. "/api/tags"
  /// allowFrom: who may reach the service (tags, "user@", peer names), for meshops-reach
  /// --check; nullopt when the config declares no intent for it.
  std::optional<std::vector<std::string>> allow_from;
};

struct Nginx {
  std::string binary = "nginx";
  std::string config = "/etc/nginx/nginx.conf";
  std::string prefix;  ///< -p PREFIX; empty: nginx's compiled-in prefix
  std::string access_log = "/var/log/nginx/access.log";
  std::string error_log = "/var/log/nginx/error.log";
  std::string log_format = "combined";  ///< logFormat: combined, common, json or a log_format string
  std::map<std::string, Service> services;
};

struct Zone {
  std::string chain;  ///< the chain that implements the zone; empty: zone_<name> or <name>
  std::vector<std::string> interfaces;
  std::vector<int> allowed_tcp_ports;   ///< allowedTCPPorts
  std::vector<int> allowed_udp_ports;   ///< allowedUDPPorts
  std::vector<std::string> allowed_services;  ///< names from /etc/services
  std::vector<std::string> allowed_ips;       ///< allowedIPs: CIDRs
  bool allow_all_services = false;
};

struct Firewall {
  /// defaultPolicy: drop, reject or accept; empty when the config does not declare it (then
  /// nothing checks it: a built-in default would fail every host that never asked for one).
  std::string default_policy;
  bool enable_logging = false;
  int tailscale_port = 41641;  ///< tailscalePort: tailscaled's UDP port
  std::map<std::string, Zone> zones;
};

struct Config {
  std::string origin;  ///< the file it came from, or "built-in defaults"
  Tailscale tailscale;
  Monitoring monitoring;
  Nginx nginx;
  Firewall firewall;
};

/// Parses and validates a config document. origin names it in errors.
/// Throws meshops::Error (Exit::unknown) as "ORIGIN: KEY.PATH: what is wrong", or
/// "ORIGIN:LINE:COLUMN: not valid JSON: ..." for a syntax error.
Config parse(std::string_view text, const std::string& origin);

/// Loads the config: the explicit path if given (it must exist), else $MESHOPS_CONFIG (must
/// exist), else /etc/meshops/config.json if present, else the built-in defaults.
Config load(const std::string& explicit_path);

} // namespace meshops::config
