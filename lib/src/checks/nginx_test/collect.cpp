// Collecting: run nginx, read the dump, then the checks. The probes run concurrently, each with
// its own deadline, so the whole run stays within about one --timeout.
#include "meshops/checks/nginx_test.hpp"

#include "meshops/net/probe.hpp"
#include "meshops/nginx/conf_cert.hpp"
#include "meshops/sys/time.hpp"

#include <fmt/format.h>

#include <future>
#include <map>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace meshops::checks::nginx_test {
namespace {

using namespace meshops::nginx;

std::string user_name() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return fmt::format("uid {}", ::geteuid());
}

// nginx's listen host, as an address to connect to: a wildcard means "this host".
std::string connect_host(const Listen& l) {
  if (l.host == "*" || l.host == "0.0.0.0") return "127.0.0.1";
  if (l.host == "[::]") return "::1";
  if (l.host.size() > 2 && l.host.front() == '[') return l.host.substr(1, l.host.size() - 2);
  return l.host;
}

struct UpstreamTarget {
  std::string host;
  int port = 0;
  std::string health_path;
  std::optional<Place> at;
};

std::vector<UpstreamTarget> upstream_targets(const ConfModel* model, const std::vector<DeclaredService>& services) {
  std::map<std::string, UpstreamTarget> by_address;
  std::vector<std::string> order;
  auto add = [&](const std::string& host, int port, const std::string& health, std::optional<Place> at) {
    auto key = fmt::format("{}:{}", host, port);
    auto [it, fresh] = by_address.emplace(key, UpstreamTarget{host, port, health, at});
    if (fresh) order.push_back(key);
    if (it->second.health_path.empty()) it->second.health_path = health;
    if (!it->second.at) it->second.at = at;
  };
  for (const auto& s : services) add(s.upstream_host, s.upstream_port, s.health_path, std::nullopt);
  if (model)
    for (const auto& server : model->servers)
      for (const auto& loc : server.locations)
        if (loc.proxy_pass)
          for (const auto& t : proxy_targets(*model, *loc.proxy_pass)) add(t.host, t.port, "", loc.proxy_pass->at);
  std::vector<UpstreamTarget> out;
  for (const auto& k : order) out.push_back(by_address[k]);
  return out;
}

Check probe_upstream(const UpstreamTarget& u, std::chrono::milliseconds timeout) {
  Check c{fmt::format("upstream:{}:{}", u.host, u.port), "upstream", Exit::ok, {}, u.at, {}, {}};
  auto tcp = net::probe_tcp(u.host, u.port, timeout);
  if (!tcp.ok) {
    c.status = Exit::critical;
    c.reason = fmt::format("TCP connect to {}:{} failed: {}", u.host, u.port, tcp.error);
    return c;
  }
  c.latency_ms = tcp.latency_ms;
  if (u.health_path.empty()) {
    c.reason = fmt::format("TCP connect in {:.1f} ms", tcp.latency_ms);
    return c;
  }
  std::string host = u.host.find(':') != std::string::npos && u.host.front() != '[' ? "[" + u.host + "]" : u.host;
  std::string path = u.health_path.front() == '/' ? u.health_path : "/" + u.health_path;
  auto http = net::probe_http({fmt::format("http://{}:{}{}", host, u.port, path), {}, {}, false, timeout});
  c.latency_ms = http.latency_ms;
  if (!http.ok || http.status >= 500) {
    c.status = Exit::critical;
    c.reason = http.ok ? fmt::format("GET {} answered {}", path, http.status)
                       : fmt::format("GET {} failed: {}", path, http.error);
    return c;
  }
  c.reason = fmt::format("GET {} answered {} in {:.1f} ms", path, http.status, http.latency_ms);
  return c;
}

Check probe_vhost(const VirtualHost& v, std::chrono::milliseconds timeout) {
  Check c{fmt::format("vhost:{}@{}", v.server_name, v.listen.key()), "vhost", Exit::ok, {}, v.at, {}, {}};
  std::string scheme = v.listen.ssl ? "https" : "http";
  std::string url = fmt::format("{}://{}:{}/", scheme, v.server_name, v.listen.port);
  auto addr = connect_host(v.listen);
  auto r = net::probe_http({url, addr, v.listen.port, false, timeout});
  c.latency_ms = r.latency_ms;
  std::string via = fmt::format("{} via {}:{}", url, addr, v.listen.port);
  if (!r.ok) {
    c.status = Exit::critical;
    c.reason = fmt::format("{}: {}", via, r.error);
  } else if (r.status >= 500) {
    c.status = Exit::critical;
    c.reason = fmt::format("{} answered {}", via, r.status);
  } else {
    c.reason = fmt::format("{} answered {} in {:.1f} ms", via, r.status, r.latency_ms);
  }
  return c;
}

std::vector<Check> check_certificates(const ConfModel& model, std::map<std::string, sys::Time>& expiry) {
  std::vector<Check> out;
  std::map<std::string, std::pair<Value, std::vector<std::string>>> by_path;
  std::vector<std::string> order;
  for (const auto& s : model.servers)
    for (const auto& cert : s.ssl_certificates) {
      if (cert.text.find('$') != std::string::npos || cert.text.rfind("data:", 0) == 0) continue;
      auto path = resolve_path(model, cert.text);
      auto [it, fresh] = by_path.emplace(path, std::make_pair(cert, std::vector<std::string>{}));
      if (fresh) order.push_back(path);
      for (const auto& n : s.server_names) it->second.second.push_back(n.text);
    }
  auto now = sys::Time::now();
  for (const auto& path : order) {
    const auto& [value, names] = by_path[path];
    try {
      auto cert = read_certificate(path);
      expiry[path] = cert.not_after;
      out.push_back(judge_certificate(cert, value, path, names, now));
    } catch (const Error& e) {
      out.push_back({"certificate:" + path, "certificate", Exit::critical, e.what(), value.at, {}, {}});
    }
  }
  return out;
}

// nginx refused the configuration: say whether that is the configuration's fault or a
// permission the environment does not give (UNKNOWN: with it the test might well pass). As root
// too: a unit's capability bounding set or read-only paths refuse root what nginx needs.
void judge_failed_run(Report& r) {
  for (const auto& d : r.run.diagnostics) {
    if (!is_failure(d.level)) continue;
    auto needs = missing_permission(d);
    if (!needs) continue;
    r.problem = fmt::format("nginx needs a permission user {} lacks: {}{}", user_name(), d.message,
                            d.file ? fmt::format(" (in {}:{})", *d.file, d.line.value_or(0)) : "");
    r.hint = ::geteuid() != 0
                 ? fmt::format("run as root (as the nginx service does), or point pid, error_log, temp paths "
                               "and -p PREFIX at places this user can use (it lacks {})",
                               *needs)
                 : fmt::format("root here lacks {}; give it to the unit running nginx-test "
                               "(CapabilityBoundingSet=, ReadWritePaths=)",
                               *needs);
    return;
  }
}

/// Runs nginx and the checks. Throws meshops::Error when nginx cannot be run at all.
void run_checks(Report& r, const Options& opt, const config::Config& cfg);

} // namespace

Verdict judge(const Report& r) {
  Verdict v;
  v.hint = r.hint;
  if (!r.problem.empty()) v.add(Exit::unknown, r.problem);
  if (!r.run.ok()) {
    v.state = worst(v.state, r.problem.empty() ? Exit::critical : Exit::unknown);
    for (const auto& d : r.run.diagnostics)
      if (d.level <= Level::warn)
        v.reasons.push_back(fmt::format("nginx [{}] {}{}", level_name(d.level), d.message,
                                        d.file ? fmt::format(" in {}:{}", *d.file, d.line.value_or(0)) : ""));
    return v;
  }
  // nginx's warnings count, but not those only a user other than root gets (the user directive).
  for (const auto& d : r.run.diagnostics)
    if (d.level == Level::warn && !(::geteuid() != 0 && is_unprivileged_artefact(d))) v.state = worst(v.state, Exit::warning);
  for (const auto& c : r.checks) v.state = worst(v.state, c.status);
  for (auto state : {Exit::critical, Exit::warning})
    for (const auto& c : r.checks)
      if (c.status == state) v.reasons.push_back(fmt::format("{}: {}", c.name, c.reason));
  return v;
}

std::vector<DeclaredService> declared_services(const config::Config& cfg, std::vector<std::string>& unnamed) {
  std::vector<DeclaredService> out;
  const auto& ts = cfg.tailscale;
  for (const auto& [name, s] : cfg.nginx.services) {
    if (ts.hostname.empty() || ts.tailnet_domain.empty()) {
      unnamed.push_back(name);
      continue;
    }
    DeclaredService d;
    d.name = name;
    d.server_name = fmt::format("{}.{}.{}", s.subdomain.empty() ? name : s.subdomain, ts.hostname, ts.tailnet_domain);
    d.upstream_host = s.upstream_host;
    d.upstream_port = s.upstream_port;
    d.rate_limit = s.rate_limit;
    d.max_body_size = s.max_body_size;
    d.health_path = s.health_path;
    out.push_back(d);
  }
  return out;
}

namespace {

/// Whether a and b name one file, relative paths taken from nginx's prefix as nginx does.
bool same_file(const std::string& prefix, const std::string& a, const std::string& b) {
  auto full = [&](const std::string& p) { return p.empty() || p[0] == '/' || prefix.empty() ? p : prefix + "/" + p; };
  struct stat sa {}, sb {};
  if (::stat(full(a).c_str(), &sa) == 0 && ::stat(full(b).c_str(), &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return full(a) == full(b);
}

} // namespace

Options resolve(const Request& req, const config::Config& cfg, std::chrono::milliseconds timeout) {
  Options o;
  o.nginx.binary = req.binary.empty() ? cfg.nginx.binary : req.binary;
  o.nginx.config_file = req.config_file.empty() ? cfg.nginx.config : req.config_file;
  o.nginx.prefix = req.prefix.empty() ? cfg.nginx.prefix : req.prefix;
  o.nginx.timeout = timeout;
  o.probe_timeout = timeout;
  if (req.only.empty()) o.groups.insert(kGroups.begin(), kGroups.end());
  else o.groups.insert(req.only.begin(), req.only.end());
  for (const auto& s : req.skip) o.groups.erase(s);
  o.groups.insert("syntax");  // every other check reads what nginx -T prints
  o.running_config = cfg.nginx.config;
  o.candidate = !req.config_file.empty() && !same_file(o.nginx.prefix, req.config_file, cfg.nginx.config);
  return o;
}

Report collect(const Options& opt, const config::Config& cfg) {
  Report r;
  try {
    run_checks(r, opt, cfg);
  } catch (const Error& e) {
    Report failed;
    failed.config_file = r.config_file;
    failed.verdict = Verdict::failed(e);
    failed.error = e;
    return failed;
  }
  r.verdict = judge(r);
  return r;
}

namespace {

void run_checks(Report& r, const Options& opt, const config::Config& cfg) {
  r.config_file = opt.nginx.config_file;
  r.dumped = opt.groups.size() > 1 || !opt.groups.count("syntax");
  r.run = run_test(opt.nginx, r.dumped);
  r.syntax_ok = r.run.ok();
  if (!r.run.ok()) {
    judge_failed_run(r);
    return;
  }
  if (!r.dumped) return;

  ConfModel model = read_dump(r.run.dump);
  std::vector<std::string> unnamed;
  auto services = declared_services(cfg, unnamed);
  auto want = [&](const char* g) { return opt.groups.count(g) > 0; };
  if (want("services")) {
    for (const auto& name : unnamed)
      r.checks.push_back({"service:" + name, "service", Exit::warning,
                          "cannot form its server name: set tailscale.hostname and tailscale.tailnetDomain", {}, {}, {}});
    auto c = check_services(model, services);
    r.checks.insert(r.checks.end(), c.begin(), c.end());
  }
  if (want("duplicates")) {
    auto c = check_duplicate_names(model);
    r.checks.insert(r.checks.end(), c.begin(), c.end());
  }
  std::vector<std::future<Check>> probes;
  if (want("upstreams"))
    for (const auto& u : upstream_targets(&model, services))
      probes.push_back(std::async(std::launch::async, probe_upstream, u, opt.probe_timeout));
  r.candidate = opt.candidate;
  if (want("vhosts") && opt.candidate)
    r.skipped.push_back({"vhosts", fmt::format("{} is a candidate, not the configuration nginx runs ({}): its virtual hosts "
                                               "are not probed through the running server; services, upstreams and "
                                               "certificates are checked from the candidate",
                                               opt.nginx.config_file, opt.running_config)});
  else if (want("vhosts"))
    for (const auto& v : virtual_hosts(model))
      probes.push_back(std::async(std::launch::async, probe_vhost, v, opt.probe_timeout));
  for (auto& p : probes) r.checks.push_back(p.get());
  if (want("certificates")) {
    auto c = check_certificates(model, r.certificate_expiry);
    r.checks.insert(r.checks.end(), c.begin(), c.end());
  }
}

} // namespace

} // namespace meshops::checks::nginx_test
