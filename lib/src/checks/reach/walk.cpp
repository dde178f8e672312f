// The layer walk: pure, from the collected facts to one report.
#include "meshops/checks/reach.hpp"

#include "tailnet_filter.hpp"

#include "meshops/nft/evaluate.hpp"
#include "meshops/nginx/select.hpp"
#include "meshops/tailscale/filter.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace meshops::checks::reach {
namespace {

using nginx::to_string;

std::string self_address(const tailscale::Status& st) {
  for (const auto& ip : st.self.tailscale_ips)
    if (ip.find('.') != std::string::npos) return ip;
  return st.self.tailscale_ips.empty() ? "" : st.self.tailscale_ips.front();
}

Layer named(std::string name) {
  Layer l;
  l.name = std::move(name);
  return l;
}

template <class T> Layer unknown_layer(std::string name, const Fact<T>& f) {
  Layer l = named(std::move(name));
  l.verdict = LayerVerdict::unknown;
  l.summary = f.error;
  l.change = f.hint;
  return l;
}

// Who the source is, in the words of a policy: its tags, else its user, else its address.
std::string who(const Source& src, const Facts& facts) {
  if (src.peer && !src.peer->tags.empty()) return fmt::format("{}", fmt::join(src.peer->tags, ","));
  if (auto w = facts.whois.find(src.address); w != facts.whois.end() && w->second.value) {
    if (!w->second.value->tags.empty()) return fmt::format("{}", fmt::join(w->second.value->tags, ","));
    if (!w->second.value->login_name.empty()) return w->second.value->login_name;
  }
  return src.address;
}

Layer source_layer(const Source& src, const Facts& facts) {
  Layer l = named("source");
  if (!src.peer) {
    l.verdict = LayerVerdict::pass;
    l.summary = fmt::format("{} arriving on {} (not a tailnet peer)", src.address, src.iif);
    return l;
  }
  const auto& p = *src.peer;
  l.evidence.push_back({"node", fmt::format("{} ({})", p.name(), p.id)});
  l.evidence.push_back({"address", src.address});
  if (!p.tags.empty()) l.evidence.push_back({"tags", fmt::format("{}", fmt::join(p.tags, ","))});
  if (auto w = facts.whois.find(src.address); w != facts.whois.end()) {
    if (w->second.value) l.evidence.push_back({"user", w->second.value->login_name});
    else l.evidence.push_back({"whois", w->second.error});
  }
  std::string path = to_string(p.connection());
  if (p.connection() == tailscale::Connection::direct) path += " " + p.cur_addr;
  if (p.connection() == tailscale::Connection::derp_relay) path += " \"" + p.relay + "\"";
  l.evidence.push_back({"path", path});
  if (!p.online) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("{} is offline (control has not seen it connected)", p.name());
    l.change = fmt::format("start tailscaled on {} and bring it up (tailscale up)", p.name());
    return l;
  }
  l.verdict = LayerVerdict::pass;
  l.summary = fmt::format("{} ({}) online, {}", p.name(), who(src, facts), path);
  return l;
}

Layer name_layer(const Source& src, const Target& t, const std::string& self_ip, const Facts& facts) {
  Layer l = named("name");
  if (t.kind == Target::Kind::port || t.host.empty() || nft::IpAddr::parse(t.host)) {
    l.summary = "no name: the connection goes to an address";
    return l;
  }
  if (!src.peer) {
    l.summary = "not a tailnet client: its own DNS resolves the name";
    return l;
  }
  auto it = facts.dns.find(t.host);
  if (it == facts.dns.end() || !it->second.value)
    return unknown_layer("name", it == facts.dns.end() ? Fact<tailscale::DnsAnswer>{{}, "not queried", {}} : it->second);
  const auto& a = *it->second.value;
  l.evidence.push_back({"query", fmt::format("{} A via MagicDNS: {}", t.host, tailscale::rcode_name(a.rcode))});
  if (!a.addresses.empty()) l.evidence.push_back({"answer", fmt::format("{}", fmt::join(a.addresses, ","))});
  if (a.rcode != 0 || a.addresses.empty()) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("{} does not resolve ({} from MagicDNS)", t.host, tailscale::rcode_name(a.rcode));
    l.change = fmt::format("add a DNS record {} A {} (headscale: dns.extra_records; Tailscale: a split-DNS nameserver)",
                           t.host, self_ip);
    return l;
  }
  if (std::find(a.addresses.begin(), a.addresses.end(), self_ip) == a.addresses.end()) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("{} resolves to {}, not to this host ({})", t.host, fmt::join(a.addresses, ","), self_ip);
    l.change = fmt::format("point the record {} at {}", t.host, self_ip);
    return l;
  }
  l.verdict = LayerVerdict::pass;
  l.summary = fmt::format("{} -> {}", t.host, self_ip);
  return l;
}

Layer policy_layer(const Source& src, const Target& t, const std::string& dst, const Facts& facts) {
  Layer l = named("tailnet policy");
  if (!src.peer) {
    l.summary = fmt::format("arrives on {}, not through tailscaled", src.iif);
    return l;
  }
  if (!facts.filter.value) return unknown_layer("tailnet policy", facts.filter);
  int proto = tailscale::proto_number(t.proto).value_or(6);
  auto v = evaluate_filter(*facts.filter.value, src.address, dst, proto, t.port);
  const auto& matches = *facts.filter.value;
  l.evidence.push_back({"filter", fmt::format("{} matches in this node's packet filter", matches.size())});
  if (v.match) {
    l.verdict = LayerVerdict::pass;
    l.summary = fmt::format("allowed by match #{}: {}", *v.match + 1, describe(matches[*v.match]));
    l.evidence.push_back({"match", describe(matches[*v.match])});
    if (facts.rules.value && facts.rules.value->size() == matches.size()) {
      const auto& r = (*facts.rules.value)[*v.match];
      l.evidence.push_back({"rule", fmt::format("{} -> {}", fmt::join(r.src_ips, ","), fmt::join(r.dst_ports, ","))});
    }
    return l;
  }
  l.verdict = LayerVerdict::block;
  l.summary = fmt::format("no rule lets {} reach {} {}/{}: tailscaled drops it", who(src, facts), dst, t.proto, t.port);
  std::string dst_who = dst;
  if (facts.status.value && !facts.status.value->self.tags.empty())
    dst_who = fmt::format("{}", fmt::join(facts.status.value->self.tags, ","));
  l.change = fmt::format("add to the tailnet policy: {{\"action\": \"accept\", \"src\": [\"{}\"], \"dst\": [\"{}:{}\"]}}",
                         who(src, facts), dst_who, t.port);
  if (v.has_src_caps) l.evidence.push_back({"note", "matches by node capability (SrcCaps) are not evaluated"});
  return l;
}

std::string rule_text(const nft::RuleRef& r) {
  return fmt::format("{} {} {} handle {}: {}", r.family, r.table, r.chain, r.handle, r.text());
}

Layer firewall_layer(const Source& src, const Target& t, const std::string& dst, const Facts& facts) {
  Layer l = named("host firewall");
  if (!facts.ruleset.value) return unknown_layer("host firewall", facts.ruleset);
  auto saddr = nft::IpAddr::parse(src.address);
  if (!saddr) {
    l.verdict = LayerVerdict::unknown;
    l.summary = fmt::format("the source has no address to evaluate (\"{}\")", src.address);
    return l;
  }
  nft::Packet p;
  p.saddr = *saddr;
  p.daddr = nft::IpAddr::parse(dst);
  p.iifname = src.iif;
  p.l4proto = t.proto;
  p.dport = static_cast<std::uint16_t>(t.port);
  auto ev = nft::evaluate(*facts.ruleset.value, p);
  for (const auto& c : ev.chains)
    l.evidence.push_back({"chain", fmt::format("{} {} {} (priority {}): {}{}", c.family, c.table, c.chain, c.priority,
                                               nft::verdict_name(c.verdict), c.by_policy ? " by policy" : "")});
  for (const auto& n : ev.notes) l.evidence.push_back({"note", n});
  if (ev.decided_by) l.evidence.push_back({"rule", rule_text(*ev.decided_by)});
  std::string what = fmt::format("{} {}/{} from {} on {}", dst, t.proto, t.port, src.address, src.iif);
  if (ev.verdict == nft::Verdict::accept) {
    l.verdict = LayerVerdict::pass;
    l.summary = ev.decided_by ? fmt::format("accepted by {} {} handle {}", ev.decided_by->table, ev.decided_by->chain, ev.decided_by->handle)
                              : (ev.chains.empty() ? "no input chain: accepted" : "accepted by the chains' policies");
    return l;
  }
  l.verdict = LayerVerdict::block;
  std::string verb(nft::verdict_name(ev.verdict));
  if (ev.decided_by)
    l.summary = fmt::format("{} {} by {} {} {} handle {}", what, verb == "drop" ? "dropped" : "rejected", ev.decided_by->family,
                            ev.decided_by->table, ev.decided_by->chain, ev.decided_by->handle);
  else if (ev.decided_in)
    l.summary = fmt::format("{} {} by the policy of {} {} {}", what, verb == "drop" ? "dropped" : "rejected",
                            ev.decided_in->family, ev.decided_in->table, ev.decided_in->chain);
  else
    l.summary = fmt::format("{} {}", what, verb);
  std::string chain = ev.decided_in ? fmt::format("{} {} {}", ev.decided_in->family, ev.decided_in->table, ev.decided_in->chain) : "the input chain";
  l.change = ev.decided_by ? fmt::format("accept {}/{} from {} in {} before handle {} (or remove that rule)", t.proto, t.port,
                                         src.address, chain, ev.decided_by->handle)
                           : fmt::format("accept {}/{} from {} in {} (its policy drops it)", t.proto, t.port, src.address, chain);
  return l;
}

// Is address allowed by nginx's allow/deny list? The first rule that matches decides.
const nginx::AccessRule* deciding_access(const std::vector<nginx::AccessRule>& rules, const std::string& address) {
  for (const auto& r : rules)
    if (r.source == "all" || in_prefix_text(address, r.source)) return &r;
  return nullptr;
}

struct ProxyOutcome {
  Layer layer;
  std::optional<std::string> upstream;  ///< host:port the location proxies to
};

bool is_proxy_target(const Target& t, const Facts& facts) {
  if (t.kind != Target::Kind::port) return true;
  if (!facts.nginx.value || t.proto != "tcp") return false;
  for (const auto& s : facts.nginx.value->servers)
    for (const auto& li : s.listens)
      if (li.port == t.port && !li.quic) return true;
  return false;
}

ProxyOutcome proxy_layer(const Source& src, const Target& t, const std::string& dst, const Facts& facts) {
  ProxyOutcome out;
  out.layer = named("proxy");
  Layer& l = out.layer;
  if (!is_proxy_target(t, facts)) {
    l.summary = facts.nginx.value || t.kind == Target::Kind::port ? "no nginx listens on that port" : "";
    if (!facts.nginx.value && t.kind == Target::Kind::port) l.summary = "a port, not a proxied service";
    return out;
  }
  if (!facts.nginx.value) {
    out.layer = unknown_layer("proxy", facts.nginx);
    return out;
  }
  const auto& model = *facts.nginx.value;
  auto chosen = nginx::select_server(model, dst, t.port, t.host);
  if (!chosen) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("no server block listens on {}:{}", dst, t.port);
    l.change = fmt::format("add `listen {};` to the server block for {}", t.port, t.host.empty() ? "it" : t.host);
    return out;
  }
  const auto& s = *chosen->server;
  l.evidence.push_back({"server", fmt::format("{} ({}{})", to_string(s.at), chosen->how,
                                              chosen->name ? " " + chosen->name->text : "")});
  l.evidence.push_back({"listen", fmt::format("{} at {}", chosen->listen->address, to_string(chosen->listen->at))});
  bool by_name = chosen->name != nullptr;
  if (!by_name && !t.host.empty()) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("Host {} matches no server_name on {}:{}: the {} at {} answers{}", t.host, dst, t.port,
                            chosen->how == "default_server" ? "default_server" : "first server", to_string(s.at),
                            s.returns ? fmt::format(" `return {}`", s.returns->text) : "");
    l.change = fmt::format("add `server_name {};` to the server block of the service (or a server block for it)", t.host);
    return out;
  }
  if (s.returns) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("the server at {} answers `return {}` ({})", to_string(s.at), s.returns->text, to_string(s.returns->at));
    l.change = fmt::format("remove the `return` at {}", to_string(s.returns->at));
    return out;
  }
  auto loc = nginx::select_location(s, t.path);
  if (!loc) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("no location of {} matches {}", to_string(s.at), t.path);
    l.change = fmt::format("add a `location /` that proxies to the service in {}", to_string(s.at));
    return out;
  }
  const auto& L = *loc->location;
  l.evidence.push_back({"location", fmt::format("{} at {} ({})", L.path, to_string(L.at), loc->how)});
  for (const auto& r : L.limit_reqs) {
    std::string rate;
    if (auto z = model.zones.find(r.zone); z != model.zones.end()) rate = " rate " + z->second.rate;
    l.evidence.push_back({"limit_req", fmt::format("zone {}{} burst {}{} at {}", r.zone, rate, r.burst, r.nodelay ? " nodelay" : "", to_string(r.at))});
  }
  l.evidence.push_back({"client_max_body_size", L.max_body_size ? fmt::format("{} at {}", L.max_body_size->text, to_string(L.max_body_size->at))
                                                                : std::string("1m (nginx's default)")});
  if (auto* rule = deciding_access(L.access, src.address); rule && !rule->allow) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("`deny {}` at {} refuses {} (403)", rule->source, to_string(rule->at), src.address);
    l.change = fmt::format("add `allow {};` before {} (or remove that deny)", src.address, to_string(rule->at));
    return out;
  } else if (rule) {
    l.evidence.push_back({"access", fmt::format("allow {} at {}", rule->source, to_string(rule->at))});
  }
  if (L.returns) {
    l.evidence.push_back({"return", fmt::format("{} at {}", L.returns->text, to_string(L.returns->at))});
    bool redirect = !L.returns->text.empty() && L.returns->text[0] == '3';
    l.verdict = redirect ? LayerVerdict::warn : LayerVerdict::block;
    l.summary = fmt::format("location {} answers `return {}` at {}", L.path, L.returns->text, to_string(L.returns->at));
    l.change = redirect ? "follow the redirect, or use the URL it names" : fmt::format("remove the `return` at {}", to_string(L.returns->at));
    return out;
  }
  if (L.proxy_pass) {
    l.evidence.push_back({"proxy_pass", fmt::format("{} at {}", L.proxy_pass->text, to_string(L.proxy_pass->at))});
    auto target = nginx::parse_target(L.proxy_pass->text);
    if (target) {
      if (auto up = model.upstreams.find(target->host); up != model.upstreams.end() && !up->second.servers.empty()) {
        if (auto first = nginx::parse_target(up->second.servers.front().text)) target = first;
      }
      out.upstream = fmt::format("{}:{}", target->host, target->port);
    }
  }
  std::string summary = fmt::format("{} -> location {}{}", chosen->name->text, L.path,
                                    L.proxy_pass ? " -> " + L.proxy_pass->text : " (served by nginx)");
  if (!L.auth.empty()) {
    for (const auto& a : L.auth) l.evidence.push_back({a.kind, fmt::format("{} at {}", a.value, to_string(a.at))});
    l.verdict = LayerVerdict::warn;
    l.summary = summary + fmt::format(": needs credentials ({} at {})", L.auth.front().kind, to_string(L.auth.front().at));
    l.change = "send credentials, or remove the auth directive for tailnet clients";
    return out;
  }
  l.verdict = LayerVerdict::pass;
  l.summary = summary;
  return out;
}

Layer upstream_layer(const Target& t, const std::string& dst, const std::optional<std::string>& upstream,
                     const Layer& proxy, const Facts& facts) {
  Layer l = named("upstream");
  std::string address;
  if (upstream) address = *upstream;
  else if (proxy.verdict == LayerVerdict::skipped && t.kind == Target::Kind::port && t.proto == "tcp")
    address = fmt::format("{}:{}", dst, t.port);
  if (address.empty()) {
    l.summary = proxy.verdict == LayerVerdict::skipped || proxy.verdict == LayerVerdict::pass ? "nothing proxied" : "not reached";
    return l;
  }
  auto it = facts.upstreams.find(address);
  if (it == facts.upstreams.end()) {
    l.verdict = LayerVerdict::unknown;
    l.summary = fmt::format("{} was not probed", address);
    return l;
  }
  const auto& p = it->second;
  if (!p.not_probed.empty()) {
    l.verdict = LayerVerdict::unknown;
    l.summary = fmt::format("{} was not probed: {}", address, p.not_probed);
    l.change = p.not_probed_hint;
    return l;
  }
  if (!p.tcp_ok) {
    l.verdict = LayerVerdict::block;
    l.summary = fmt::format("{}: {}", address, p.tcp_error);
    l.change = fmt::format("start the service that should listen on {}", address);
    return l;
  }
  l.evidence.push_back({"tcp", fmt::format("{} connects", address)});
  if (p.health_url.empty()) {
    l.verdict = LayerVerdict::pass;
    l.summary = fmt::format("{} accepts connections", address);
    return l;
  }
  if (!p.http_error.empty() || p.http_status >= 400) {
    l.evidence.push_back({"health", fmt::format("GET {}: {}", p.health_url, p.http_error.empty() ? fmt::format("HTTP {}", p.http_status) : p.http_error)});
    l.verdict = LayerVerdict::warn;
    l.summary = fmt::format("{} connects, but GET {} gives {}", address, p.health_url,
                            p.http_error.empty() ? fmt::format("HTTP {}", p.http_status) : p.http_error);
    l.change = "check the service's own logs: it accepts connections but its health path fails";
    return l;
  }
  l.evidence.push_back({"health", fmt::format("GET {}: HTTP {}", p.health_url, p.http_status)});
  l.verdict = LayerVerdict::pass;
  l.summary = fmt::format("{} answers GET {} with HTTP {}", address, p.health_url, p.http_status);
  return l;
}

} // namespace

const char* to_string(LayerVerdict v) {
  switch (v) {
  case LayerVerdict::pass: return "pass";
  case LayerVerdict::warn: return "warning";
  case LayerVerdict::block: return "block";
  case LayerVerdict::unknown: return "unknown";
  case LayerVerdict::skipped: return "skipped";
  }
  return "unknown";
}

const Layer* Report::blocked_at() const {
  for (const auto& l : layers)
    if (l.verdict == LayerVerdict::block) return &l;
  return nullptr;
}

Report walk(const Source& src, const Target& target, const Facts& facts, const config::Config&) {
  Report r;
  r.source = src;
  r.target = target;
  r.destination = facts.status.value ? self_address(*facts.status.value) : "";
  r.layers.push_back(source_layer(src, facts));
  r.layers.push_back(name_layer(src, target, r.destination, facts));
  r.layers.push_back(policy_layer(src, target, r.destination, facts));
  r.layers.push_back(firewall_layer(src, target, r.destination, facts));
  auto proxy = proxy_layer(src, target, r.destination, facts);
  r.layers.push_back(proxy.layer);
  r.layers.push_back(upstream_layer(target, r.destination, proxy.upstream, proxy.layer, facts));

  // The first layer with the most telling verdict decides: a block (the packet stops there),
  // else an unknown (cannot tell), else a warning.
  struct Outcome {
    LayerVerdict verdict;
    Exit state;
    const char* words;
  };
  for (const auto& o : {Outcome{LayerVerdict::block, Exit::critical, "blocked at"}, Outcome{LayerVerdict::unknown, Exit::unknown, "cannot tell:"},
                        Outcome{LayerVerdict::warn, Exit::warning, "reachable, with a warning at"}})
    for (const auto& l : r.layers)
      if (l.verdict == o.verdict) {
        r.state = o.state;
        r.conclusion = fmt::format("{} {}: {}", o.words, l.name, l.summary);
        r.change = l.change;
        return r;
      }
  r.conclusion = "reachable";
  return r;
}

} // namespace meshops::checks::reach
