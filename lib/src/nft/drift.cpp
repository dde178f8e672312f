#include "meshops/nft/drift.hpp"

#include "meshops/nft/evaluate.hpp"
#include "meshops/nft/zones.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <map>
#include <set>

namespace meshops::nft {
namespace {

// A source no real rule names (TEST-NET-2) on an interface no real host has: "the internet".
constexpr const char* kOutsideAddr = "198.51.100.7";
constexpr const char* kOutsideIface = "outside0";

using PortKey = std::pair<std::string, std::uint16_t>;  // proto, port

struct Candidate {
  std::string zone;  ///< zone it represents; empty for the outside
  Packet packet;
  std::string describe() const {
    return fmt::format("{} on {}", packet.saddr.to_string(), packet.iifname);
  }
};

struct Declared {
  std::set<PortKey> ports;
  bool all = false;
};

/// Every port a rule or set mentions (ranges by their ends), for both protocols.
void mentioned_ports(const Ruleset& rs, std::set<PortKey>& out) {
  std::function<void(const Chain&, const Value&, const std::string&)> add = [&](const Chain& c, const Value& v, const std::string& proto) {
    auto put = [&](std::uint64_t n) {
      if (n > 65535) return;
      if (proto == "tcp" || proto == "th") out.insert({"tcp", static_cast<std::uint16_t>(n)});
      if (proto == "udp" || proto == "th") out.insert({"udp", static_cast<std::uint16_t>(n)});
    };
    if (v.kind == Value::Kind::number) put(v.number);
    else if (v.kind == Value::Kind::range) {
      for (const auto& i : v.items)
        if (i.kind == Value::Kind::number) put(i.number);
    } else if (v.kind == Value::Kind::set) {
      for (const auto& i : v.items) add(c, i, proto);
    } else if (v.kind == Value::Kind::set_ref) {
      if (const Set* s = rs.find_set(c.family, c.table, v.text))
        for (const auto& e : s->elements) add(c, e, proto);
    }
  };
  for (const auto& c : rs.chains)
    for (const auto& r : c.rules)
      for (const auto& m : r.matches)
        if (m.field == Field::dport) add(c, m.right, m.proto);
}

Packet make_packet(const IpAddr& src, const std::string& iface) {
  Packet p;
  p.saddr = src;
  p.iifname = iface;
  return p;
}

} // namespace

Exit DriftReport::status() const {
  Exit e = Exit::ok;
  for (const auto& f : findings) e = worst(e, f.severity);
  return e;
}

DriftReport check_drift(const Ruleset& rs, const config::Config& config, const Services& services) {
  DriftReport report;
  const auto& fw = config.firewall;
  auto add = [&](Exit sev, std::string kind, std::string zone, std::string msg) {
    report.findings.push_back({sev, std::move(kind), std::move(zone), std::move(msg)});
  };
  auto evaluate_counted = [&](const Packet& p) {
    ++report.probes;
    return evaluate(rs, p);
  };

  // What each zone declares, as (proto, port).
  std::map<std::string, Declared> declared;
  for (const auto& [name, z] : fw.zones) {
    Declared& d = declared[name];
    d.all = z.allow_all_services;
    for (int p : z.allowed_tcp_ports) d.ports.insert({"tcp", static_cast<std::uint16_t>(p)});
    for (int p : z.allowed_udp_ports) d.ports.insert({"udp", static_cast<std::uint16_t>(p)});
    for (const auto& s : z.allowed_services) {
      auto tcp = services.port(s, "tcp");
      auto udp = services.port(s, "udp");
      if (tcp) d.ports.insert({"tcp", *tcp});
      if (udp && !tcp) d.ports.insert({"udp", *udp});
      if (!tcp && !udp) {
        auto it = config.nginx.services.find(s);
        if (it != config.nginx.services.end() && it->second.upstream_port > 0)
          d.ports.insert({"tcp", static_cast<std::uint16_t>(it->second.upstream_port)});
        else
          add(Exit::warning, "unknown_service", name,
              fmt::format("zone {}: service \"{}\" is neither in /etc/services nor in nginx.services", name, s));
      }
    }
  }

  // Zones every source gets (no interface, no source restriction) and the probe packets.
  std::set<std::string> all_ifaces;
  for (const auto& [name, z] : fw.zones) all_ifaces.insert(z.interfaces.begin(), z.interfaces.end());
  auto outside = *IpAddr::parse(kOutsideAddr);
  std::vector<Candidate> candidates{{"", make_packet(outside, kOutsideIface)}};
  std::set<PortKey> open_to_all;
  for (const auto& [name, z] : fw.zones) {
    if (z.interfaces.empty() && z.allowed_ips.empty()) {
      open_to_all.insert(declared[name].ports.begin(), declared[name].ports.end());
      continue;
    }
    for (const auto& i : z.interfaces) candidates.push_back({name, make_packet(outside, i)});
    for (std::size_t i = 0; i < z.allowed_ips.size(); ++i) {
      auto prefix = IpPrefix::parse(z.allowed_ips[i]);
      if (!prefix)
        throw Error(Exit::unknown, fmt::format("{}: firewall.zones.{}.allowedIPs[{}]: \"{}\" is not an address or ADDR/LEN", config.origin,
                                               name, i, z.allowed_ips[i]));
      // A host of the network, not one next to it: a /32 is probed from its own address.
      auto host = prefix->first_host();
      candidates.push_back({name, make_packet(host, kOutsideIface)});
      for (const auto& ifc : all_ifaces) candidates.push_back({name, make_packet(host, ifc)});
    }
  }

  // Every port worth probing, plus one nobody mentions: accepting it means "all ports".
  std::set<PortKey> ports;
  mentioned_ports(rs, ports);
  for (const auto& [name, d] : declared) ports.insert(d.ports.begin(), d.ports.end());
  ports.insert({"udp", static_cast<std::uint16_t>(fw.tailscale_port)});
  std::uint16_t sentinel = 65001;
  while (ports.count({"tcp", sentinel}) || ports.count({"udp", sentinel})) ++sentinel;
  ports.insert({"tcp", sentinel});
  ports.insert({"udp", sentinel});

  if (!fw.zones.empty()) {
    std::set<PortKey> reported;
    std::map<std::string, std::set<PortKey>> open_for_zone;
    for (const auto& c : candidates) {
      const Declared* mine = c.zone.empty() ? nullptr : &declared[c.zone];
      for (const auto& [proto, port] : ports) {
        Packet p = c.packet;
        p.l4proto = proto;
        p.dport = port;
        auto ev = evaluate_counted(p);
        if (ev.verdict != Verdict::accept) continue;
        if (!c.zone.empty()) open_for_zone[c.zone].insert({proto, port});
        bool ok = open_to_all.count({proto, port}) || (mine && (mine->all || mine->ports.count({proto, port}))) ||
                  (proto == "udp" && port == fw.tailscale_port);
        if (ok || !reported.insert({proto, port}).second) continue;
        std::string by = ev.decided_by ? fmt::format(" (accepted by {} {} {} handle {})", ev.decided_by->family,
                                                     ev.decided_by->table, ev.decided_by->chain, ev.decided_by->handle)
                                       : "";
        if (port == sentinel)
          add(Exit::critical, "undeclared_open", c.zone,
              fmt::format("every {} port is open to {}{}, but no zone allows all services there", proto, c.describe(), by));
        else
          add(Exit::critical, "undeclared_open", c.zone,
              fmt::format("{}/{} is open to {}{}, but no zone declares it", proto, port, c.describe(), by));
      }
    }
    // Declared but closed: the zone's own probes (the outside for unrestricted zones).
    for (const auto& [name, z] : fw.zones) {
      const auto& want = declared[name];
      bool unrestricted = z.interfaces.empty() && z.allowed_ips.empty();
      for (const auto& [proto, port] : want.ports) {
        bool open = false;
        if (unrestricted) {
          Packet p = candidates.front().packet;
          p.l4proto = proto;
          p.dport = port;
          open = evaluate_counted(p).verdict == Verdict::accept;
        } else {
          open = open_for_zone[name].count({proto, port}) > 0;
        }
        if (!open)
          add(Exit::warning, "declared_closed", name, fmt::format("zone {} declares {}/{} but the ruleset does not accept it", name, proto, port));
      }
      if (want.all && !unrestricted && !open_for_zone[name].count({"tcp", sentinel}))
        add(Exit::warning, "declared_closed", name, fmt::format("zone {} allows all services but the ruleset does not accept every port", name));
    }
    // A zone without a chain.
    auto zr = analyse_zones(rs, fw, services);
    for (const auto& z : zr.zones)
      if (!z.found) add(Exit::warning, "missing_zone", z.name, fmt::format("zone {} has no chain in the ruleset (looked for {})", z.name,
                                                                      fw.zones.at(z.name).chain.empty() ? "zone_" + z.name + " or " + z.name : fw.zones.at(z.name).chain));
  }

  // Default policy, when declared: for IPv4 and for IPv6 (tailscale0 always has an fd7a:
  // address), some input base chain the packet meets must drop by policy, or end in a rule that
  // drops or rejects whatever reached it. An `ip` table alone leaves IPv6 accepted.
  if (fw.default_policy.empty()) {
    report.not_checked.push_back({"default_policy", "firewall.defaultPolicy is not declared: the input chains' policy is not checked"});
  } else if (fw.default_policy != "accept") {
    std::vector<std::string> open_versions;
    for (int version : {4, 6}) {
      bool dropping = false;
      for (const auto* c : base_chains(rs, "input", version))
        if (c->policy == "drop" || final_drop(*c)) dropping = true;
      if (!dropping) open_versions.push_back(fmt::format("IPv{}", version));
    }
    if (!open_versions.empty())
      add(Exit::critical, "default_policy", "",
          fmt::format("no base chain on the input hook drops what no rule accepts for {} (declared defaultPolicy: {})",
                      fmt::join(open_versions, " and "), fw.default_policy));
  }
  if (fw.zones.empty())
    report.not_checked.push_back({"zones", "no firewall.zones declared: open and closed ports are not compared"});

  if (fw.enable_logging) {
    bool logs = false;
    for (const auto& c : rs.chains)
      for (const auto& r : c.rules) logs = logs || r.log;
    if (!logs) add(Exit::warning, "logging_absent", "", "enableLogging is set but no rule logs");
  }

  Packet ts = candidates.front().packet;
  ts.l4proto = "udp";
  ts.dport = static_cast<std::uint16_t>(fw.tailscale_port);
  auto ev = evaluate_counted(ts);
  if (ev.verdict != Verdict::accept)
    add(Exit::warning, "tailscale_port_closed", "",
        fmt::format("tailscaled's udp/{} is not reachable from outside ({}): peers will fall back to DERP relays", fw.tailscale_port,
                    ev.decided_by ? fmt::format("{} {} {} handle {}", ev.decided_by->family, ev.decided_by->table, ev.decided_by->chain, ev.decided_by->handle)
                                  : "dropped by policy"));
  return report;
}

} // namespace meshops::nft
