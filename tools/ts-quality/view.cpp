#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/sys/text.hpp"
#include "meshops/tailscale/path_label.hpp"
#include "meshops/tailscale/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <chrono>

namespace ts_quality {
namespace {

using meshops::tailscale::DerpRegion;
using meshops::tailscale::Netcheck;

using json = nlohmann::ordered_json;
using meshops::cli::Cell;
using meshops::cli::Style;
using meshops::monitor::TargetQuality;
using meshops::monitor::Verdict;
using meshops::tailscale::path_label;

std::string ms_text(const std::optional<double>& v) { return v ? meshops::cli::human_ms(*v) : "-"; }

std::string region_text(const DerpRegion& r) {
  if (!r.code.empty()) return r.code;
  return std::to_string(r.id);
}

json region_json(const DerpRegion& r) {
  return {{"id", r.id}, {"code", r.code.empty() ? json(nullptr) : json(r.code)}, {"name", r.name.empty() ? json(nullptr) : json(r.name)}};
}

json path_json(const meshops::monitor::Path& p) {
  using meshops::tailscale::PingPath;
  return {{"kind", meshops::monitor::to_string(p.kind)},
          {"text", p.text().empty() ? json(nullptr) : json(p.text())},
          {"endpoint", p.endpoint.empty() ? json(nullptr) : json(p.endpoint)},
          {"derp_region", p.kind == PingPath::derp && !p.derp_region.empty() ? json(p.derp_region) : json(nullptr)},
          {"derp_region_id", p.kind == PingPath::derp && p.derp_region_id ? json(p.derp_region_id) : json(nullptr)}};
}

json target_json(const TargetQuality& t) {
  json rtts = json::array();
  json errors = json::array();
  for (const auto& p : t.probes) {
    rtts.push_back(meshops::sys::or_null(p.rtt_ms));
    if (!p.error.empty() && std::find(errors.begin(), errors.end(), p.error) == errors.end()) errors.push_back(p.error);
  }
  json seen = json::array();
  for (const auto& p : t.paths_seen) seen.push_back(p.text());
  const auto& s = t.stats;
  return {{"name", t.target.name},
          {"ip", t.target.ip},
          {"online", t.target.online},
          {"verdict", meshops::monitor::to_string(t.verdict)},
          {"reasons", t.reasons},
          {"sent", s.sent},
          {"received", s.received},
          {"loss_pct", s.loss_pct},
          {"min_ms", meshops::sys::or_null(s.min_ms)},
          {"avg_ms", meshops::sys::or_null(s.avg_ms)},
          {"max_ms", meshops::sys::or_null(s.max_ms)},
          {"p50_ms", meshops::sys::or_null(s.p50_ms)},
          {"p95_ms", meshops::sys::or_null(s.p95_ms)},
          {"p99_ms", meshops::sys::or_null(s.p99_ms)},
          {"jitter_ms", meshops::sys::or_null(s.jitter_ms)},
          {"path", path_json(t.path)},
          {"path_changed", t.path_changed},
          {"paths_seen", seen},
          {"rtts_ms", rtts},
          {"errors", errors}};
}

json netcheck_json(const Netcheck& n) {
  if (!n.available) return {{"available", false}, {"reason", n.reason}};
  json lat = json::array();
  for (const auto& l : n.derp_latency) {
    auto r = region_json(l.region);
    r["latency_ms"] = l.latency_ms;
    lat.push_back(r);
  }
  return {{"available", true},
          {"reason", nullptr},
          {"udp", n.udp},
          {"ipv4", n.ipv4},
          {"ipv6", n.ipv6},
          {"os_has_ipv6", n.os_has_ipv6},
          {"global_v4", n.global_v4.empty() ? json(nullptr) : json(n.global_v4)},
          {"global_v6", n.global_v6.empty() ? json(nullptr) : json(n.global_v6)},
          {"mapping_varies_by_dest_ip", meshops::sys::or_null(n.mapping_varies_by_dest_ip)},
          {"preferred_derp", n.preferred_derp ? region_json(*n.preferred_derp) : json(nullptr)},
          {"derp_latency", lat}};
}

Style verdict_style(Verdict v) { return v == Verdict::ok ? Style::good : v == Verdict::degraded ? Style::warn : Style::bad; }

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::string netcheck_text(const Netcheck& n) {
  using meshops::cli::terminal_safe;
  if (!n.available) return "Netcheck:  unavailable: " + terminal_safe(n.reason) + "\n";
  std::string t;
  auto line = [&](const char* k, const std::string& v) { t += fmt::format("{:<16}{}\n", k, v); };
  line("UDP:", yes_no(n.udp));
  line("IPv4:", n.ipv4 ? "yes, " + terminal_safe(n.global_v4) : "no");
  line("IPv6:", n.ipv6 ? "yes, " + terminal_safe(n.global_v6) : n.os_has_ipv6 ? "no, but OS has support" : "no");
  line("Mapping varies:", n.mapping_varies_by_dest_ip ? yes_no(*n.mapping_varies_by_dest_ip) + " (by destination IP)" : "unknown");
  line("Preferred DERP:", n.preferred_derp ? terminal_safe(region_text(*n.preferred_derp)) : "none (no region answered)");
  std::vector<std::string> lat;
  for (const auto& l : n.derp_latency) lat.push_back(terminal_safe(region_text(l.region)) + " " + meshops::cli::human_ms(l.latency_ms));
  line("DERP latency:", lat.empty() ? "-" : fmt::format("{}", fmt::join(lat, ", ")));
  return t;
}

} // namespace

std::string sparkline(const std::vector<meshops::monitor::Probe>& probes) {
  static const char* bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& p : probes) {
    if (!p.rtt_ms) continue;
    lo = any ? std::min(lo, *p.rtt_ms) : *p.rtt_ms;
    hi = any ? std::max(hi, *p.rtt_ms) : *p.rtt_ms;
    any = true;
  }
  std::string out;
  for (const auto& p : probes) {
    if (!p.rtt_ms) {
      out += "·";
      continue;
    }
    auto level = hi > lo ? static_cast<int>((*p.rtt_ms - lo) / (hi - lo) * 7 + 0.5) : 0;
    out += bars[std::clamp(level, 0, 7)];
  }
  return out;
}

json to_json(const Report& r) {
  const auto& rep = r.measurement;
  json targets = json::array();
  for (const auto& t : rep.targets) targets.push_back(target_json(t));
  const auto& o = rep.options;
  return {{"schema", "meshops/ts-quality/1"},
          {"generated_at", meshops::sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false)},
          {"started_at", meshops::sys::format_utc(rep.started, /*with_millis=*/false)},
          {"status", meshops::exit_name(r.verdict.state)},
          {"reasons", r.verdict.reasons},
          {"hint", r.verdict.hint.empty() ? json(nullptr) : json(r.verdict.hint)},
          {"verdict", meshops::monitor::to_string(rep.verdict)},
          {"elapsed_ms", rep.elapsed_ms},
          {"interrupted", rep.interrupted},
          {"options",
           {{"count", o.count},
            {"interval_ms", o.interval.count()},
            {"probe_timeout_ms", o.probe_timeout.count()},
            {"type", meshops::tailscale::to_string(o.type)},
            {"max_latency_ms", o.thresholds.max_latency_ms},
            {"max_loss_pct", o.thresholds.max_loss_pct}}},
          {"targets", targets},
          {"netcheck", r.netcheck ? netcheck_json(*r.netcheck) : json(nullptr)}};
}

std::string to_text(const Report& r, const meshops::cli::Output& out) {
  using meshops::cli::Align;
  const auto& rep = r.measurement;
  std::string text;
  for (const auto& why : r.verdict.reasons)
    text += meshops::cli::paint(fmt::format("{}: {}", meshops::sys::upper(meshops::exit_name(r.verdict.state)), meshops::cli::terminal_safe(why)),
                                r.verdict.state == meshops::Exit::critical ? Style::bad : Style::warn, out.color) +
            "\n";
  if (rep.targets.empty()) {
    if (out.legend && r.verdict.reasons.empty()) text += "No peers to measure.\n";
  } else {
    meshops::cli::Table t({{"PEER", Align::left, true},
                           {"IP"},
                           {"PATH", Align::left, true, meshops::cli::Elide::middle},
                           {"LOSS", Align::right},
                           {"MIN", Align::right},
                           {"AVG", Align::right},
                           {"MAX", Align::right},
                           {"P50", Align::right},
                           {"P95", Align::right},
                           {"JITTER", Align::right},
                           {"VERDICT"},
                           {"RTT"}});
    for (const auto& q : rep.targets) {
      auto path = q.path.text();
      if (path.empty()) path = "-";
      if (q.path_changed) path += " (changed)";
      Style path_style = q.path.kind == meshops::tailscale::PingPath::direct ? Style::good : Style::warn;
      const auto& s = q.stats;
      t.add_row({q.target.name, q.target.ip, Cell(path, q.path_changed ? Style::warn : path_style),
                 Cell(fmt::format("{:.0f}%", s.loss_pct), s.loss_pct > rep.options.thresholds.max_loss_pct ? Style::bad : Style::none),
                 ms_text(s.min_ms), ms_text(s.avg_ms), ms_text(s.max_ms), ms_text(s.p50_ms), ms_text(s.p95_ms),
                 ms_text(s.jitter_ms), Cell(meshops::monitor::to_string(q.verdict), verdict_style(q.verdict)), sparkline(q.probes)});
    }
    text += t.render(out);  // each peer not ok, with its reasons, heads the text (the verdict's reasons)
  }
  if (r.netcheck) text += "\n" + netcheck_text(*r.netcheck);
  if (out.legend && !rep.targets.empty()) {
    std::size_t counts[3] = {0, 0, 0};
    for (const auto& q : rep.targets) ++counts[static_cast<int>(q.verdict)];
    text += fmt::format("\n{} peer{}, {} probe{} each ({} ping) in {}: {} ok, {} degraded, {} down.\n", rep.targets.size(),
                        rep.targets.size() == 1 ? "" : "s", rep.options.count, rep.options.count == 1 ? "" : "s",
                        meshops::tailscale::to_string(rep.options.type), meshops::cli::human_ms(rep.elapsed_ms), counts[0],
                        counts[1], counts[2]);
  }
  return text;
}

std::vector<meshops::cli::Metric> to_prom(const Report& r) {
  using meshops::cli::Metric;
  using meshops::tailscale::PingPath;
  const auto& rep = r.measurement;
  Metric rtt{"meshops_ts_quality_rtt_seconds", "Round trips to the peer through tailscaled (disco/TSMP/ICMP ping) in this run.", "summary", {}};
  Metric avg{"meshops_ts_quality_rtt_avg_seconds", "Average round trip to the peer.", "gauge", {}};
  Metric jitter{"meshops_ts_quality_jitter_seconds", "Mean absolute difference of consecutive round trips.", "gauge", {}};
  Metric loss{"meshops_ts_quality_loss_ratio", "Share of probes that got no reply (0..1).", "gauge", {}};
  Metric path{"meshops_ts_quality_path",
              "The path the last reply came over (tailscale's path words: direct_ipv4, direct_ipv6, derp, peer_relay_ipv4, "
              "peer_relay_ipv6); no series when nothing answered.",
              "gauge", {}};
  Metric changed{"meshops_ts_quality_path_changed", "Whether the path changed during the measurement.", "gauge", {}};
  Metric verdict{"meshops_ts_quality_verdict", "Verdict per peer: 0 ok, 1 degraded, 2 down.", "gauge", {}};
  for (const auto& q : rep.targets) {
    std::vector<std::pair<std::string, std::string>> l{{"peer", q.target.name}};
    const auto& s = q.stats;
    for (auto [quantile, v] : {std::pair{"0.5", s.p50_ms}, {"0.95", s.p95_ms}, {"0.99", s.p99_ms}})
      if (v) {
        auto lq = l;
        lq.emplace_back("quantile", quantile);
        rtt.samples.push_back({lq, *v / 1000});
      }
    double sum_s = 0, replies = 0;
    for (const auto& p : q.probes)
      if (p.rtt_ms) {
        sum_s += *p.rtt_ms / 1000;
        ++replies;
      }
    rtt.samples.push_back({l, sum_s, "_sum"});
    rtt.samples.push_back({l, replies, "_count"});
    if (s.avg_ms) avg.samples.push_back({l, *s.avg_ms / 1000});
    if (s.jitter_ms) jitter.samples.push_back({l, *s.jitter_ms / 1000});
    loss.samples.push_back({l, s.loss_pct / 100});
    std::optional<std::string> word;
    switch (q.path.kind) {
    case PingPath::direct: word = path_label(meshops::tailscale::PathKind::direct, q.path.endpoint); break;
    case PingPath::peer_relay: word = path_label(meshops::tailscale::PathKind::peer_relay, q.path.endpoint); break;
    case PingPath::derp: word = "derp"; break;
    case PingPath::unknown: break;
    }
    if (word) path.samples.push_back({{{"peer", q.target.name}, {"path", *word}}, 1.0});
    changed.samples.push_back({l, q.path_changed ? 1.0 : 0.0});
    verdict.samples.push_back({l, static_cast<double>(static_cast<int>(q.verdict))});
  }
  const auto& t = rep.options.thresholds;
  // A peer over either threshold is degraded (WARNING): the plugin view's warn fields.
  avg.warn = t.max_latency_ms / 1000;
  loss.warn = t.max_loss_pct / 100;
  std::vector<Metric> out{rtt, avg, jitter, loss, path, changed, verdict,
                          {"meshops_ts_quality_max_latency_seconds", "The average round trip above which a peer is degraded (--max-latency, monitoring.maxLatency).",
                           "gauge", {{{}, t.max_latency_ms / 1000}}},
                          {"meshops_ts_quality_max_loss_ratio", "The loss above which a peer is degraded (--max-loss, monitoring.maxPacketLoss).",
                           "gauge", {{{}, t.max_loss_pct / 100}}}};
  if (r.netcheck && r.netcheck->available) {
    const auto& n = *r.netcheck;
    out.push_back({"meshops_ts_quality_netcheck_udp", "Whether netcheck found UDP working.", "gauge", {{{}, n.udp ? 1.0 : 0.0}}});
    Metric derp{"meshops_ts_quality_netcheck_derp_latency_seconds", "Latency to each DERP region, from netcheck.", "gauge", {}};
    for (const auto& l : n.derp_latency)
      derp.samples.push_back({{{"region", region_text(l.region)}, {"region_id", std::to_string(l.region.id)}}, l.latency_ms / 1000});
    out.push_back(derp);
  }
  return out;
}

std::string ok_text(const Report& r) {
  std::map<std::string, int> paths;
  for (const auto& q : r.measurement.targets) ++paths[meshops::monitor::to_string(q.path.kind)];
  std::string by_path;
  for (const auto& [kind, n] : paths) by_path += fmt::format("{}{} {}", by_path.empty() ? "" : ", ", kind, n);
  return fmt::format("{} peers ok{}", r.measurement.targets.size(), by_path.empty() ? "" : " (" + by_path + ")");
}

} // namespace ts_quality
