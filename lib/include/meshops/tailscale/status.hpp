#pragma once
// Typed models of tailscaled's /localapi/v0/status and /prefs replies, parsed defensively:
// every field optional, null read as empty, a wrong type an error naming its JSON path.
#include "meshops/error.hpp"
#include "meshops/sys/time.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

/// Every time tailscaled sends (KeyExpiry may say 9999): sys::Time, never system_clock.
using TimePoint = sys::Time;

/// How traffic to a peer flows now, decided as `tailscale status` does (notes 2.1).
enum class Connection { direct, derp_relay, peer_relay, idle };

struct Peer {
  std::string id;          ///< stable node ID
  std::string public_key;  ///< "nodekey:..."
  std::string host_name;
  std::string dns_name;    ///< FQDN with its trailing dot
  std::string os;
  std::int64_t user_id = 0;
  std::vector<std::string> tailscale_ips;
  std::vector<std::string> allowed_ips;
  std::vector<std::string> primary_routes;
  std::vector<std::string> tags;
  std::vector<std::string> addrs;
  std::string cur_addr;    ///< ip:port of the direct path, empty when relayed or idle
  std::string relay;       ///< DERP region code of the peer's home
  std::string peer_relay;
  std::int64_t rx_bytes = 0, tx_bytes = 0;
  std::optional<TimePoint> created, last_write, last_seen, last_handshake, key_expiry;  ///< absent or zero time: nullopt
  bool online = false, active = false, exit_node = false, exit_node_option = false, expired = false;

  Connection connection() const;
  /// The DNS name's first label, else the host name: what users call the peer.
  std::string name() const;
};

struct ExitNodeStatus {
  std::string id;
  bool online = false;
  /// Addresses as in Peer::tailscale_ips ("100.64.0.1"): tailscaled sends them here as
  /// single-host prefixes ("100.64.0.1/32"), the parser drops the /32 and /128.
  std::vector<std::string> tailscale_ips;
};

struct User {
  std::string login_name, display_name;
};

struct Status {
  std::string version;
  bool tun = false;
  std::string backend_state;  ///< Running, Stopped, NeedsLogin, NeedsMachineAuth, Starting, NoState
  std::string auth_url;
  std::vector<std::string> tailscale_ips;
  Peer self;
  std::vector<std::string> health;
  std::optional<ExitNodeStatus> exit_node_status;
  std::string magic_dns_suffix;
  bool magic_dns_enabled = false;
  std::string tailnet_name;
  std::vector<Peer> peers;  ///< sorted by DNS name, then host name
  std::map<std::int64_t, User> users;
};

/// The peer this node uses as exit node: the one ExitNodeStatus names, else one marked
/// ExitNode; nullptr when none is in use or it is not in the netmap.
const Peer* exit_node_peer(const Status& s);

/// The parts of /prefs ts-status shows.
struct Prefs {
  std::vector<std::string> advertise_routes;
  std::vector<std::string> advertise_tags;
  std::string exit_node_id, exit_node_ip;
  bool route_all = false, want_running = false, shields_up = false, run_ssh = false, corp_dns = false;
  std::string hostname;
};

/// Parses /localapi/v0/status. Throws std::runtime_error: "not JSON: ..." or
/// "Peer["nodekey:.."].RxBytes: expected a number, got string".
Status parse_status(std::string_view json);
/// Parses /localapi/v0/prefs, with the same errors.
Prefs parse_prefs(std::string_view json);

/// Parses Go's RFC 3339 time (sys::parse_rfc3339); the zero time (0001-01-01...) and garbage
/// give nullopt.
std::optional<TimePoint> parse_time(std::string_view s);

/// "direct", "relay", "peer-relay", "idle".
const char* to_string(Connection c);

/// The one peer lookup of every tool: by name (MagicDNS label, host name, FQDN with or
/// without its dot, case-insensitive), Tailscale IP or node ID. nullptr when none matches.
const Peer* find_peer(const Status& s, std::string_view key);

/// The error for a name find_peer did not match (meshops::Error, UNKNOWN, with a hint).
Error no_such_peer(std::string_view key);

} // namespace meshops::tailscale
