// From the dumped files to the model: includes expanded in place (so the tree reads as nginx
// read it), then http { server { location } } walked with nginx's inheritance for limit_req,
// client_max_body_size, allow/deny and auth_basic/auth_request (a level with its own
// directives replaces the outer ones).
#include "meshops/nginx/conf.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fnmatch.h>
#include <set>

namespace meshops::nginx {
namespace {

// Includes nested deeper than this are a loop (nginx itself stops with "too many open files").
constexpr int kMaxIncludeDepth = 32;
// What the expanded tree may hold: files that include each other many times over grow it
// exponentially (20 files each including the next twice: a million copies); nginx would read
// them all, a model of them is no use. So at most this many times the directives dumped, plus
// a floor for small files included in many places (proxy_params in every location).
constexpr std::size_t kMaxExpansion = 100, kExpandedFloor = 100'000;

std::size_t count_directives(const std::vector<Directive>& tree) {
  std::size_t n = tree.size();
  for (const auto& d : tree) n += count_directives(d.block);
  return n;
}

bool has_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

class Expander {
public:
  Expander(ConfModel& model, const std::map<std::string, std::vector<Directive>>& parsed)
      : model_(model), parsed_(parsed) {
    std::size_t dumped = 0;
    for (const auto& [path, tree] : parsed_) dumped += count_directives(tree);
    max_expanded_ = kExpandedFloor + kMaxExpansion * dumped;
  }

  std::vector<Directive> expand(const std::vector<Directive>& in, int depth) {
    std::vector<Directive> out;
    out.reserve(in.size());
    for (const auto& d : in) {
      if (d.name == "include" && d.args.size() == 1 && !d.has_block) {
        if (depth >= kMaxIncludeDepth)
          throw Error(Exit::unknown, fmt::format("{}: includes nested too deeply", to_string(d.at)));
        const auto& files = matching_files(d.args[0]);
        // One Include per include directive, however often its file is expanded.
        if (recorded_.insert(&d).second) model_.includes.push_back(Include{d.args[0], d.at, files});
        for (const auto& f : files) {
          auto more = expand(parsed_.at(f), depth + 1);
          std::move(more.begin(), more.end(), std::back_inserter(out));
        }
        continue;
      }
      if (++expanded_ > max_expanded_)
        throw Error(Exit::unknown, fmt::format("{}: the includes expand the configuration past {} directives (files "
                                               "included many times over)",
                                               to_string(d.at), max_expanded_));
      // The directive without its block, then its block expanded: copying d whole would copy
      // the subtree once per level above it.
      Directive copy;
      copy.name = d.name;
      copy.args = d.args;
      copy.at = d.at;
      copy.has_block = d.has_block;
      if (d.has_block) copy.block = expand(d.block, depth);
      out.push_back(std::move(copy));
    }
    return out;
  }

private:
  const std::vector<std::string>& matching_files(const std::string& pattern) {
    auto known = matches_.find(pattern);
    if (known != matches_.end()) return known->second;
    std::string full = resolve_path(model_, pattern);
    std::vector<std::string>& found = matches_[pattern];
    for (const auto& [path, tree] : parsed_) {
      bool match = has_glob(full) ? ::fnmatch(full.c_str(), path.c_str(), FNM_PATHNAME) == 0 : path == full;
      if (match) found.push_back(path);
    }
    // glob(3), which nginx uses, returns names sorted; the map already iterates in that order.
    return found;
  }

  ConfModel& model_;
  const std::map<std::string, std::vector<Directive>>& parsed_;
  std::map<std::string, std::vector<std::string>> matches_;  ///< include pattern -> files, each looked up once
  std::set<const Directive*> recorded_;                       ///< include directives of the dump recorded
  std::size_t expanded_ = 0, max_expanded_ = 0;
};

std::optional<std::string_view> arg_value(const Directive& d, std::string_view key) {
  for (const auto& a : d.args)
    if (a.size() > key.size() && a.compare(0, key.size(), key) == 0 && a[key.size()] == '=')
      return std::string_view(a).substr(key.size() + 1);
  return std::nullopt;
}

std::string join_args(const Directive& d) {
  std::string out;
  for (const auto& a : d.args) out += (out.empty() ? "" : " ") + a;
  return out;
}

Listen read_listen(const Directive& d) {
  Listen l;
  l.at = d.at;
  if (d.args.empty()) return l;
  l.address = d.args[0];
  std::string_view a = l.address;
  if (a.substr(0, 5) == "unix:") {
    l.host = l.address;
    l.port = 0;
  } else if (auto colon = a.rfind(':'); colon != std::string_view::npos && a.find(']', colon) == std::string_view::npos) {
    l.host = std::string(a.substr(0, colon));
    std::from_chars(a.data() + colon + 1, a.data() + a.size(), l.port);
  } else if (!a.empty() && std::all_of(a.begin(), a.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    l.host = std::string(1, '*');
    std::from_chars(a.data(), a.data() + a.size(), l.port);
  } else {
    l.host = l.address;  // an address alone listens on port 80
  }
  for (std::size_t i = 1; i < d.args.size(); ++i) {
    if (d.args[i] == "ssl") l.ssl = true;
    if (d.args[i] == "quic") l.quic = true;
    if (d.args[i] == "default_server" || d.args[i] == "default") l.default_server = true;
  }
  return l;
}

struct Inherited {
  std::vector<LimitReq> limit_reqs;
  std::optional<Value> max_body_size;
  std::vector<AccessRule> access;
  std::vector<Auth> auth;
};

LimitReq read_limit_req(const Directive& d, std::string_view zone) {
  LimitReq r;
  r.zone = std::string(zone);
  r.at = d.at;
  if (auto burst = arg_value(d, "burst")) std::from_chars(burst->data(), burst->data() + burst->size(), r.burst);
  r.nodelay = std::find(d.args.begin(), d.args.end(), "nodelay") != d.args.end();
  return r;
}

// Each auth directive is inherited on its own: an inner `auth_basic off;` removes only it.
void merge_auth(std::vector<Auth>& own, const std::vector<Auth>& outer, const std::vector<std::string>& set_here) {
  for (const auto& a : outer)
    if (std::find(set_here.begin(), set_here.end(), a.kind) == set_here.end()) own.push_back(a);
}

// A level's own settings, or what it inherits.
Inherited level_settings(const std::vector<Directive>& block, const Inherited& outer) {
  Inherited own;
  std::vector<std::string> auth_set;
  for (const auto& d : block) {
    if (d.name == "limit_req") {
      if (auto zone = arg_value(d, "zone")) own.limit_reqs.push_back(read_limit_req(d, *zone));
    } else if (d.name == "client_max_body_size" && d.args.size() == 1) {
      own.max_body_size = Value{d.args[0], d.at};
    } else if ((d.name == "allow" || d.name == "deny") && d.args.size() == 1) {
      own.access.push_back({d.name == "allow", d.args[0], d.at});
    } else if ((d.name == "auth_basic" || d.name == "auth_request") && d.args.size() == 1) {
      auth_set.push_back(d.name);
      if (d.args[0] != "off") own.auth.push_back({d.name, d.args[0], d.at});
    }
  }
  if (own.limit_reqs.empty()) own.limit_reqs = outer.limit_reqs;
  if (!own.max_body_size) own.max_body_size = outer.max_body_size;
  if (own.access.empty()) own.access = outer.access;
  merge_auth(own.auth, outer.auth, auth_set);
  return own;
}

void read_location(const Directive& d, const Inherited& outer, std::vector<Location>& out) {
  Inherited here = level_settings(d.block, outer);
  Location loc;
  loc.at = d.at;
  loc.path = join_args(d);
  loc.limit_reqs = here.limit_reqs;
  loc.max_body_size = here.max_body_size;
  loc.access = here.access;
  loc.auth = here.auth;
  for (const auto& c : d.block) {
    if (c.name == "proxy_pass" && c.args.size() == 1) loc.proxy_pass = Value{c.args[0], c.at};
    if (c.name == "return" && !c.args.empty() && !loc.returns) loc.returns = Value{join_args(c), c.at};
    // proxy_pass inside "if" or "limit_except" still proxies this location.
    if ((c.name == "if" || c.name == "limit_except") && !loc.proxy_pass)
      for (const auto& g : c.block)
        if (g.name == "proxy_pass" && g.args.size() == 1) loc.proxy_pass = Value{g.args[0], g.at};
  }
  out.push_back(std::move(loc));
  for (const auto& c : d.block)
    if (c.name == "location" && c.has_block) read_location(c, here, out);
}

Server read_server(const Directive& d, const Inherited& http) {
  Server s;
  s.at = d.at;
  Inherited here = level_settings(d.block, http);
  s.limit_reqs = here.limit_reqs;
  s.max_body_size = here.max_body_size;
  s.access = here.access;
  s.auth = here.auth;
  for (const auto& c : d.block) {
    if (c.name == "listen") s.listens.push_back(read_listen(c));
    else if (c.name == "server_name")
      for (const auto& n : c.args) s.server_names.push_back({n, c.at});
    else if (c.name == "return" && !c.args.empty() && !s.returns) s.returns = Value{join_args(c), c.at};
    else if (c.name == "ssl_certificate" && c.args.size() == 1) s.ssl_certificates.push_back({c.args[0], c.at});
    else if (c.name == "location" && c.has_block) read_location(c, here, s.locations);
  }
  if (s.listens.empty()) {
    // Built with a constructor: GCC 12's -Wrestrict misfires on `str = "literal"` here (PR105329).
    Listen l{std::string("*:80"), std::string(1, '*'), 80, false, false, true, false, d.at};
    s.listens.push_back(l);
  }
  return s;
}

void read_http(const std::vector<Directive>& block, ConfModel& model) {
  Inherited http = level_settings(block, {});
  for (const auto& d : block) {
    if (d.name == "server" && d.has_block) {
      model.servers.push_back(read_server(d, http));
    } else if (d.name == "limit_req_zone") {
      LimitReqZone z;
      z.at = d.at;
      if (!d.args.empty()) z.key = d.args[0];
      if (auto zone = arg_value(d, "zone")) {
        auto colon = zone->find(':');
        z.name = std::string(zone->substr(0, colon));
        if (colon != std::string_view::npos) z.size = std::string(zone->substr(colon + 1));
      }
      if (auto rate = arg_value(d, "rate")) z.rate = std::string(*rate);
      model.zones[z.name] = z;
    } else if (d.name == "upstream" && d.has_block && !d.args.empty()) {
      Upstream u{d.args[0], d.at, {}};
      for (const auto& c : d.block)
        if (c.name == "server" && !c.args.empty()) u.servers.push_back({c.args[0], c.at});
      model.upstreams[u.name] = u;
    }
  }
}

} // namespace

std::string Listen::key() const {
  std::string h = host == "*" ? "0.0.0.0" : host;
  return fmt::format("{}{}{}", h, port ? fmt::format(":{}", port) : "", quic ? "/quic" : "");
}

bool Server::proxies() const {
  return std::any_of(locations.begin(), locations.end(), [](const Location& l) { return l.proxy_pass.has_value(); });
}

std::string resolve_path(const ConfModel& model, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return model.conf_prefix + path;
}

ConfModel read_dump(std::string_view dump) {
  auto files = split_dump(dump);
  if (files.empty())
    throw Error(Exit::unknown, "nginx -T: printed no configuration file (is this nginx 1.9.2 or newer?)");
  ConfModel model;
  model.main_file = files.front().path;
  auto slash = model.main_file.rfind('/');
  model.conf_prefix = slash == std::string::npos ? "" : model.main_file.substr(0, slash + 1);
  std::map<std::string, std::vector<Directive>> parsed;
  for (const auto& f : files) {
    model.files.push_back(f.path);
    parsed.emplace(f.path, parse_file(f));
  }
  model.tree = Expander(model, parsed).expand(parsed.at(model.main_file), 0);
  for (const auto& d : model.tree)
    if (d.name == "http" && d.has_block) read_http(d.block, model);
  return model;
}

std::optional<long long> parse_size(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long scale = 1;
  switch (s.back()) {
    case 'k': case 'K': scale = 1024; break;
    case 'm': case 'M': scale = 1024 * 1024; break;
    case 'g': case 'G': scale = 1024LL * 1024 * 1024; break;
    default: break;
  }
  if (scale != 1) s.remove_suffix(1);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || ptr != s.data() + s.size() || n < 0) return std::nullopt;
  long long bytes = 0;
  if (__builtin_mul_overflow(n, scale, &bytes)) return std::nullopt;  // 9999999999999G is no size
  return bytes;
}

std::optional<double> parse_rate(std::string_view s) {
  double per = 0;
  if (s.size() < 4) return std::nullopt;
  auto unit = s.substr(s.size() - 3);
  if (unit == "r/s") per = 1;
  else if (unit == "r/m") per = 60;
  else return std::nullopt;
  s.remove_suffix(3);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || ptr != s.data() + s.size() || n <= 0) return std::nullopt;
  return static_cast<double>(n) / per;
}

std::optional<Target> parse_target(std::string_view url) {
  if (url.find('$') != std::string_view::npos || url.substr(0, 5) == "unix:") return std::nullopt;
  Target t;
  if (auto sep = url.find("://"); sep != std::string_view::npos) {
    t.scheme = std::string(url.substr(0, sep));
    url.remove_prefix(sep + 3);
    if (url.substr(0, 5) == "unix:") return std::nullopt;
  }
  url = url.substr(0, url.find('/'));
  t.port = t.scheme == "https" ? 443 : 80;
  std::string_view host = url;
  if (!url.empty() && url.front() == '[') {
    auto close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = url.substr(0, close + 1);
    url.remove_prefix(close + 1);
    if (!url.empty() && url.front() != ':') return std::nullopt;
  } else if (auto colon = url.find(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    url.remove_prefix(colon);
  } else {
    url = {};
  }
  if (!url.empty()) {
    url.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(url.data(), url.data() + url.size(), t.port);
    if (ec != std::errc{} || ptr != url.data() + url.size() || t.port <= 0 || t.port > 65535) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  t.host = std::string(host);
  return t;
}

} // namespace meshops::nginx
