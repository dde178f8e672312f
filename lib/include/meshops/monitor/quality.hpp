#pragma once
// The measuring core of ts-quality and of each ts-monitor check cycle: ping a set of peers N
// times through tailscaled, all peers at once (probe k of every target leaves at
// start + k * interval, each on its own LocalAPI connection, so ten peers take as long as
// one), then per target: latency statistics, the path the pongs took and whether it changed,
// and a verdict against the thresholds.
//
// Typical use, one check cycle:
//   monitor::QualityOptions o;                      // count, interval, type, thresholds
//   o.thresholds = monitor::thresholds_from(cfg.monitoring);
//   auto report = monitor::check(socket, cfg.monitoring.targets, o, std::chrono::seconds(5));
//   for (auto& t : report.targets) ... t.verdict, t.stats.avg_ms, t.stats.loss_pct, t.path
//   Exit code = monitor::exit_code(report.verdict);
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/net/stats.hpp"
#include "meshops/tailscale/ping.hpp"
#include "meshops/tailscale/status.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshops::monitor {

/// A peer to measure.
struct Target {
  std::string name;  ///< what users call it (MagicDNS label, else host name); the IP when unnamed
  std::string ip;    ///< the Tailscale IP that is pinged
  bool online = true;  ///< what tailscaled's status said before the run (control's view)
};

/// Resolves names (MagicDNS label, host name, FQDN, Tailscale IP or node ID, case-insensitive)
/// against status; with no names, every online peer. Duplicates are measured once.
/// Throws meshops::Error (Exit::unknown) naming the first name that matches no peer.
std::vector<Target> resolve_targets(const tailscale::Status& status, const std::vector<std::string>& names);

/// What a quality check measures: resolve_targets(status, names) plus the exit node in use,
/// online or not (an exit node that is gone is the failure a check must not miss).
std::vector<Target> check_targets(const tailscale::Status& status, const std::vector<std::string>& names);

/// With no names, peers in the netmap and none online: why there is nothing to measure ("all 2
/// peers are offline in the netmap: none to measure"), a finding, not an absence of one. Else "".
std::string all_peers_offline(const tailscale::Status& status, const std::vector<std::string>& names);

/// Which way a target's traffic went.
struct Path {
  tailscale::PingPath kind = tailscale::PingPath::unknown;
  std::string endpoint;     ///< direct: "ip:port"; peer_relay: the relay
  std::string derp_region;  ///< derp: region code, e.g. "headscale"
  int derp_region_id = 0;   ///< derp: region ID, 0 when only the code is known
  /// "direct 198.18.0.11:41641", "derp headscale", "peer-relay ...", "" when unknown.
  std::string text() const;
  bool operator==(const Path&) const = default;
};
/// "direct", "derp", "peer_relay", "unknown".
const char* to_string(tailscale::PingPath k);

/// Limits a target must stay within to be ok.
struct Thresholds {
  double max_latency_ms = 200;  ///< average round trip above this: degraded
  double max_loss_pct = 5;      ///< loss above this: degraded
};
/// monitoring.maxLatency and monitoring.maxPacketLoss of the config.
Thresholds thresholds_from(const config::Monitoring& m);

enum class Verdict { ok, degraded, down };
/// "ok", "degraded", "down".
const char* to_string(Verdict v);
/// ok -> Exit::ok, degraded -> Exit::warning, down -> Exit::critical.
Exit exit_code(Verdict v);

/// One probe of a target.
struct Probe {
  int seq = 0;               ///< 0-based
  double sent_at_ms = 0;     ///< when it left, ms after the run started
  std::optional<double> rtt_ms;  ///< tailscaled's measured round trip; nullopt: no reply
  Path path;                 ///< of the reply (unknown for TSMP/ICMP and lost probes)
  std::string error;         ///< why no reply: "no reply" (timeout) or tailscaled's error
};

struct QualityOptions {
  int count = 5;                                  ///< probes per target (>= 1)
  std::chrono::milliseconds interval{1000};       ///< between a target's probes
  std::chrono::milliseconds probe_timeout{5000};  ///< how long one probe waits for its pong
  tailscale::PingType type = tailscale::PingType::disco;
  Thresholds thresholds;
  /// Called as each probe ends, e.g. for live progress on a terminal. Optional.
  std::function<void(const Target&, const Probe&)> on_probe;
  /// When it becomes true (a signal handler sets it), measure() stops within about 100 ms and
  /// returns what ended so far, marked interrupted. Optional.
  const std::atomic<bool>* stop = nullptr;
};

/// What was measured for one target.
struct TargetQuality {
  Target target;
  std::vector<Probe> probes;  ///< in the order sent
  net::LatencyStats stats;
  /// The path of the last reply; for TSMP/ICMP (whose pongs carry none) the path tailscaled's
  /// status shows after the run. Unknown when nothing answered.
  Path path;
  std::vector<Path> paths_seen;  ///< distinct reply paths, in the order first seen
  bool path_changed = false;     ///< replies came over more than one path during the run
  Verdict verdict = Verdict::ok;
  std::vector<std::string> reasons;  ///< why not ok, one line each ("loss 30% > 5%")
};

struct QualityReport {
  std::chrono::system_clock::time_point started;
  double elapsed_ms = 0;
  QualityOptions options;  ///< what was asked (on_probe cleared)
  std::vector<TargetQuality> targets;  ///< in the order given
  Verdict verdict = Verdict::ok;       ///< the worst of the targets' (ok when there are none), or down for reasons
  /// Findings of check() beyond the targets': all_peers_offline() (the verdict is then down).
  std::vector<std::string> reasons;
  /// Stopped by QualityOptions::stop: each target holds only the probes that ended (replies
  /// and losses); those still in flight are dropped, as are those never sent.
  bool interrupted = false;
};

/// The verdict of one target's statistics: down when nothing was received, degraded when the
/// average latency or the loss is above its threshold, else ok. reasons (when given) gets
/// one line per crossed threshold. (A target offline in the netmap is down whatever its
/// pings say: measure() decides that.)
Verdict judge(const net::LatencyStats& s, const Thresholds& t, std::vector<std::string>* reasons = nullptr);

/// Pings every target opts.count times through tailscaled's LocalAPI at socket, all targets
/// at once. Takes about (count - 1) * interval plus the slowest last pong (at most
/// probe_timeout). Throws meshops::Error (Exit::unknown) when tailscaled cannot be reached.
/// For TSMP/ICMP, reads /status once after the run for the paths (within probe_timeout).
QualityReport measure(const std::string& socket, const std::vector<Target>& targets, const QualityOptions& opts);

/// One check cycle: reads /status (within api_timeout), resolves names (empty: every online
/// peer), measures them. (Only those: ts-monitor measures failover candidates one by one.) Throws meshops::Error: Exit::unknown when tailscaled cannot be
/// reached or a name matches no peer, Exit::critical when its backend is not Running. With no
/// names and every peer offline, the report is down with all_peers_offline() as its reason.
QualityReport check(const std::string& socket, const std::vector<std::string>& names, const QualityOptions& opts,
                    std::chrono::milliseconds api_timeout);

} // namespace meshops::monitor
