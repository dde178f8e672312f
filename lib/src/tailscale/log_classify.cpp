#include "meshops/tailscale/log_classify.hpp"

#include "meshops/sys/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

namespace meshops::tailscale {
namespace {

constexpr std::array<const char*, 11> kCategoryNames{"state",  "control", "derp",    "magicsock", "wireguard", "dns",
                                                     "health", "peers",   "portmap", "router",    "other"};
constexpr std::array<const char*, 4> kLevelNames{"debug", "info", "warning", "error"};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool contains(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

struct PrefixRule {
  std::string_view prefix;
  LogCategory category;
};

// First match wins, so the narrower prefixes come before the broader ones ("magicsock: derp-"
// before "magicsock:"). Seen in tailscaled v1.98's logs; see the fixtures.
constexpr PrefixRule kPrefixRules[] = {
    {"health(", LogCategory::health},
    {"health:", LogCategory::health},
    {"Switching ipn state", LogCategory::state},
    {"Start", LogCategory::state},  // "Start", "Start: updated prefs", "StartLoginInteractiveAs"
    {"Backend:", LogCategory::state},
    {"EditPrefs:", LogCategory::state},
    {"prefs reconciled:", LogCategory::state},
    {"pm:", LogCategory::state},
    {"active login:", LogCategory::state},
    {"blockEngineUpdates", LogCategory::state},
    {"Program starting:", LogCategory::state},
    {"tailscaled got signal", LogCategory::state},
    {"ipnext:", LogCategory::state},
    {"localapi:", LogCategory::state},
    {"allowing exit node access", LogCategory::state},
    {"got LocalBackend", LogCategory::state},
    {"envknob:", LogCategory::state},
    {"writing netmap", LogCategory::control},
    {"load netmap", LogCategory::control},
    {"control:", LogCategory::control},
    {"tlsdial:", LogCategory::control},
    {"controlclient", LogCategory::control},
    {"netmap diff", LogCategory::peers},
    {"netmap:", LogCategory::control},
    {"derphttp", LogCategory::derp},
    {"derp", LogCategory::derp},
    {"post-rebind ping of DERP", LogCategory::derp},
    {"magicsock: home DERP", LogCategory::derp},
    {"magicsock: derp-", LogCategory::derp},
    {"magicsock: adding connection to derp", LogCategory::derp},
    {"magicsock: closing connection to derp", LogCategory::derp},
    {"magicsock: disco: node", LogCategory::peers},
    {"magicsock:", LogCategory::magicsock},
    {"netcheck:", LogCategory::magicsock},
    {"Rebind", LogCategory::magicsock},
    {"LinkChange:", LogCategory::magicsock},
    {"linkChange:", LogCategory::magicsock},
    {"link state:", LogCategory::magicsock},
    {"wg:", LogCategory::wireguard},
    {"wgengine", LogCategory::wireguard},
    {"wgcfg:", LogCategory::wireguard},
    {"Creating WireGuard", LogCategory::wireguard},
    {"Bringing WireGuard", LogCategory::wireguard},
    {"dns:", LogCategory::dns},
    {"portmapper", LogCategory::portmap},
    {"portmap:", LogCategory::portmap},
    {"peerapi:", LogCategory::peers},
    {"ping(", LogCategory::peers},
    {"Reconfig(", LogCategory::wireguard},
    {"router:", LogCategory::router},
    {"linuxfw:", LogCategory::router},
    {"monitor:", LogCategory::router},  // the netlink monitor: RTM_NEWROUTE, ip rule deleted
    {"tsdial:", LogCategory::router},
    {"external route:", LogCategory::router},
    {"Clearing router settings", LogCategory::router},
    {"Bringing router up", LogCategory::router},
    {"Warning: UDP GRO forwarding", LogCategory::router},
    {"See https://tailscale.com/s/ethtool", LogCategory::router},
    {"exec: \"ip", LogCategory::router},  // the continuation of "router: iptables not found"
    // The process itself: start, logging, keys and profiles, shutdown.
    {"logtail started", LogCategory::state},
    {"logger closing down", LogCategory::state},
    {"flushing log", LogCategory::state},
    {"You have disabled logging", LogCategory::state},
    {"logpolicy", LogCategory::state},
    {"LogID:", LogCategory::state},
    {"TPM:", LogCategory::state},
    {"Engine created", LogCategory::state},
    {"profile data directory", LogCategory::state},
    {"machine key written", LogCategory::state},
    {"generating new machine key", LogCategory::state},
    {"using tailnet default auto-update", LogCategory::state},
    {"canceling captive portal", LogCategory::state},
};

constexpr std::string_view kRateLimited = "[RATELIMIT] format(\"";

LogCategory category_of(std::string_view msg) {
  // "[RATELIMIT] format("netmap: suggested exit node: %s (%s)")": the format names the writer.
  if (starts_with(msg, kRateLimited)) msg.remove_prefix(kRateLimited.size());
  // probePortMapServices lives under netcheck: but is about port mapping.
  if (contains(msg, "PortMap") || contains(msg, "portmap:") || contains(msg, "UPnP") || contains(msg, "NAT-PMP"))
    return LogCategory::portmap;
  for (const auto& r : kPrefixRules)
    if (starts_with(msg, r.prefix)) return r.category;
  return LogCategory::other;
}

LogLevel level_of(std::string_view msg, LogCategory cat, int verbosity) {
  if (verbosity > 0) return LogLevel::debug;
  auto l = sys::lower(msg);
  if (cat == LogCategory::health) {
    // "health(warnable=X): error: ..." is a warning raised; "...: ok" is it clearing.
    if (contains(l, "): error:")) return LogLevel::warning;
    return LogLevel::info;
  }
  if (contains(l, "panic") || contains(l, "fatal")) return LogLevel::error;
  if (contains(l, "warning")) return LogLevel::warning;
  if (contains(l, "error") || contains(l, "failed") || contains(l, "failure") || contains(l, "cannot ") ||
      contains(l, "unable to") || contains(l, "not found") || contains(l, "timeout") || contains(l, "timed out"))
    return LogLevel::warning;
  return LogLevel::info;
}

std::string base64(const unsigned char* data, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < n; i += 3) {
    unsigned v = data[i] << 16;
    if (i + 1 < n) v |= data[i + 1] << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string strip_prefix_len(std::string_view ip) { return std::string(ip.substr(0, ip.find('/'))); }

} // namespace

const char* to_string(LogCategory c) { return kCategoryNames[static_cast<std::size_t>(c)]; }
const char* to_string(LogLevel l) { return kLevelNames[static_cast<std::size_t>(l)]; }

std::optional<LogCategory> parse_log_category(std::string_view s) {
  if (s == "endpoint") return LogCategory::magicsock;  // the other name for it
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i)
    if (s == kCategoryNames[i]) return static_cast<LogCategory>(i);
  return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
  if (s == "warn") return LogLevel::warning;
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (s == kLevelNames[i]) return static_cast<LogLevel>(i);
  return std::nullopt;
}

const std::vector<LogCategory>& all_log_categories() {
  static const std::vector<LogCategory> all = [] {
    std::vector<LogCategory> v;
    for (std::size_t i = 0; i < kCategoryNames.size(); ++i) v.push_back(static_cast<LogCategory>(i));
    return v;
  }();
  return all;
}

ClassifiedLine classify_log_line(std::string_view text, int verbosity) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  // logtail turns "[v1] " into v=1 in JSON; in plain stderr the prefix stays in the text.
  if (text.size() >= 5 && text[0] == '[' && text[1] == 'v' && std::isdigit(static_cast<unsigned char>(text[2])) &&
      text[3] == ']' && text[4] == ' ') {
    verbosity = std::max(verbosity, text[2] - '0');
    text.remove_prefix(5);
  }
  ClassifiedLine out;
  out.message = std::string(text);
  out.category = category_of(text);
  out.level = level_of(text, out.category, verbosity);
  return out;
}

std::optional<TimestampedText> split_go_log_time(std::string_view line) {
  // "YYYY/MM/DD HH:MM:SS" then optionally ".ffffff", then one space.
  if (line.size() < 20) return std::nullopt;
  static constexpr std::string_view kShape = "dddd/dd/dd dd:dd:dd";
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(line[i])) != 0;
    if (kShape[i] == 'd' ? !digit : line[i] != kShape[i]) return std::nullopt;
  }
  std::size_t pos = kShape.size();
  if (line[pos] == '.') {
    ++pos;
    while (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos]))) ++pos;
  }
  if (pos >= line.size() || line[pos] != ' ') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) { return std::stoi(std::string(line.substr(at, n))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  // Go's log writes local time; mktime reads it as such.
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  if (t == -1) return std::nullopt;
  auto at = sys::Time::from_unix_seconds(t);
  if (!at) return std::nullopt;
  return TimestampedText{*at, line.substr(pos + 1)};
}

std::string short_node_key(std::string_view node_key) {
  constexpr std::string_view kPrefix = "nodekey:";
  if (!starts_with(node_key, kPrefix) || node_key.size() != kPrefix.size() + 64) return {};
  unsigned char raw[32];
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hex_value(node_key[kPrefix.size() + 2 * i]), lo = hex_value(node_key[kPrefix.size() + 2 * i + 1]);
    if (hi < 0 || lo < 0) return {};
    raw[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  std::string out(1, '[');
  out.append(base64(raw, sizeof raw), 0, 5);
  out.push_back(']');
  return out;
}

PeerIndex::PeerIndex(const Status& status) {
  auto add = [&](const Peer& p) {
    auto name = p.name();
    if (name.empty()) return;
    if (!p.public_key.empty()) {
      names_[p.public_key] = name;
      if (auto s = short_node_key(p.public_key); !s.empty()) names_[s] = name;
    }
    for (const auto& ip : p.tailscale_ips) names_[strip_prefix_len(ip)] = name;
  };
  add(status.self);
  for (const auto& p : status.peers) add(p);
}

std::string PeerIndex::by_key(std::string_view node_key) const {
  auto it = names_.find(std::string(node_key));
  return it == names_.end() ? std::string() : it->second;
}

std::string PeerIndex::find(std::string_view text) const {
  if (names_.empty()) return {};
  // Short keys "[xxxxx]" first: they are how tailscaled names peers in nearly every line.
  for (std::size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
    if (open + 6 < text.size() && text[open + 6] == ']')
      if (auto it = names_.find(std::string(text.substr(open, 7))); it != names_.end()) return it->second;
  }
  for (std::size_t at = text.find("nodekey:"); at != std::string_view::npos; at = text.find("nodekey:", at + 1))
    if (auto it = names_.find(std::string(text.substr(at, 8 + 64))); it != names_.end()) return it->second;
  // Tailscale addresses: 100.x.y.z or fd7a:115c:a1e0::..., delimited by non-address characters.
  auto is_addr_char = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':'; };
  for (std::size_t i = 0; i < text.size();) {
    if (!is_addr_char(text[i])) { ++i; continue; }
    std::size_t j = i;
    while (j < text.size() && is_addr_char(text[j])) ++j;
    auto token = text.substr(i, j - i);
    // "100.64.0.3:0" carries a port: try the token and the token without its last ":port".
    if (auto it = names_.find(std::string(token)); it != names_.end()) return it->second;
    if (auto colon = token.rfind(':'); colon != std::string_view::npos && token.find('.') != std::string_view::npos)
      if (auto it = names_.find(std::string(token.substr(0, colon))); it != names_.end()) return it->second;
    i = j;
  }
  return {};
}

} // namespace meshops::tailscale
