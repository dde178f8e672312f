#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/error.hpp"
#include "meshops/sys/calendar.hpp"

#include <fmt/format.h>

namespace fw_status {
namespace {

using meshops::cli::Align;
using meshops::cli::Cell;
using meshops::cli::Column;
using meshops::cli::plural;
using meshops::cli::Style;
using meshops::cli::Table;
using meshops::nft::Counters;
using meshops::nft::PortRange;
using meshops::nft::Verdict;
using json = nlohmann::ordered_json;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

json ports_json(const std::vector<PortRange>& ports) {
  json a = json::array();
  for (const auto& p : ports) a.push_back({{"low", p.low}, {"high", p.high}, {"service", p.service.empty() ? json(nullptr) : json(p.service)}});
  return a;
}

void counters_json(json& j, const Counters& c) {
  j["accepted_packets"] = c.accepted_packets;
  j["accepted_bytes"] = c.accepted_bytes;
  j["dropped_packets"] = c.dropped_packets;
  j["dropped_bytes"] = c.dropped_bytes;
}

std::string counted(std::uint64_t packets, std::uint64_t bytes) {
  return packets == 0 ? std::string("0") : fmt::format("{} {}", meshops::cli::plural(packets, "pkt"), meshops::cli::human_bytes(bytes));
}

json rule_ref_json(const std::optional<meshops::nft::RuleRef>& r) {
  if (!r) return nullptr;
  return {{"family", r->family}, {"table", r->table}, {"chain", r->chain}, {"handle", r->handle}, {"rule", r->text()}};
}

std::string now_rfc3339() { return meshops::sys::format_utc(std::chrono::system_clock::now()); }

} // namespace

json to_json(const Ruleset& rs, const ZoneReport& zr, const std::string& source, bool with_rules) {
  json doc{{"schema", "meshops/fw-status/1"}, {"generated_at", now_rfc3339()}, {"source", source}, {"tables", rs.tables.size()},
           {"chains", rs.chains.size()}, {"rules", rs.rule_count()}, {"sets", rs.sets.size()}};
  json zones = json::array();
  for (const auto& z : zr.zones) {
    json j{{"name", z.name}, {"found", z.found}};
    j["family"] = z.found ? json(z.family) : json(nullptr);
    j["table"] = z.found ? json(z.table) : json(nullptr);
    j["chain"] = z.found ? json(z.chain) : json(nullptr);
    j["interfaces"] = z.interfaces;
    j["sources"] = z.sources;
    j["tcp_ports"] = ports_json(z.tcp);
    j["udp_ports"] = ports_json(z.udp);
    j["accepts_all"] = z.accepts_all;
    j["falls_through"] = z.found ? json(z.falls_through) : json(nullptr);
    j["rule_count"] = z.rules;
    counters_json(j, z.counters);
    zones.push_back(std::move(j));
  }
  doc["zones"] = std::move(zones);
  json ts = json::array();
  for (const auto& t : zr.tailscale) {
    json j{{"family", t.family}, {"table", t.table}, {"chain", t.chain}, {"hooked_from", t.hooked_from}, {"rule_count", t.rules}};
    counters_json(j, t.counters);
    ts.push_back(std::move(j));
  }
  doc["tailscale_chains"] = std::move(ts);
  json bases = json::array();
  for (const auto& c : rs.chains) {
    if (!c.is_base()) continue;
    json j{{"family", c.family}, {"table", c.table}, {"chain", c.name}, {"type", c.type}, {"hook", c.hook},
           {"priority", c.priority}, {"policy", c.policy}};
    counters_json(j, meshops::nft::own_counters(c));
    const auto* last = meshops::nft::final_drop(c);
    j["final_drop"] = last ? json{{"handle", last->handle}, {"verdict", std::string(meshops::nft::verdict_name(last->verdict))},
                                  {"packets", last->has_counter ? json(last->packets) : json(nullptr)},
                                  {"bytes", last->has_counter ? json(last->bytes) : json(nullptr)}}
                           : json(nullptr);
    bases.push_back(std::move(j));
  }
  doc["base_chains"] = std::move(bases);
  if (with_rules) {
    json chains = json::array();
    for (const auto& c : rs.chains) {
      json rules = json::array();
      for (const auto& r : c.rules) {
        json jr{{"handle", r.handle}, {"rule", meshops::nft::render_rule(r)}};
        jr["verdict"] = r.verdict == Verdict::none ? json(nullptr) : json(std::string(meshops::nft::verdict_name(r.verdict)));
        jr["target"] = r.target.empty() ? json(nullptr) : json(r.target);
        jr["packets"] = r.has_counter ? json(r.packets) : json(nullptr);
        jr["bytes"] = r.has_counter ? json(r.bytes) : json(nullptr);
        rules.push_back(std::move(jr));
      }
      json jc{{"family", c.family}, {"table", c.table}, {"chain", c.name}};
      jc["hook"] = c.is_base() ? json(c.hook) : json(nullptr);
      jc["priority"] = c.is_base() ? json(c.priority) : json(nullptr);
      jc["policy"] = c.is_base() ? json(c.policy) : json(nullptr);
      jc["rules"] = std::move(rules);
      chains.push_back(std::move(jc));
    }
    doc["chain_rules"] = std::move(chains);
  }
  return doc;
}

std::string to_text(const Ruleset& rs, const ZoneReport& zr, const meshops::cli::Output& out) {
  Table t({{"ZONE"}, {"CHAIN"}, {"FROM", Align::left, true}, {"TCP", Align::left, true}, {"UDP", Align::left, true},
           {"FALLS THROUGH"}, {"ACCEPTED", Align::right}, {"DROPPED", Align::right}});
  for (const auto& z : zr.zones) {
    if (!z.found) {
      t.add_row({Cell(z.name, Style::bold), Cell("(no chain)", Style::bad)});
      continue;
    }
    std::vector<std::string> from;
    for (const auto& i : z.interfaces)
      if (i != "any") from.push_back("iif " + i);
    for (const auto& s : z.sources)
      if (s != "any") from.push_back("src " + s);
    if (from.empty() && !z.interfaces.empty()) from.push_back("any");
    std::string tcp = z.accepts_all && z.tcp.empty() ? "all" : meshops::nft::render_ports(z.tcp);
    std::string udp = z.accepts_all && z.udp.empty() ? "all" : meshops::nft::render_ports(z.udp);
    t.add_row({Cell(z.name, Style::bold), fmt::format("{} {} {}", z.family, z.table, z.chain), join(from), tcp, udp,
               z.falls_through, counted(z.counters.accepted_packets, z.counters.accepted_bytes),
               Cell(counted(z.counters.dropped_packets, z.counters.dropped_bytes), z.counters.dropped_packets ? Style::warn : Style::none)});
  }
  // What no zone took: the input hook's base chains, their own accepts and drops.
  for (const auto& b : zr.input_chains)
    t.add_row({Cell("(input)", Style::dim), fmt::format("{} {} {}", b.family, b.table, b.chain), "", "", "", b.falls_through,
               counted(b.counters.accepted_packets, b.counters.accepted_bytes),
               Cell(counted(b.counters.dropped_packets, b.counters.dropped_bytes), b.counters.dropped_packets ? Style::warn : Style::none)});
  std::string s = zr.zones.empty() && zr.input_chains.empty()
                      ? std::string("No zones: no firewall.zones in the config and no zone_* chain.\n")
                      : t.render(out);
  if (!zr.tailscale.empty()) {
    Table ts({{"TAILSCALE CHAIN"}, {"TABLE"}, {"HOOKED FROM", Align::left, true}, {"RULES", Align::right},
              {"ACCEPTED", Align::right}, {"DROPPED", Align::right}});
    for (const auto& c : zr.tailscale)
      ts.add_row({c.chain, c.family + " " + c.table, c.hooked_from.empty() ? "-" : join(c.hooked_from), std::to_string(c.rules),
                  counted(c.counters.accepted_packets, c.counters.accepted_bytes), counted(c.counters.dropped_packets, c.counters.dropped_bytes)});
    s += '\n';
    s += ts.render(out);
  }
  if (out.legend)
    s += fmt::format("\n{}, {}; {} in {} of {}.\n", plural(zr.zones.size(), "zone"), plural(zr.tailscale.size(), "tailscale chain"),
                     plural(rs.rule_count(), "rule"), plural(rs.chains.size(), "chain"), plural(rs.tables.size(), "table"));
  return s;
}

std::string to_text(const Ruleset& rs, const meshops::cli::Output& out) {
  std::string s;
  for (const auto& c : rs.chains) {
    std::string head = fmt::format("{} {} {}", c.family, c.table, c.name);
    if (c.is_base()) head += fmt::format(" (type {} hook {} priority {} policy {})", c.type, c.hook, c.priority, c.policy);
    if (meshops::nft::is_tailscale_chain(c.name)) head += " [tailscale]";
    s += meshops::cli::paint(meshops::cli::terminal_safe(head), Style::bold, out.color) + "\n";
    Table t({{"HANDLE", Align::right}, {"RULE", Align::left, true}, {"PACKETS", Align::right}, {"BYTES", Align::right}});
    for (const auto& r : c.rules)
      t.add_row({std::to_string(r.handle), meshops::nft::render_rule(r), r.has_counter ? std::to_string(r.packets) : "-",
                 r.has_counter ? meshops::cli::human_bytes(r.bytes) : "-"});
    s += t.rows() ? t.render(out) : std::string("  (no rules)\n");
    s += "\n";
  }
  return s;
}

json to_json(const Packet& p, const Evaluation& ev, const CanQuery& q) {
  json doc{{"schema", "meshops/fw-status/1"}, {"generated_at", now_rfc3339()}};
  doc["query"] = {{"source", p.saddr.to_string()}, {"peer", q.peer.empty() ? json(nullptr) : json(q.peer)},
                  {"protocol", p.l4proto}, {"port", p.dport}, {"service", q.service.empty() ? json(nullptr) : json(q.service)},
                  {"iif", p.iifname.empty() ? json(nullptr) : json(p.iifname)}, {"iif_assumed", q.iif_assumed},
                  {"destination", p.daddr ? json(p.daddr->to_string()) : json(nullptr)}, {"hook", "input"}};
  doc["verdict"] = std::string(meshops::nft::verdict_name(ev.verdict));
  if (ev.decided_by) {
    doc["decided_by"] = rule_ref_json(ev.decided_by);
    doc["decided_by"]["policy"] = false;
  } else if (ev.verdict != Verdict::accept && ev.decided_in) {
    // A policy drop: no rule, but the base chain is named (handle null).
    doc["decided_by"] = {{"family", ev.decided_in->family}, {"table", ev.decided_in->table}, {"chain", ev.decided_in->chain},
                         {"handle", nullptr}, {"rule", nullptr}, {"policy", true}};
  } else {
    doc["decided_by"] = nullptr;
  }
  json chains = json::array();
  for (const auto& c : ev.chains) {
    json j{{"family", c.family}, {"table", c.table}, {"chain", c.chain}, {"priority", c.priority},
           {"verdict", std::string(meshops::nft::verdict_name(c.verdict))}, {"by_policy", c.by_policy}};
    j["handle"] = c.rule ? json(c.rule->handle) : json(nullptr);
    j["rule"] = c.rule ? json(c.rule->text()) : json(nullptr);
    chains.push_back(std::move(j));
  }
  doc["chains"] = std::move(chains);
  doc["notes"] = ev.notes;
  return doc;
}

std::string to_text(const Packet& p, const Evaluation& ev, const CanQuery& q, const meshops::cli::Output& out) {
  std::string verdict(meshops::nft::verdict_name(ev.verdict));
  std::string src = q.peer.empty() ? p.saddr.to_string() : fmt::format("{} ({})", meshops::cli::terminal_safe(q.peer), p.saddr.to_string());
  std::string port = q.service.empty() ? std::to_string(p.dport) : fmt::format("{} ({})", p.dport, meshops::cli::terminal_safe(q.service));
  std::string s = fmt::format("{} {}/{}{}: {}", src, p.l4proto, port,
                              p.iifname.empty() ? "" : " via " + meshops::cli::terminal_safe(p.iifname) + (q.iif_assumed ? " (assumed)" : ""),
                              meshops::cli::paint(verdict, ev.verdict == Verdict::accept ? Style::good : Style::bad, out.color));
  // Names come from the ruleset (a --file may hold anything): each escaped once, here; the
  // table below escapes its own cells.
  using meshops::cli::terminal_safe;
  if (ev.decided_by)
    s += fmt::format(" by {} {} {} handle {}: {}", terminal_safe(ev.decided_by->family), terminal_safe(ev.decided_by->table),
                     terminal_safe(ev.decided_by->chain), ev.decided_by->handle, terminal_safe(ev.decided_by->text()));
  else if (ev.decided_in)
    s += fmt::format(" by the policy of {} {} {}", terminal_safe(ev.decided_in->family), terminal_safe(ev.decided_in->table),
                     terminal_safe(ev.decided_in->chain));
  else
    s += " by policy";
  s += "\n";
  if (out.legend) {
    Table t({{"BASE CHAIN"}, {"PRIORITY", Align::right}, {"VERDICT"}, {"BY", Align::left, true}});
    for (const auto& c : ev.chains)
      t.add_row({fmt::format("{} {} {}", c.family, c.table, c.chain), std::to_string(c.priority), std::string(meshops::nft::verdict_name(c.verdict)),
                 c.rule ? fmt::format("{} handle {}: {}", c.rule->chain, c.rule->handle, c.rule->text()) : std::string("policy")});
    s += t.render(out);
  }
  if (q.iif_assumed) s += "note: no --iif: a tailnet source arrives on tailscale0 (give --iif for another interface)\n";
  for (const auto& n : ev.notes) s += "note: " + meshops::cli::terminal_safe(n) + "\n";
  return s;
}

json to_json(const CheckReport& r) {
  const auto& d = r.drift;
  json f = json::array();
  for (const auto& x : d.findings)
    f.push_back({{"severity", meshops::exit_name(x.severity)}, {"kind", x.kind}, {"zone", x.zone.empty() ? json(nullptr) : json(x.zone)}, {"message", x.message}});
  json skipped = json::array();
  for (const auto& n : d.not_checked) skipped.push_back({{"what", n.what}, {"reason", n.reason}});
  return {{"schema", "meshops/fw-status/1"},
          {"generated_at", now_rfc3339()},
          {"status", meshops::exit_name(r.verdict.state)},
          {"reasons", r.verdict.reasons},
          {"hint", r.verdict.hint.empty() ? json(nullptr) : json(r.verdict.hint)},
          {"error", r.error ? json(r.error->what()) : json(nullptr)},
          {"findings", std::move(f)},
          {"not_checked", std::move(skipped)},
          {"probes", d.probes}};
}

std::string to_text(const CheckReport& r, const meshops::cli::Output& out) {
  const auto& d = r.drift;
  std::string s;
  for (const auto& x : d.findings) {
    auto style = x.severity == meshops::Exit::critical ? Style::bad : Style::warn;
    s += meshops::cli::paint(x.severity == meshops::Exit::critical ? "CRITICAL" : "WARNING", style, out.color) + ": " +
         meshops::cli::terminal_safe(x.message) + "\n";
  }
  for (const auto& n : d.not_checked) s += "not checked: " + n.reason + "\n";
  if (out.legend) {
    std::string probes = plural(d.probes, "probe");
    if (!d.findings.empty()) s += fmt::format("{} ({}).\n", plural(d.findings.size(), "finding"), probes);
    else if (d.not_checked.size() == 2)  // neither zones nor a policy declared
      s += fmt::format("OK: nothing declared to compare the ruleset with ({}).\n", probes);
    else s += fmt::format("OK: the ruleset matches what the config declares ({}).\n", probes);
  }
  return s;
}

std::vector<meshops::cli::Metric> to_prom(const CheckReport& r) {
  meshops::cli::Metric m{"meshops_fw_status_drift_findings", "Drift findings of fw-status --check, by level (warning, critical)", "gauge", {}};
  for (auto sev : {meshops::Exit::warning, meshops::Exit::critical}) {
    double n = 0;
    for (const auto& f : r.drift.findings) n += f.severity == sev ? 1 : 0;
    m.samples.push_back({{{"level", meshops::exit_name(sev)}}, n});
  }
  return {m};
}

std::string ok_text(const CheckReport& r) {
  // OK with nothing declared must not read as a match: name what was not compared.
  std::string unchecked;
  for (const auto& n : r.drift.not_checked) unchecked += (unchecked.empty() ? "" : ", ") + n.what;
  if (unchecked.empty()) return fmt::format("ruleset matches the declared zones ({} probes)", r.drift.probes);
  return fmt::format("ruleset matches what the config declares ({} probes); not declared, not checked: {}", r.drift.probes,
                     unchecked);
}

std::vector<meshops::cli::Metric> to_prom(const Ruleset& rs, const ZoneReport& zr) {
  meshops::cli::Metric zp{"meshops_fw_status_zone_packets_total", "Packets counted by the rules of a zone's chain, by what they did", "counter", {}};
  meshops::cli::Metric zb{"meshops_fw_status_zone_bytes_total", "Bytes counted by the rules of a zone's chain, by what they did", "counter", {}};
  for (const auto& z : zr.zones) {
    if (!z.found) continue;
    zp.samples.push_back({{{"zone", z.name}, {"action", "accepted"}}, static_cast<double>(z.counters.accepted_packets)});
    zp.samples.push_back({{{"zone", z.name}, {"action", "dropped"}}, static_cast<double>(z.counters.dropped_packets)});
    zb.samples.push_back({{{"zone", z.name}, {"action", "accepted"}}, static_cast<double>(z.counters.accepted_bytes)});
    zb.samples.push_back({{{"zone", z.name}, {"action", "dropped"}}, static_cast<double>(z.counters.dropped_bytes)});
  }
  meshops::cli::Metric cp{"meshops_fw_status_chain_packets_total", "Packets counted by all rules of a chain", "counter", {}};
  meshops::cli::Metric cb{"meshops_fw_status_chain_bytes_total", "Bytes counted by all rules of a chain", "counter", {}};
  for (const auto& c : rs.chains) {
    std::uint64_t p = 0, b = 0;
    for (const auto& r : c.rules) {
      p += r.packets;
      b += r.bytes;
    }
    std::vector<std::pair<std::string, std::string>> labels{{"family", c.family}, {"table", c.table}, {"chain", c.name}};
    cp.samples.push_back({labels, static_cast<double>(p)});
    cb.samples.push_back({labels, static_cast<double>(b)});
  }
  meshops::cli::Metric zf{"meshops_fw_status_zone_found", "1 when the zone's chain exists in the ruleset", "gauge", {}};
  for (const auto& z : zr.zones) zf.samples.push_back({{{"zone", z.name}}, z.found ? 1.0 : 0.0});
  meshops::cli::Metric rules{"meshops_fw_status_rules", "Rules in the ruleset", "gauge", {{{}, static_cast<double>(rs.rule_count())}}};
  return {zp, zb, cp, cb, zf, rules};
}

} // namespace fw_status
