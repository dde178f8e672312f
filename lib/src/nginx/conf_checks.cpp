#include "meshops/nginx/conf_checks.hpp"

#include "meshops/sys/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace meshops::nginx {
namespace {

using sys::lower;

bool has_name(const Server& s, std::string_view name) {
  auto want = lower(name);
  return std::any_of(s.server_names.begin(), s.server_names.end(),
                     [&](const Value& v) { return lower(v.text) == want; });
}

std::string describe(const Target& t) { return fmt::format("{}:{}", t.host, t.port); }

bool same_host(std::string_view a, std::string_view b) {
  auto loopback = [](std::string_view h) { return h == "127.0.0.1" || h == "localhost"; };
  return a == b || (loopback(a) && loopback(b));
}

std::string server_label(const Server& s) {
  for (const auto& n : s.server_names)
    if (is_concrete_name(n.text)) return n.text;
  return to_string(s.at);
}

// The service's part of one server block: which location proxies to it, and its limits.
Check judge_service(const ConfModel& model, const DeclaredService& svc, const Server& server) {
  Check c{"service:" + svc.name, "service", Exit::ok, {}, server.at, {}, {}};
  const Location* hit = nullptr;
  std::vector<std::string> elsewhere;
  for (const auto& loc : server.locations) {
    if (!loc.proxy_pass) continue;
    for (const auto& t : proxy_targets(model, *loc.proxy_pass)) {
      if (same_host(t.host, svc.upstream_host) && t.port == svc.upstream_port) hit = &loc;
      else elsewhere.push_back(describe(t));
    }
    if (hit) break;
  }
  std::string want = fmt::format("{}:{}", svc.upstream_host, svc.upstream_port);
  if (!hit) {
    c.status = Exit::critical;
    c.reason = elsewhere.empty()
                   ? fmt::format("{} has no proxy_pass (want {})", svc.server_name, want)
                   : fmt::format("{} proxies to {}, not {}", svc.server_name, elsewhere.front(), want);
    return c;
  }
  c.at = hit->proxy_pass->at;
  std::vector<std::string> problems;
  std::string rate_text = "no rate limit";
  if (!hit->limit_reqs.empty()) {
    const auto& lr = hit->limit_reqs.front();
    auto zone = model.zones.find(lr.zone);
    rate_text = zone == model.zones.end() ? fmt::format("zone {} (undefined)", lr.zone) : zone->second.rate;
  }
  if (!svc.rate_limit.empty()) {
    auto want_rate = parse_rate(svc.rate_limit);
    auto zone = hit->limit_reqs.empty() ? model.zones.end() : model.zones.find(hit->limit_reqs.front().zone);
    if (hit->limit_reqs.empty()) problems.push_back(fmt::format("no limit_req (declared {})", svc.rate_limit));
    else if (zone == model.zones.end())
      problems.push_back(fmt::format("limit_req zone {} is not defined at {}", hit->limit_reqs.front().zone,
                                     to_string(hit->limit_reqs.front().at)));
    else if (!want_rate || parse_rate(zone->second.rate) != want_rate)
      problems.push_back(fmt::format("rate {} at {} (declared {})", zone->second.rate, to_string(zone->second.at),
                                     svc.rate_limit));
  }
  std::string body = hit->max_body_size ? hit->max_body_size->text : "1m";
  if (!svc.max_body_size.empty()) {
    auto want_size = parse_size(svc.max_body_size);
    if (!want_size || parse_size(body) != want_size)
      problems.push_back(fmt::format("client_max_body_size {}{} (declared {})", body,
                                     hit->max_body_size ? " at " + to_string(hit->max_body_size->at) : " (default)",
                                     svc.max_body_size));
  }
  if (!problems.empty()) {
    c.status = Exit::warning;
    c.reason = fmt::format("{} -> {}: ", svc.server_name, want);
    for (std::size_t i = 0; i < problems.size(); ++i) c.reason += (i ? "; " : "") + problems[i];
    return c;
  }
  c.reason = fmt::format("{} -> {}, {}, body {}", svc.server_name, want, rate_text, body);
  return c;
}

} // namespace

std::vector<Target> proxy_targets(const ConfModel& model, const Value& proxy_pass) {
  auto t = parse_target(proxy_pass.text);
  if (!t) return {};
  auto up = model.upstreams.find(t->host);
  if (up == model.upstreams.end()) return {*t};
  std::vector<Target> out;
  for (const auto& s : up->second.servers)
    if (auto st = parse_target(s.text)) out.push_back(*st);
  return out;
}

std::vector<Check> check_services(const ConfModel& model, const std::vector<DeclaredService>& services) {
  std::vector<Check> out;
  for (const auto& svc : services) {
    std::vector<const Server*> named;
    for (const auto& s : model.servers)
      if (has_name(s, svc.server_name)) named.push_back(&s);
    if (named.empty()) {
      out.push_back({"service:" + svc.name, "service", Exit::critical,
                     fmt::format("no server block has server_name {}", svc.server_name), {}, {}, {}});
      continue;
    }
    // With several blocks (e.g. one for :80, one for :443), the best of them speaks for it.
    std::optional<Check> best;
    for (const auto* s : named) {
      auto c = judge_service(model, svc, *s);
      if (!best || c.status < best->status) best = c;
    }
    out.push_back(*best);
  }
  if (services.empty()) return out;
  for (const auto& s : model.servers) {
    if (!s.proxies()) continue;
    bool declared = std::any_of(services.begin(), services.end(),
                                [&](const DeclaredService& svc) { return has_name(s, svc.server_name); });
    if (declared) continue;
    std::string label = server_label(s);
    out.push_back({"undeclared:" + label, "undeclared", Exit::warning,
                   fmt::format("server block {} proxies but no service in nginx.services has its name", label), s.at,
                   {}, {}});
  }
  return out;
}

std::vector<Check> check_duplicate_names(const ConfModel& model) {
  std::vector<Check> out;
  // listen key -> name -> (server index, place of the first server_name)
  std::map<std::string, std::map<std::string, std::pair<std::size_t, Place>>> seen;
  for (std::size_t i = 0; i < model.servers.size(); ++i) {
    const auto& s = model.servers[i];
    for (const auto& l : s.listens) {
      for (const auto& n : s.server_names) {
        if (n.text.empty()) continue;
        auto& names = seen[l.key()];
        auto [it, fresh] = names.emplace(lower(n.text), std::make_pair(i, n.at));
        if (fresh || it->second.first == i) continue;
        out.push_back({fmt::format("duplicate:{}@{}", n.text, l.key()), "duplicate", Exit::warning,
                       fmt::format("server_name {} on {} at {} and {}: nginx ignores the second", n.text, l.key(),
                                   to_string(it->second.second), to_string(n.at)),
                       it->second.second, n.at, {}});
      }
    }
  }
  return out;
}

bool is_concrete_name(std::string_view n) {
  return !n.empty() && n != "_" && n.front() != '~' && n.front() != '.' && n.find('*') == std::string_view::npos &&
         n.find('$') == std::string_view::npos;
}

std::vector<VirtualHost> virtual_hosts(const ConfModel& model) {
  std::vector<VirtualHost> out;
  // A name repeated on one address reaches only the first block (nginx ignores the others;
  // check_duplicate_names reports them), so it is probed once.
  std::set<std::string> probed;
  for (const auto& s : model.servers) {
    auto name = std::find_if(s.server_names.begin(), s.server_names.end(),
                             [](const Value& v) { return is_concrete_name(v.text); });
    if (name == s.server_names.end()) continue;
    for (const auto& l : s.listens) {
      if (l.quic || l.port == 0) continue;
      if (!probed.insert(lower(name->text) + "@" + l.key()).second) continue;
      out.push_back({name->text, l, l.implicit ? s.at : l.at});
    }
  }
  return out;
}

} // namespace meshops::nginx
