#pragma once
// Pings through tailscaled: POST /localapi/v0/ping?ip=&type= (notes 2.2). tailscaled holds the
// request open until the pong arrives or the client gives up, so a caller that wants many
// pings at once needs one connection per ping in flight; Pinger keeps them and drives them
// with one poll loop, each with its own deadline.
#include "meshops/tailscale/http.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

/// The LocalAPI's ping types. disco is what `tailscale ping` uses by default.
enum class PingType { disco, tsmp, icmp, peerapi };

/// The type as the LocalAPI spells it in ?type= ("disco", "TSMP", "ICMP", "peerapi").
const char* to_string(PingType t);
/// Parses a type name, case-insensitive ("disco", "tsmp", "icmp", "peerapi"); nullopt otherwise.
std::optional<PingType> parse_ping_type(std::string_view name);

/// One reply of /localapi/v0/ping (ipnstate.PingResult), with snake_case names.
struct PingResult {
  std::string ip;         ///< IP
  std::string node_ip;    ///< NodeIP
  std::string node_name;  ///< NodeName
  std::string err;        ///< Err: non-empty means no pong (e.g. "no matching peer")
  double latency_ms = 0;  ///< LatencySeconds * 1000
  std::string endpoint;   ///< Endpoint: "ip:port" when the pong came over direct UDP
  std::string peer_relay; ///< PeerRelay
  int derp_region_id = 0; ///< DERPRegionID: non-zero when the pong came via DERP
  std::string derp_region_code;
  int peer_api_port = 0;  ///< PeerAPIPort (TSMP)
  bool is_local_ip = false;
};

/// Parses one ping reply. Throws std::runtime_error naming a wrong field ("LatencySeconds:
/// expected a number, got string") or "not JSON: ...".
PingResult parse_ping_result(std::string_view json);

/// Which way a pong travelled, as `tailscale ping` prints it.
enum class PingPath { direct, derp, peer_relay, unknown };
PingPath path_of(const PingResult& r);
/// "direct 198.18.0.11:41641", "derp headscale (999)", "peer-relay ...", "" for unknown
/// (TSMP/ICMP pongs carry no path).
std::string path_text(const PingResult& r);

/// The HTTP request of one ping.
HttpRequest ping_request(const std::string& ip, PingType type);

/// How one ping ended.
struct PingOutcome {
  enum class Kind {
    reply,    ///< a pong: result holds it
    timeout,  ///< no answer by the deadline (the peer or the path lost it)
    failed,   ///< tailscaled answered with an error (HTTP 4xx/5xx or Err set) or the connection broke
  };
  Kind kind = Kind::timeout;
  PingResult result;  ///< with reply; with failed, when tailscaled sent a PingResult with Err
  std::string error;  ///< with timeout/failed: why, one line
};

/// Many pings in flight at once over tailscaled's socket, one connection each.
/// Not thread-safe; one Pinger per thread.
class Pinger {
public:
  using Clock = std::chrono::steady_clock;
  explicit Pinger(std::string socket_path);
  ~Pinger();
  Pinger(const Pinger&) = delete;
  Pinger& operator=(const Pinger&) = delete;

  /// Starts a ping now, answered by \a deadline at the latest; returns its id (0, 1, 2...).
  /// Throws meshops::Error (Exit::unknown) when tailscaled cannot be reached at all (no
  /// socket, permission denied, refused): nothing can be measured then.
  std::size_t start(const std::string& ip, PingType type, Clock::time_point deadline);

  /// Waits until at least one ping ends or \a until passes, and returns those that ended
  /// (id, outcome). Pings past their deadline end as timeouts.
  std::vector<std::pair<std::size_t, PingOutcome>> wait(Clock::time_point until);

  /// Pings started and not yet ended.
  std::size_t in_flight() const;

private:
  struct Flight;
  std::string socket_;
  std::vector<std::unique_ptr<Flight>> flights_;
  std::size_t next_id_ = 0;
};

/// One ping, waiting for its outcome: a Pinger with one flight. Throws like Pinger::start.
PingOutcome ping(const std::string& socket_path, const std::string& ip, PingType type,
                 std::chrono::milliseconds timeout);

} // namespace meshops::tailscale
