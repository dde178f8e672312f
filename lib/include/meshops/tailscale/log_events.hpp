#pragma once
// Events derived from tailscaled's own log lines (a log file or the journal), as the IPN bus
// and /status give them to a LocalAPI reader, where the log says enough. What tailscaled
// v1.98 writes at its default verbosity (tests/fixtures/tailscale-logs/tailscaled-events-*.log):
//   "Switching ipn state Starting -> Running (...)"              backend_state_changed
//   "magicsock: home is now derp-999 (headscale)"                derp_home_changed
//   "magicsock: derp-999 connected; connGen=1"                   derp_connected
//   "magicsock: closing connection to derp-999 (conn-close), ..." derp_disconnected
//   "magicsock: disco: node [WQJ2n] d:... now using 198.18.0.13:41641 mtu=..."
//                                                                path_changed (to direct)
//   "magicsock: derp-999 does not know about peer [WQJ2n], removing route"
//                                                                peer_offline (gone from DERP)
//   "open-conn-track: timeout opening (TCP ...) to node [WQJ2n]; online=no, lastRecv=17s"
//                                                                peer_offline (control says so)
//   "wgengine: Reconfig: [WQJ2n] changed from "discokey:..." to "discokey:...""
//                                                                peer_online (it restarted)
//   "health(warnable=W): error: TEXT" / "health(warnable=W): ok" health_warning / health_ok
//   warnable not-in-map-poll, "control: client.Shutdown ..."     control_connected / _disconnected
// Read in tailscaled's source (v1.98.10): control's online/offline patches are applied without
// a log line at any verbosity (--verbose=1 adds "netmap diff" lines, which leave out Online),
// so the log tells a peer is offline only when this node sends to it: via DERP (the first two
// lines above; ts-monitor's probes and `tailscale ping` do) or a TCP connect. It is back when
// its new disco key arrives (a restarted tailscaled: said without traffic) or it answers disco
// again. A switch to a relay is not logged either: that, and an offline peer nobody sends to,
// come from the LocalAPI source only (tailscaled-peer-offline-kernelcore.log shows what is
// there). Pure: text in, events out.
#include "meshops/tailscale/bus_events.hpp"
#include "meshops/tailscale/log_classify.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

class LogEventTracker {
public:
  /// The events one log line (its message, without the time prefix) means, given what the
  /// lines before it said; peers are named through index (else by their short key "[WQJ2n]").
  std::vector<DerivedEvent> update(std::string_view message, const PeerIndex& index);

private:
  std::string backend_state_, derp_home_;
  std::set<std::string> derp_connected_;           // "derp-999"
  std::map<std::string, std::string> peer_path_;   // short key -> "direct ADDR"
  std::set<std::string> peer_offline_;             // short keys
  std::map<std::string, std::string> health_;      // warnable -> text of the active warning
  int control_ = -1;                               // -1 unknown, 0 disconnected, 1 connected
};

} // namespace meshops::tailscale
