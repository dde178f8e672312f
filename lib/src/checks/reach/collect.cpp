// The I/O edge of the walk: every fact read once, each failure kept with why, upstream probes
// run concurrently.
#include "meshops/checks/reach.hpp"

#include "meshops/net/probe.hpp"
#include "meshops/nft/session.hpp"
#include "meshops/nginx/runner.hpp"
#include "meshops/nginx/select.hpp"
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/route_guard.hpp"

#include <fmt/format.h>

#include <future>
#include <set>

namespace meshops::checks::reach {
namespace {

// Runs read and keeps its value, or its error and hint.
template <class T, class F> Fact<T> fact(F&& read) {
  Fact<T> f;
  try {
    f.value = read();
  } catch (const Error& e) {
    f.error = e.what();
    f.hint = e.hint();
  } catch (const std::exception& e) {
    f.error = e.what();
  }
  return f;
}

// The LocalAPI endpoints that need write access say so in their hint.
template <class T> void write_access_hint(Fact<T>& f, const std::string& endpoint) {
  if (f.error.find("permission denied") != std::string::npos)
    f.hint = fmt::format("/{} needs LocalAPI write access: run as root or as tailscaled's operator "
                         "(tailscale set --operator=USER)", endpoint);
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

} // namespace

void collect_status(Facts& facts, const CollectOptions& opt) {
  tailscale::LocalApi api(opt.socket, opt.timeout);
  facts.status = fact<tailscale::Status>([&] { return api.status(); });
}

void collect_facts(Facts& facts, const std::vector<Source>& sources, const std::vector<Target>& targets,
                   const config::Config& cfg, const CollectOptions& opt) {
  tailscale::LocalApi api(opt.socket, opt.timeout);
  bool any_peer = false;
  for (const auto& s : sources) {
    if (!s.peer) continue;
    any_peer = true;
    if (!facts.whois.count(s.address))
      facts.whois[s.address] = fact<tailscale::WhoIs>([&] { return tailscale::parse_whois(api.get("whois?addr=" + url_encode(s.address))); });
  }
  if (any_peer) {
    facts.filter = fact<std::vector<tailscale::FilterMatch>>([&] { return tailscale::parse_filter_matches(api.get("debug-packet-filter-matches")); });
    write_access_hint(facts.filter, "debug-packet-filter-matches");
    facts.rules = fact<std::vector<tailscale::FilterRule>>([&] { return tailscale::parse_filter_rules(api.get("debug-packet-filter-rules")); });
    write_access_hint(facts.rules, "debug-packet-filter-rules");
  }
  bool need_nginx = false;
  for (const auto& t : targets) {
    if (t.kind != Target::Kind::port) need_nginx = true;
    if (t.kind == Target::Kind::port && t.proto == "tcp") need_nginx = true;  // does nginx listen there?
    if (!any_peer || t.host.empty() || facts.dns.count(t.host)) continue;
    auto& d = facts.dns[t.host];
    d = fact<tailscale::DnsAnswer>([&] { return tailscale::parse_dns_query(api.get("dns-query?name=" + url_encode(t.host) + "&type=A")); });
    write_access_hint(d, "dns-query");
  }
  facts.ruleset = fact<nft::Ruleset>([] { return nft::parse_ruleset(nft::list_ruleset_json(), "live ruleset"); });
  if (need_nginx) {
    nginx::Invocation inv{cfg.nginx.binary, cfg.nginx.config, cfg.nginx.prefix, opt.timeout};
    facts.nginx = fact<nginx::ConfModel>([&] {
      auto run = nginx::run_test(inv, true);
      if (!run.ok()) {
        std::string why = run.diagnostics.empty() ? "" : run.diagnostics.front().message;
        throw Error(Exit::unknown, fmt::format("nginx -T failed (exit {}): {}", run.exit_code, why));
      }
      return nginx::read_dump(run.dump);
    });
  }

  // The upstream of each target's location (or the port itself), probed concurrently.
  std::string dst;
  if (facts.status.value)
    for (const auto& ip : facts.status.value->self.tailscale_ips)
      if (dst.empty() && ip.find('.') != std::string::npos) dst = ip;
  std::map<std::string, std::string> health;  // address -> health URL ("" for TCP only)
  for (const auto& t : targets) {
    bool proxied = false;
    if (facts.nginx.value && !dst.empty() && t.proto == "tcp")
      if (auto s = nginx::select_server(*facts.nginx.value, dst, t.port, t.host))
        if (auto loc = nginx::select_location(*s->server, t.path); loc && loc->location->proxy_pass) {
          proxied = true;
          auto target = nginx::parse_target(loc->location->proxy_pass->text);
          if (!target) continue;
          if (auto up = facts.nginx.value->upstreams.find(target->host); up != facts.nginx.value->upstreams.end() && !up->second.servers.empty())
            if (auto first = nginx::parse_target(up->second.servers.front().text)) target = first;
          std::string address = fmt::format("{}:{}", target->host, target->port);
          std::string url;
          if (auto svc = cfg.nginx.services.find(t.service); svc != cfg.nginx.services.end() && !svc->second.health_path.empty())
            url = fmt::format("http://{}{}", address, svc->second.health_path);
          if (!health.count(address) || health[address].empty()) health[address] = url;
        }
    bool listened = false;
    if (facts.nginx.value)
      for (const auto& s : facts.nginx.value->servers)
        for (const auto& l : s.listens) listened = listened || (l.port == t.port && !l.quic);
    if (!proxied && !listened && t.kind == Target::Kind::port && t.proto == "tcp" && !dst.empty())
      health.emplace(fmt::format("{}:{}", dst, t.port), "");
  }
  const tailscale::Status* status = facts.status.value ? &*facts.status.value : nullptr;
  std::vector<std::pair<std::string, std::future<UpstreamProbe>>> running;
  for (const auto& [address, url] : health) {
    if (facts.upstreams.count(address)) continue;
    running.emplace_back(address, std::async(std::launch::async, [address = address, url = url, timeout = opt.timeout, status] {
      UpstreamProbe p;
      p.address = address;
      auto colon = address.rfind(':');
      auto host = address.substr(0, colon);
      // A tailnet address is probed only through tailscaled's TUN (see route_guard.hpp).
      if (auto e = tailscale::tun_route_error(status, host)) {
        p.not_probed = e->what();
        p.not_probed_hint = e->hint();
        return p;
      }
      auto tcp = net::probe_tcp(host, std::stoi(address.substr(colon + 1)), timeout);
      p.tcp_ok = tcp.ok;
      p.tcp_error = tcp.error;
      if (tcp.ok && !url.empty()) {
        p.health_url = url;
        net::HttpRequest req;
        req.url = url;
        req.timeout = timeout;
        auto http = net::probe_http(req);
        p.http_status = http.status;
        if (!http.ok) p.http_error = http.error;
      }
      return p;
    }));
  }
  for (auto& [address, fut] : running) facts.upstreams[address] = fut.get();
}

} // namespace meshops::checks::reach
