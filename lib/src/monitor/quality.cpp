#include "meshops/monitor/quality.hpp"

#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace meshops::monitor {
namespace {

using tailscale::PingPath;
using Clock = std::chrono::steady_clock;

/// The IPv4 Tailscale address when there is one: it is what `tailscale ping NAME` uses.
std::string ping_ip(const tailscale::Peer& p) {
  for (const auto& ip : p.tailscale_ips)
    if (ip.find(':') == std::string::npos) return ip;
  return p.tailscale_ips.empty() ? std::string() : p.tailscale_ips.front();
}

Path path_of_reply(const tailscale::PingResult& r) {
  Path p;
  p.kind = tailscale::path_of(r);
  if (p.kind == PingPath::direct) p.endpoint = r.endpoint;
  if (p.kind == PingPath::peer_relay) p.endpoint = r.peer_relay;
  if (p.kind == PingPath::derp) {
    p.derp_region = r.derp_region_code;
    p.derp_region_id = r.derp_region_id;
  }
  return p;
}

Path path_of_peer(const tailscale::Peer& peer) {
  Path p;
  switch (peer.connection()) {
  case tailscale::Connection::direct: p.kind = PingPath::direct; p.endpoint = peer.cur_addr; break;
  case tailscale::Connection::derp_relay: p.kind = PingPath::derp; p.derp_region = peer.relay; break;
  case tailscale::Connection::peer_relay: p.kind = PingPath::peer_relay; p.endpoint = peer.peer_relay; break;
  case tailscale::Connection::idle: break;
  }
  return p;
}

std::string fmt_num(double v) { return fmt::format("{:.4g}", v); }

/// Fills stats, paths and the verdict once all probes are in.
void conclude(TargetQuality& t, const Thresholds& th) {
  std::vector<std::optional<double>> rtts;
  for (const auto& p : t.probes) {
    rtts.push_back(p.rtt_ms);
    if (p.path.kind == PingPath::unknown) continue;
    if (std::find(t.paths_seen.begin(), t.paths_seen.end(), p.path) == t.paths_seen.end()) t.paths_seen.push_back(p.path);
    t.path = p.path;
  }
  t.path_changed = t.paths_seen.size() > 1;
  t.stats = net::summarize(rtts);
  t.verdict = judge(t.stats, th, &t.reasons);
  if (!t.target.online) {
    // Control has lost the peer: whatever still answers, the tailnet routes nothing to it.
    t.reasons.insert(t.reasons.begin(), "offline in the netmap");
    t.verdict = Verdict::down;
  }
}

} // namespace

std::vector<Target> resolve_targets(const tailscale::Status& status, const std::vector<std::string>& names) {
  std::vector<Target> out;
  auto add = [&](const tailscale::Peer& p) {
    auto ip = ping_ip(p);
    if (ip.empty()) return;
    for (const auto& t : out)
      if (t.ip == ip) return;
    out.push_back({p.name().empty() ? ip : p.name(), ip, p.online});
  };
  if (names.empty()) {
    for (const auto& p : status.peers)
      if (p.online) add(p);
    return out;
  }
  for (const auto& name : names) {
    const auto* p = tailscale::find_peer(status, name);
    if (!p) throw tailscale::no_such_peer(name);
    add(*p);
  }
  return out;
}

std::vector<Target> check_targets(const tailscale::Status& status, const std::vector<std::string>& names) {
  auto out = resolve_targets(status, names);
  if (const auto* exit = tailscale::exit_node_peer(status)) {
    auto ip = ping_ip(*exit);
    bool listed = std::any_of(out.begin(), out.end(), [&](const Target& t) { return t.ip == ip; });
    if (!ip.empty() && !listed) out.push_back({exit->name().empty() ? ip : exit->name(), ip, exit->online});
  }
  return out;
}

std::string all_peers_offline(const tailscale::Status& status, const std::vector<std::string>& names) {
  if (!names.empty() || status.peers.empty()) return "";
  if (std::any_of(status.peers.begin(), status.peers.end(), [](const tailscale::Peer& p) { return p.online; })) return "";
  return fmt::format("all {} peer{} offline in the netmap: none to measure", status.peers.size(),
                     status.peers.size() == 1 ? " is" : "s are");
}

std::string Path::text() const {
  switch (kind) {
  case PingPath::direct: return "direct " + endpoint;
  case PingPath::peer_relay: return "peer-relay " + endpoint;
  case PingPath::derp: return "derp " + (derp_region.empty() ? std::to_string(derp_region_id) : derp_region);
  case PingPath::unknown: break;
  }
  return "";
}

const char* to_string(PingPath k) {
  switch (k) {
  case PingPath::direct: return "direct";
  case PingPath::derp: return "derp";
  case PingPath::peer_relay: return "peer_relay";
  case PingPath::unknown: break;
  }
  return "unknown";
}

Thresholds thresholds_from(const config::Monitoring& m) { return {m.max_latency_ms, m.max_packet_loss_pct}; }

const char* to_string(Verdict v) {
  switch (v) {
  case Verdict::ok: return "ok";
  case Verdict::degraded: return "degraded";
  case Verdict::down: return "down";
  }
  return "down";
}

Exit exit_code(Verdict v) {
  switch (v) {
  case Verdict::ok: return Exit::ok;
  case Verdict::degraded: return Exit::warning;
  case Verdict::down: return Exit::critical;
  }
  return Exit::critical;
}

Verdict judge(const net::LatencyStats& s, const Thresholds& t, std::vector<std::string>* reasons) {
  auto say = [&](std::string r) {
    if (reasons) reasons->push_back(std::move(r));
  };
  if (s.sent == 0) return Verdict::ok;
  if (s.received == 0) {
    say(fmt::format("no reply to {} probe{}", s.sent, s.sent == 1 ? "" : "s"));
    return Verdict::down;
  }
  Verdict v = Verdict::ok;
  if (s.avg_ms && *s.avg_ms > t.max_latency_ms) {
    say(fmt::format("latency {} ms > {} ms", fmt_num(*s.avg_ms), fmt_num(t.max_latency_ms)));
    v = Verdict::degraded;
  }
  if (s.loss_pct > t.max_loss_pct) {
    say(fmt::format("loss {}% > {}%", fmt_num(s.loss_pct), fmt_num(t.max_loss_pct)));
    v = Verdict::degraded;
  }
  return v;
}

QualityReport measure(const std::string& socket, const std::vector<Target>& targets, const QualityOptions& opts) {
  if (opts.count < 1) throw Error(Exit::usage, "the probe count must be at least 1");
  QualityReport report;
  report.options = opts;
  report.options.on_probe = nullptr;
  report.options.stop = nullptr;
  report.started = std::chrono::system_clock::now();
  for (const auto& t : targets) report.targets.push_back({t, {}, {}, {}, {}, false, Verdict::ok, {}});
  for (auto& t : report.targets) t.probes.resize(static_cast<std::size_t>(opts.count));

  tailscale::Pinger pinger(socket);
  // Which (target, probe) each ping id belongs to.
  std::map<std::size_t, std::pair<std::size_t, std::size_t>> owner;
  const auto start = Clock::now();
  auto ms_since_start = [&](Clock::time_point t) { return std::chrono::duration<double, std::milli>(t - start).count(); };
  std::size_t next_seq = 0;
  const auto count = static_cast<std::size_t>(opts.count);
  std::vector<std::vector<bool>> ended(report.targets.size(), std::vector<bool>(count, false));
  auto stopped = [&] { return opts.stop && opts.stop->load(); };
  while (next_seq < count || pinger.in_flight() > 0) {
    if (stopped()) {
      report.interrupted = true;
      break;
    }
    auto next_send = start + opts.interval * static_cast<long>(next_seq);
    if (next_seq < count && Clock::now() >= next_send) {
      // Probe next_seq of every target leaves now, each on its own connection.
      for (std::size_t i = 0; i < report.targets.size(); ++i) {
        auto& probe = report.targets[i].probes[next_seq];
        probe.seq = static_cast<int>(next_seq);
        auto now = Clock::now();
        probe.sent_at_ms = ms_since_start(now);
        owner[pinger.start(report.targets[i].target.ip, opts.type, now + opts.probe_timeout)] = {i, next_seq};
      }
      ++next_seq;
      continue;
    }
    auto until = next_seq < count ? next_send : Clock::now() + opts.probe_timeout + std::chrono::seconds(1);
    if (opts.stop) until = std::min(until, Clock::now() + std::chrono::milliseconds(100));  // look at the flag
    for (auto& [id, outcome] : pinger.wait(until)) {
      auto [i, seq] = owner.at(id);
      ended[i][seq] = true;
      auto& probe = report.targets[i].probes[seq];
      if (outcome.kind == tailscale::PingOutcome::Kind::reply) {
        probe.rtt_ms = outcome.result.latency_ms;
        probe.path = path_of_reply(outcome.result);
      } else {
        probe.error = outcome.error;
      }
      if (opts.on_probe) opts.on_probe(report.targets[i].target, probe);
    }
  }
  report.elapsed_ms = ms_since_start(Clock::now());
  if (report.interrupted)
    for (std::size_t i = 0; i < report.targets.size(); ++i) {
      auto& probes = report.targets[i].probes;
      std::vector<Probe> kept;
      for (std::size_t k = 0; k < probes.size(); ++k)
        if (ended[i][k]) kept.push_back(std::move(probes[k]));
      probes = std::move(kept);
    }

  for (auto& t : report.targets) conclude(t, opts.thresholds);

  // TSMP and ICMP pongs say nothing of the path: ask tailscaled how it reaches each peer now.
  bool need_status = std::any_of(report.targets.begin(), report.targets.end(),
                                 [](const auto& t) { return t.path.kind == PingPath::unknown && t.stats.received > 0; });
  if (need_status) {
    try {
      auto status = tailscale::LocalApi(socket, opts.probe_timeout).status();
      for (auto& t : report.targets) {
        if (t.path.kind != PingPath::unknown || t.stats.received == 0) continue;
        if (const auto* p = tailscale::find_peer(status, t.target.ip)) t.path = path_of_peer(*p);
      }
    } catch (const Error&) {
      // The measurement stands without the paths; they stay unknown.
    }
  }
  for (const auto& t : report.targets) report.verdict = std::max(report.verdict, t.verdict);
  return report;
}

QualityReport check(const std::string& socket, const std::vector<std::string>& names, const QualityOptions& opts,
                    std::chrono::milliseconds api_timeout) {
  auto status = tailscale::LocalApi(socket, api_timeout).status();
  if (status.backend_state != "Running")
    throw Error(Exit::critical, fmt::format("tailscaled's backend is {}, not Running: nothing to measure",
                                            status.backend_state.empty() ? "in no state" : status.backend_state),
                "tailscale up");
  auto targets = resolve_targets(status, names);
  if (auto why = all_peers_offline(status, names); targets.empty() && !why.empty()) {
    QualityReport r;
    r.started = std::chrono::system_clock::now();
    r.options = opts;
    r.options.on_probe = nullptr;
    r.verdict = Verdict::down;
    r.reasons.push_back(why);
    return r;
  }
  return measure(socket, targets, opts);
}

} // namespace meshops::monitor
