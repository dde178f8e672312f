#include "meshops/nft/zones.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace meshops::nft {
namespace {

const Chain* find_zone_chain(const Ruleset& rs, const std::string& zone, const config::Zone* cfg) {
  std::vector<std::string> names;
  if (cfg && !cfg->chain.empty()) names.push_back(cfg->chain);
  else names = {"zone_" + zone, zone};
  for (const auto& n : names)
    for (const auto& c : rs.chains)
      if (c.name == n && !is_tailscale_chain(c.name)) return &c;
  return nullptr;
}

void add_counters(Counters& c, const Rule& r) {
  if (!r.has_counter) return;
  if (r.verdict == Verdict::accept) {
    c.accepted_packets += r.packets;
    c.accepted_bytes += r.bytes;
  } else if (r.verdict == Verdict::drop || r.verdict == Verdict::reject) {
    c.dropped_packets += r.packets;
    c.dropped_bytes += r.bytes;
  }
}

/// Port values of a dport match, resolving named sets.
void collect_ports(const Ruleset& rs, const Chain& c, const Value& v, std::vector<PortRange>& out) {
  switch (v.kind) {
  case Value::Kind::number: out.push_back({static_cast<std::uint16_t>(v.number), static_cast<std::uint16_t>(v.number), {}}); break;
  case Value::Kind::range:
    if (v.items.size() == 2 && v.items[0].kind == Value::Kind::number && v.items[1].kind == Value::Kind::number)
      out.push_back({static_cast<std::uint16_t>(v.items[0].number), static_cast<std::uint16_t>(v.items[1].number), {}});
    break;
  case Value::Kind::set:
    for (const auto& i : v.items) collect_ports(rs, c, i, out);
    break;
  case Value::Kind::set_ref:
    if (const Set* s = rs.find_set(c.family, c.table, v.text))
      for (const auto& e : s->elements) collect_ports(rs, c, e, out);
    break;
  default: break;
  }
}

/// A match's right side as the zone table shows it, set references expanded.
std::string describe(const Ruleset& rs, const Chain& c, const Match& m) {
  std::string text;
  if (m.right.kind == Value::Kind::set_ref) {
    if (const Set* s = rs.find_set(c.family, c.table, m.right.text)) {
      Value v;
      v.kind = Value::Kind::set;
      v.items = s->elements;
      text = render_value(v);
      if (s->elements.size() == 1) text = render_value(s->elements[0]);
    }
  }
  if (text.empty()) text = render_value(m.right);
  return m.op == "!=" ? "not " + text : text;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void name_services(std::vector<PortRange>& ports, const Services& services, const std::string& proto) {
  std::sort(ports.begin(), ports.end(), [](const PortRange& a, const PortRange& b) { return std::tie(a.low, a.high) < std::tie(b.low, b.high); });
  ports.erase(std::unique(ports.begin(), ports.end(), [](const PortRange& a, const PortRange& b) { return a.low == b.low && a.high == b.high; }), ports.end());
  for (auto& p : ports)
    if (p.low == p.high) p.service = services.name(p.low, proto).value_or("");
}

ZoneView view_zone(const Ruleset& rs, const std::string& name, const Chain* chain, const Services& services) {
  ZoneView z;
  z.name = name;
  if (!chain) return z;
  z.found = true;
  z.family = chain->family;
  z.table = chain->table;
  z.chain = chain->name;
  z.rules = chain->rules.size();
  for (const auto& r : chain->rules) {
    add_counters(z.counters, r);
    if (r.verdict != Verdict::accept) continue;
    bool has_port = false;
    for (const auto& m : r.matches) {
      if (m.field != Field::dport || (m.op != "==" && m.op != "in")) continue;
      has_port = true;
      if (m.proto == "tcp" || m.proto == "th") collect_ports(rs, *chain, m.right, z.tcp);
      if (m.proto == "udp" || m.proto == "th") collect_ports(rs, *chain, m.right, z.udp);
    }
    if (!has_port) z.accepts_all = true;
  }
  name_services(z.tcp, services, "tcp");
  name_services(z.udp, services, "udp");

  // What leads here, and where a packet goes when no rule of the zone decides.
  bool jumped = false;
  std::string via_goto;
  for (const auto& c : rs.chains) {
    if (c.family != chain->family || c.table != chain->table) continue;
    for (const auto& r : c.rules) {
      if ((r.verdict != Verdict::jump && r.verdict != Verdict::goto_) || r.target != chain->name) continue;
      bool iface = false, source = false;
      for (const auto& m : r.matches) {
        if (m.field == Field::iifname) {
          add_unique(z.interfaces, describe(rs, c, m));
          iface = true;
        } else if (m.field == Field::saddr) {
          add_unique(z.sources, describe(rs, c, m));
          source = true;
        }
      }
      if (!iface) add_unique(z.interfaces, "any");
      if (!source) add_unique(z.sources, "any");
      if (r.verdict == Verdict::jump) {
        jumped = true;
        if (z.falls_through.empty()) z.falls_through = fmt::format("return to {}", c.name);
      } else if (c.is_base()) {
        via_goto = fmt::format("policy {} of {}", c.policy, c.name);
      }
    }
  }
  if (!jumped && !via_goto.empty()) z.falls_through = via_goto;
  if (!chain->rules.empty()) {
    const Rule& last = chain->rules.back();
    if (last.matches.empty() && (last.verdict == Verdict::accept || last.verdict == Verdict::drop || last.verdict == Verdict::reject))
      z.falls_through = std::string(verdict_name(last.verdict)) + " (last rule)";
  }
  if (z.falls_through.empty()) z.falls_through = "unreachable";
  return z;
}

BaseChainView view_base_chain(const Chain& c) {
  BaseChainView b;
  b.family = c.family;
  b.table = c.table;
  b.chain = c.name;
  b.priority = c.priority;
  b.policy = c.policy;
  b.counters = own_counters(c);
  if (const Rule* last = final_drop(c)) {
    b.final_drop = *last;
    b.falls_through = std::string(verdict_name(last->verdict)) + " (last rule)";
  } else {
    b.falls_through = c.policy == "drop" ? "policy drop (not counted)" : "policy " + c.policy;
  }
  return b;
}

} // namespace

Counters own_counters(const Chain& chain) {
  Counters c;
  for (const auto& r : chain.rules) add_counters(c, r);
  return c;
}

const Rule* final_drop(const Chain& chain) {
  if (chain.rules.empty()) return nullptr;
  const Rule& last = chain.rules.back();
  return last.matches.empty() && (last.verdict == Verdict::drop || last.verdict == Verdict::reject) ? &last : nullptr;
}

bool is_tailscale_chain(std::string_view name) {
  return name == "ts-input" || name == "ts-forward" || name == "ts-postrouting" || name.substr(0, 3) == "ts-";
}

ZoneReport analyse_zones(const Ruleset& rs, const config::Firewall& firewall, const Services& services) {
  ZoneReport report;
  if (!firewall.zones.empty()) {
    for (const auto& [name, cfg] : firewall.zones)
      report.zones.push_back(view_zone(rs, name, find_zone_chain(rs, name, &cfg), services));
  } else {
    std::set<std::string> seen;
    for (const auto& c : rs.chains)
      if (c.name.rfind("zone_", 0) == 0 && seen.insert(c.name).second)
        report.zones.push_back(view_zone(rs, c.name.substr(5), &c, services));
  }
  for (const auto& c : rs.chains) {
    if (!is_tailscale_chain(c.name)) continue;
    TailscaleChainView t;
    t.family = c.family;
    t.table = c.table;
    t.chain = c.name;
    t.rules = c.rules.size();
    for (const auto& r : c.rules) add_counters(t.counters, r);
    for (const auto& b : rs.chains) {
      if (!b.is_base() || b.family != c.family || b.table != c.table) continue;
      for (const auto& r : b.rules)
        if ((r.verdict == Verdict::jump || r.verdict == Verdict::goto_) && r.target == c.name)
          add_unique(t.hooked_from, fmt::format("{} (hook {}, priority {})", b.name, b.hook, b.priority));
    }
    report.tailscale.push_back(std::move(t));
  }
  for (const auto& c : rs.chains)
    if (c.is_base() && c.hook == "input" && c.type == "filter") report.input_chains.push_back(view_base_chain(c));
  return report;
}

std::string render_ports(const std::vector<PortRange>& ports) {
  std::string s;
  for (const auto& p : ports) {
    if (!s.empty()) s += ", ";
    s += p.low == p.high ? std::to_string(p.low) : fmt::format("{}-{}", p.low, p.high);
    if (!p.service.empty()) s += fmt::format(" ({})", p.service);
  }
  return s;
}

} // namespace meshops::nft
