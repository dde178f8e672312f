#include "meshops/config/config.hpp"

#include "meshops/sys/json.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <functional>
#include <set>
#include <sys/stat.h>

namespace meshops::config {
namespace {

using json = nlohmann::json;

/// Walks one JSON object, checking each key against the fields read from it.
class Reader {
public:
  Reader(const json& obj, std::string path, const std::string& origin)
      : obj_(obj), path_(std::move(path)), origin_(origin) {
    if (!obj_.is_object()) fail(path_.empty() ? "(top level)" : path_, "expected an object", obj_);
  }

  /// Throws for any key that no read named: the typo case.
  void reject_unknown(std::initializer_list<const char*> known) const {
    std::set<std::string> ok(known.begin(), known.end());
    for (const auto& [key, value] : obj_.items())
      if (!ok.count(key))
        throw Error(Exit::unknown, fmt::format("{}: {}: unknown key", origin_, at(key)),
                    fmt::format("known keys here: {}", fmt::join(known, ", ")));
  }

  bool has(const char* key) const { return find(key) != nullptr; }
  void string(const char* key, std::string& out) const {
    if (auto* v = find(key)) out = typed(key, *v, v->is_string(), "a string").get<std::string>();
  }
  /// A string that must be one of choices.
  void choice(const char* key, std::string& out, std::initializer_list<const char*> choices) const {
    if (auto* v = find(key)) {
      std::string got = typed(key, *v, v->is_string(), "a string").get<std::string>();
      for (const char* c : choices)
        if (got == c) {
          out = got;
          return;
        }
      throw Error(Exit::unknown, fmt::format("{}: {}: \"{}\" is not one of {}", origin_, at(key), got, fmt::join(choices, ", ")));
    }
  }
  void boolean(const char* key, bool& out) const {
    if (auto* v = find(key)) out = typed(key, *v, v->is_boolean(), "true or false").get<bool>();
  }
  void number(const char* key, double& out, double min) const {
    if (auto* v = find(key)) {
      out = typed(key, *v, v->is_number(), "a number").get<double>();
      if (out < min) fail(at(key), fmt::format("must be at least {}", min), *v);
    }
  }
  void integer(const char* key, int& out, int min, int max) const {
    if (auto* v = find(key)) {
      typed(key, *v, v->is_number_integer(), "an integer");
      auto n = v->get<long long>();
      if (n < min || n > max) fail(at(key), fmt::format("must be between {} and {}", min, max), *v);
      out = static_cast<int>(n);
    }
  }
  void strings(const char* key, std::vector<std::string>& out) const {
    if (auto* v = find(key)) {
      typed(key, *v, v->is_array(), "an array of strings");
      out.clear();
      for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& e = (*v)[i];
        if (!e.is_string()) fail(fmt::format("{}[{}]", at(key), i), "expected a string", e);
        out.push_back(e.get<std::string>());
      }
    }
  }
  void ports(const char* key, std::vector<int>& out) const {
    if (auto* v = find(key)) {
      typed(key, *v, v->is_array(), "an array of port numbers");
      out.clear();
      for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& e = (*v)[i];
        if (!e.is_number_integer() || e.get<long long>() < 1 || e.get<long long>() > 65535)
          fail(fmt::format("{}[{}]", at(key), i), "expected a port number 1-65535", e);
        out.push_back(e.get<int>());
      }
    }
  }
  /// Calls each(name, reader) for every member of the object at key.
  void objects(const char* key, const std::function<void(const std::string&, const Reader&)>& each) const {
    if (auto* v = find(key)) {
      Reader map(*v, at(key), origin_);
      for (const auto& [name, value] : v->items()) each(name, Reader(value, at(key) + "." + name, origin_));
    }
  }
  void object(const char* key, const std::function<void(const Reader&)>& read) const {
    if (auto* v = find(key)) read(Reader(*v, at(key), origin_));
  }

private:
  const json* find(const char* key) const {
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json& typed(const char* key, const json& v, bool ok, const char* want) const {
    if (!ok) fail(at(key), fmt::format("expected {}", want), v);
    return v;
  }
  [[noreturn]] void fail(const std::string& where, const std::string& what, const json& got) const {
    throw Error(Exit::unknown, fmt::format("{}: {}: {}, got {}", origin_, where, what, got.type_name()));
  }

  const json& obj_;
  std::string path_;
  const std::string& origin_;
};

void read_monitoring(const Reader& r, Monitoring& m) {
  r.reject_unknown({"checkInterval", "maxLatency", "maxPacketLoss", "failureThreshold", "enableAutoFailover",
                    "targets", "exitNodes", "restoreInterval", "restoreThreshold", "stateDir", "alert"});
  r.number("checkInterval", m.check_interval_s, 1);
  r.number("maxLatency", m.max_latency_ms, 0);
  r.number("maxPacketLoss", m.max_packet_loss_pct, 0);
  r.integer("failureThreshold", m.failure_threshold, 1, 1000);
  r.boolean("enableAutoFailover", m.enable_auto_failover);
  r.strings("targets", m.targets);
  r.strings("exitNodes", m.exit_nodes);
  r.number("restoreInterval", m.restore_interval_s, 1);
  r.integer("restoreThreshold", m.restore_threshold, 1, 1000);
  r.string("stateDir", m.state_dir);
  r.object("alert", [&](const Reader& a) {
    a.reject_unknown({"webhook"});
    a.string("webhook", m.alert.webhook);
  });
}

void read_nginx(const Reader& r, Nginx& n) {
  r.reject_unknown({"binary", "config", "prefix", "accessLog", "errorLog", "logFormat", "services"});
  r.string("binary", n.binary);
  r.string("config", n.config);
  r.string("prefix", n.prefix);
  r.string("accessLog", n.access_log);
  r.string("errorLog", n.error_log);
  r.string("logFormat", n.log_format);
  r.objects("services", [&](const std::string& name, const Reader& s) {
    s.reject_unknown({"subdomain", "upstreamHost", "upstreamPort", "rateLimit", "maxBodySize", "healthPath", "allowFrom"});
    Service svc;
    svc.subdomain = name;
    s.string("subdomain", svc.subdomain);
    s.string("upstreamHost", svc.upstream_host);
    s.integer("upstreamPort", svc.upstream_port, 1, 65535);
    s.string("rateLimit", svc.rate_limit);
    s.string("maxBodySize", svc.max_body_size);
    s.string("healthPath", svc.health_path);
    if (s.has("allowFrom")) {
      svc.allow_from.emplace();
      s.strings("allowFrom", *svc.allow_from);
    }
    n.services[name] = svc;
  });
}

void read_firewall(const Reader& r, Firewall& f) {
  r.reject_unknown({"defaultPolicy", "enableLogging", "tailscalePort", "zones"});
  r.choice("defaultPolicy", f.default_policy, {"drop", "reject", "accept"});
  r.boolean("enableLogging", f.enable_logging);
  r.integer("tailscalePort", f.tailscale_port, 1, 65535);
  r.objects("zones", [&](const std::string& name, const Reader& z) {
    z.reject_unknown({"chain", "interfaces", "allowedTCPPorts", "allowedUDPPorts", "allowedServices",
                      "allowedIPs", "allowAllServices"});
    Zone zone;
    z.string("chain", zone.chain);
    z.strings("interfaces", zone.interfaces);
    z.ports("allowedTCPPorts", zone.allowed_tcp_ports);
    z.ports("allowedUDPPorts", zone.allowed_udp_ports);
    z.strings("allowedServices", zone.allowed_services);
    z.strings("allowedIPs", zone.allowed_ips);
    z.boolean("allowAllServices", zone.allow_all_services);
    f.zones[name] = zone;
  });
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

Config parse(std::string_view text, const std::string& origin) {
  // parse_json's error names origin:line:column, as every config error does.
  json doc = sys::parse_json(text, origin);
  Config c;
  c.origin = origin;
  Reader top(doc, "", origin);
  top.reject_unknown({"tailscale", "monitoring", "nginx", "firewall"});
  top.object("tailscale", [&](const Reader& r) {
    r.reject_unknown({"socket", "hostname", "tailnetDomain"});
    r.string("socket", c.tailscale.socket);
    r.string("hostname", c.tailscale.hostname);
    r.string("tailnetDomain", c.tailscale.tailnet_domain);
  });
  top.object("monitoring", [&](const Reader& r) { read_monitoring(r, c.monitoring); });
  top.object("nginx", [&](const Reader& r) { read_nginx(r, c.nginx); });
  top.object("firewall", [&](const Reader& r) { read_firewall(r, c.firewall); });
  return c;
}

Config load(const std::string& explicit_path) {
  std::string path = explicit_path;
  if (path.empty())
    if (const char* env = std::getenv("MESHOPS_CONFIG"); env && *env) path = env;
  if (path.empty() && exists("/etc/meshops/config.json")) path = "/etc/meshops/config.json";
  if (path.empty()) {
    Config c;
    c.origin = "built-in defaults";
    return c;
  }
  return parse(sys::read_file(path), path);
}

} // namespace meshops::config
