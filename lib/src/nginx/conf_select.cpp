// Server block and location selection, following nginx's sources (http/ngx_http_core_module.c,
// ngx_http_request.c). Regexes are PCRE in nginx and ECMAScript here: named groups (?<n>...)
// and (?P<n>...) are read as plain groups, and a pattern std::regex cannot compile matches
// nothing.
#include "meshops/nginx/select.hpp"
#include "meshops/sys/text.hpp"

#include <algorithm>
#include <regex>

namespace meshops::nginx {
namespace {

// nginx groups listens by address: "*" and "0.0.0.0" are the IPv4 wildcard, "[::]" the IPv6 one.
bool is_wildcard(const Listen& l) { return l.host == "*" || l.host == "0.0.0.0" || l.host == "[::]"; }
bool is_ipv6(std::string_view host) { return !host.empty() && host.front() == '['; }
std::string bracketless(std::string_view host) {
  if (is_ipv6(host) && host.back() == ']') return std::string(host.substr(1, host.size() - 2));
  return std::string(host);
}

// Copies re with each "(?<name>" and "(?P<name>" written as "(" (built by appending: GCC 12's
// -Wrestrict misfires on std::string::replace here, PR105329).
std::string pcre_to_ecma(std::string_view re) {
  std::string out;
  for (std::size_t i = 0; i < re.size(); ++i) {
    std::size_t skip = re.substr(i, 4) == "(?P<" ? 4 : re.substr(i, 3) == "(?<" ? 3 : 0;
    // "(?<=" and "(?<!" are lookbehinds, not names.
    if (skip == 3 && i + 3 < re.size() && (re[i + 3] == '=' || re[i + 3] == '!')) skip = 0;
    auto close = skip ? re.find('>', i + skip) : std::string_view::npos;
    if (close != std::string_view::npos) {
      out.push_back('(');
      i = close;
    } else {
      out.push_back(re[i]);
    }
  }
  return out;
}

bool regex_matches(std::string_view pattern, std::string_view text, bool icase) {
  try {
    auto flags = std::regex::ECMAScript;
    if (icase) flags |= std::regex::icase;
    return std::regex_search(std::string(text), std::regex(pcre_to_ecma(pattern), flags));
  } catch (const std::regex_error&) {
    return false;
  }
}

// How well name (as written in server_name) matches host: 0 none; otherwise a rank where
// higher wins within its kind. Kind: 3 exact, 2 leading wildcard, 1 trailing wildcard.
struct NameMatch {
  int kind = 0;
  std::size_t length = 0;
};

NameMatch match_name(std::string_view written, const std::string& host) {
  std::string name = sys::lower(written);
  if (!name.empty() && name.front() == '~') return {};
  if (!name.empty() && name.back() == '.' && name.size() > 1) name.pop_back();
  if (name == host) return {3, name.size()};
  if (name.size() > 1 && name.front() == '.') {  // ".example.com": the name and its subdomains
    std::string_view base = std::string_view(name).substr(1);
    if (host == base) return {3, name.size()};
    if (host.size() > name.size() && host.compare(host.size() - name.size(), name.size(), name) == 0)
      return {2, name.size()};
  }
  if (name.size() > 2 && name.compare(0, 2, "*.") == 0) {
    std::string_view suffix = std::string_view(name).substr(1);  // ".example.com"
    if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
      return {2, suffix.size()};
  }
  if (name.size() > 2 && name.compare(name.size() - 2, 2, ".*") == 0) {
    std::string_view prefix = std::string_view(name).substr(0, name.size() - 1);  // "www.example."
    if (host.size() > prefix.size() && host.compare(0, prefix.size(), prefix) == 0) return {1, prefix.size()};
  }
  return {};
}

} // namespace

std::string normalize_host(std::string_view host) {
  std::string h = sys::lower(host);
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    if (close != std::string::npos) h.resize(close + 1);
  } else if (auto colon = h.find(':'); colon != std::string::npos) {
    h.resize(colon);
  }
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

std::optional<ServerChoice> select_server(const ConfModel& model, std::string_view local_addr, int port,
                                          std::string_view host_header) {
  const bool v6 = local_addr.find(':') != std::string_view::npos;
  // The servers of the address group: an explicit listen on local_addr:port, else the wildcard.
  struct Candidate {
    const Server* server;
    const Listen* listen;
  };
  std::vector<Candidate> exact, wildcard;
  for (const auto& s : model.servers)
    for (const auto& l : s.listens) {
      if (l.quic || l.port != port || l.host.rfind("unix:", 0) == 0 || is_ipv6(l.host) != v6) continue;
      if (is_wildcard(l)) wildcard.push_back({&s, &l});
      else if (bracketless(l.host) == local_addr) exact.push_back({&s, &l});
    }
  const auto& group = exact.empty() ? wildcard : exact;
  if (group.empty()) return std::nullopt;

  const std::string host = normalize_host(host_header);
  ServerChoice best;
  NameMatch best_match;
  for (const auto& c : group)
    for (const auto& n : c.server->server_names) {
      auto m = match_name(n.text, host);
      if (m.kind > best_match.kind || (m.kind == best_match.kind && m.kind && m.length > best_match.length)) {
        best_match = m;
        best = {c.server, c.listen, &n, m.kind == 3 ? "exact name" : m.kind == 2 ? "leading wildcard" : "trailing wildcard"};
      }
    }
  if (best_match.kind) return best;
  for (const auto& c : group)
    for (const auto& n : c.server->server_names)
      if (n.text.size() > 1 && n.text.front() == '~' && regex_matches(std::string_view(n.text).substr(1), host, true))
        return ServerChoice{c.server, c.listen, &n, "regex"};
  for (const auto& c : group)
    if (c.listen->default_server) return ServerChoice{c.server, c.listen, nullptr, "default_server"};
  return ServerChoice{group.front().server, group.front().listen, nullptr, "first server"};
}

std::optional<LocationChoice> select_location(const Server& server, std::string_view uri) {
  const Location* longest = nullptr;
  std::size_t longest_len = 0;
  bool longest_stops = false;
  for (const auto& loc : server.locations) {
    std::string_view p = loc.path;
    if (p.rfind("= ", 0) == 0) {
      if (p.substr(2) == uri) return LocationChoice{&loc, "exact"};
      continue;
    }
    bool stops = p.rfind("^~ ", 0) == 0;
    if (stops) p.remove_prefix(3);
    if (p.empty() || p.front() == '~' || p.front() == '@') continue;
    if (uri.substr(0, p.size()) == p && p.size() > longest_len) {
      longest = &loc;
      longest_len = p.size();
      longest_stops = stops;
    }
  }
  if (longest && longest_stops) return LocationChoice{longest, "prefix ^~"};
  for (const auto& loc : server.locations) {
    std::string_view p = loc.path;
    bool icase = p.rfind("~* ", 0) == 0;
    if (!icase && p.rfind("~ ", 0) != 0) continue;
    p.remove_prefix(icase ? 3 : 2);
    if (regex_matches(p, uri, icase)) return LocationChoice{&loc, "regex"};
  }
  if (longest) return LocationChoice{longest, "prefix"};
  return std::nullopt;
}

} // namespace meshops::nginx
