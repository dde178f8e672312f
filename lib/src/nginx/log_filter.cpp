#include "meshops/nginx/log_filter.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <limits>

#include <arpa/inet.h>
#include <fnmatch.h>

#include <cstdlib>
#include <cstring>

namespace meshops::nginx {
namespace {

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find(',', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Dotted-quad IPv4 as inet_pton reads it (four decimal octets, no leading zeros), without
// inet_pton's copy and call: `filter --client` reads one address a line.
bool parse_ipv4(std::string_view text, std::array<std::uint8_t, 16>& out) {
  std::size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && i - start < 4 && text[i] >= '0' && text[i] <= '9') value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text[start] == '0')) return false;
    out[static_cast<std::size_t>(octet)] = static_cast<std::uint8_t>(value);
  }
  return i == text.size();
}

// Called per line by `filter --client`: a stack copy for inet_pton's NUL, no allocation.
bool parse_address(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& out) {
  v6 = text.find(':') != std::string_view::npos;
  if (!v6) return parse_ipv4(text, out);
  char buf[64];
  if (text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return ::inet_pton(AF_INET6, buf, out.data()) == 1;
}

// Called per line by --path/--host: the text is copied into a buffer reused across calls.
bool glob_match(const std::string& pattern, std::string_view text, bool casefold) {
  thread_local std::string t;
  t.assign(text);
  return ::fnmatch(pattern.c_str(), t.c_str(), casefold ? FNM_CASEFOLD : 0) == 0;
}

} // namespace

bool Cidr::contains(std::string_view a) const {
  bool is6;
  std::array<std::uint8_t, 16> bytes{};
  if (a.size() > 64 || !parse_address(a, is6, bytes) || is6 != v6) return false;
  int full = prefix / 8, rest = prefix % 8;
  for (int i = 0; i < full; ++i)
    if (bytes[static_cast<std::size_t>(i)] != addr[static_cast<std::size_t>(i)]) return false;
  if (rest) {
    auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    if ((bytes[static_cast<std::size_t>(full)] & mask) != (addr[static_cast<std::size_t>(full)] & mask)) return false;
  }
  return true;
}

bool is_own_request(const Record& rec) {
  if (!rec.has(Var::http_user_agent) || !rec.has(Var::remote_addr)) return false;
  // The product names meshops sends, each with its version: "meshops-probe/1".
  auto ua = rec.get(Var::http_user_agent);
  bool ours = false;
  for (std::string_view product : {"meshops-probe/", "meshops-ts-benchmark/"})
    if (ua.size() > product.size() && ua.substr(0, product.size()) == product &&
        ua.find_first_not_of("0123456789", product.size()) == std::string_view::npos)
      ours = true;
  if (!ours) return false;
  // Loopback, tailscale's CGNAT range and its IPv6 ULA: where meshops' probes come from.
  static const std::array<Cidr, 4> sources{parse_cidr("127.0.0.0/8"), parse_cidr("::1/128"),
                                           parse_cidr("100.64.0.0/10"), parse_cidr("fd7a:115c:a1e0::/48")};
  auto client = rec.get(Var::remote_addr);
  for (const auto& net : sources)
    if (net.contains(client)) return true;
  return false;
}

std::vector<StatusRange> parse_status_spec(std::string_view spec) {
  std::vector<StatusRange> out;
  for (auto part : split_commas(spec)) {
    if (part.size() == 3 && part[0] >= '1' && part[0] <= '5' && (part.substr(1) == "xx" || part.substr(1) == "XX")) {
      int c = part[0] - '0';
      out.push_back({c * 100, c * 100 + 99});
      continue;
    }
    int s = parse_status(part);
    if (s < 100)
      throw Error(Exit::usage, fmt::format("--status: '{}' is neither a status code nor a class like 5xx", part));
    out.push_back({s, s});
  }
  if (out.empty()) throw Error(Exit::usage, "--status: empty");
  return out;
}

Cidr parse_cidr(std::string_view text) {
  Cidr c;
  std::string_view a = text;
  std::size_t slash = text.find('/');
  if (slash != std::string_view::npos) a = text.substr(0, slash);
  if (!parse_address(a, c.v6, c.addr))
    throw Error(Exit::usage, fmt::format("--client: '{}' is not an IP address or CIDR network", text));
  int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    auto bits = parse_uint(text.substr(slash + 1));
    if (!bits || *bits > static_cast<std::uint64_t>(max))
      throw Error(Exit::usage, fmt::format("--client: '{}' has a bad prefix length", text));
    c.prefix = static_cast<int>(*bits);
  }
  return c;
}

std::string_view record_host(const Record& rec) {
  if (rec.has(Var::host)) return rec.get(Var::host);
  if (rec.has(Var::http_host)) return rec.get(Var::http_host);
  if (rec.has(Var::server_name)) return rec.get(Var::server_name);
  return {};
}

bool Filter::matches(const Record& rec, Escape escape) const {
  if (!statuses.empty()) {
    if (rec.status < 0) return false;
    const int s = rec.status;
    bool ok = false;
    for (const auto& r : statuses) ok = ok || (s >= r.lo && s <= r.hi);
    if (!ok) return false;
  }
  if (min_time_ms) {
    auto t = rec.has(Var::request_time) ? parse_seconds_ms(rec.get(Var::request_time)) : std::nullopt;
    if (!t || *t < *min_time_ms) return false;
  }
  if (since_ms || until_ms) {
    auto t = record_time(rec);
    if (!t || (since_ms && *t < *since_ms) || (until_ms && *t >= *until_ms)) return false;
  }
  if (!clients.empty()) {
    if (!rec.has(Var::remote_addr)) return false;
    bool ok = false;
    for (const auto& c : clients) ok = ok || c.contains(rec.get(Var::remote_addr));
    if (!ok) return false;
  }
  if (!methods.empty() || !path_globs.empty()) {
    std::string_view method, uri;
    if (rec.has(Var::request)) {
      auto rl = parse_request_line(rec.get(Var::request));
      if (!rl.valid) return false;
      method = rl.method;
      uri = rl.uri;
    }
    if (rec.has(Var::request_method)) method = rec.get(Var::request_method);
    if (uri.empty() && rec.has(Var::request_uri)) uri = rec.get(Var::request_uri);
    if (uri.empty() && rec.has(Var::uri)) uri = rec.get(Var::uri);
    if (!methods.empty()) {
      bool ok = false;
      for (const auto& m : methods) ok = ok || m == method;
      if (!ok) return false;
    }
    if (!path_globs.empty()) {
      if (uri.empty()) return false;
      std::string_view raw = strip_query(uri);
      thread_local std::string decoded;
      if (needs_decoding(raw)) decoded = decode_value(raw, escape);
      else decoded.assign(raw);
      const std::string& path = decoded;
      bool ok = false;
      for (const auto& g : path_globs) ok = ok || glob_match(g, path, false);
      if (!ok) return false;
    }
  }
  if (!host_globs.empty()) {
    auto host = record_host(rec);
    if (host.empty()) return false;
    std::string h = decode_value(host, escape);
    bool ok = false;
    for (const auto& g : host_globs) ok = ok || glob_match(g, h, true);
    if (!ok) return false;
  }
  return true;
}

} // namespace meshops::nginx
