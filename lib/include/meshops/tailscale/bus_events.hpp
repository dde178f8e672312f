#pragma once
// Events derived from successive views of tailscaled: a peer came online or went offline, its
// path switched between direct and relay, the DERP home changed, the backend state changed,
// the exit node changed, a health warning was raised or cleared. The tracker remembers the
// last view, so a view seen again (after a reconnect to a restarted tailscaled) yields nothing.
#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/status.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshops::tailscale {

struct DerivedEvent {
  std::string kind;  ///< peer_online, peer_offline, path_changed, derp_home_changed,
                     ///< backend_state_changed, exit_node_changed, health_warning, health_ok
  std::string peer;  ///< the peer's name, "" when not about a peer
  std::string from;  ///< the old value ("" when none: no exit node, no DERP home)
  std::string to;    ///< the new value
  std::string message;  ///< one line for people, e.g. "kernelcore: path direct -> relay \"headscale\""
};

class StatusTracker {
public:
  /// Compares status with the last one seen and returns what changed. The first call only
  /// records the baseline and returns nothing.
  std::vector<DerivedEvent> update(const Status& status);
  /// The same for a Notify's health warnings (raised and cleared by code).
  std::vector<DerivedEvent> update_health(const std::vector<HealthWarning>& warnings);
  /// Whether a baseline has been recorded.
  bool has_baseline() const { return baseline_; }

private:
  struct PeerView {
    std::string name;
    bool online = false;
    std::string path;  ///< "direct" or "relay ..." — the last non-idle path
  };
  bool baseline_ = false;
  bool health_baseline_ = false;
  std::string backend_state_, derp_home_, exit_node_;
  std::map<std::string, PeerView> peers_;  // by node ID
  std::map<std::string, HealthWarning> health_;
};

} // namespace meshops::tailscale
