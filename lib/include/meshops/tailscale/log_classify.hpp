#pragma once
// tailscaled's log lines, sorted for a reader: a category (which subsystem spoke), a level, and
// the peer a line is about. tailscaled writes no levels or categories of its own; we read them
// from its prefixes ("magicsock:", "dns:", "health(warnable=...)") and wording, as seen in
// v1.98 logs (tests/fixtures/tailscale-logs). Pure: text in, values out.
#include "meshops/tailscale/status.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace meshops::tailscale {

/// router: the OS side (routes, rules, netfilter, the netlink monitor, the dialer's table).
enum class LogCategory { state, control, derp, magicsock, wireguard, dns, health, peers, portmap, router, other };
enum class LogLevel { debug, info, warning, error };

/// "state", "control", ... as used by --category and the JSON output.
const char* to_string(LogCategory c);
/// "debug", "info", "warning", "error".
const char* to_string(LogLevel l);
/// Parses a category or level name; nullopt when unknown.
std::optional<LogCategory> parse_log_category(std::string_view s);
std::optional<LogLevel> parse_log_level(std::string_view s);
/// Every category, in declaration order (completions, help).
const std::vector<LogCategory>& all_log_categories();

struct ClassifiedLine {
  LogCategory category = LogCategory::other;
  LogLevel level = LogLevel::info;
  std::string message;  ///< the text without a "[vN] " verbosity prefix or trailing newline
};

/// Classifies one line of tailscaled's log text. verbosity is logtail's "v" (0 when unknown);
/// a "[v1] "/"[v2] " prefix in the text counts too, and both make the line debug.
ClassifiedLine classify_log_line(std::string_view text, int verbosity = 0);

/// Splits Go's log prefix "2026/11/25 17:59:51 " (or with ".000000" micros) off a line of
/// tailscaled's stderr; nullopt when the line has none (continuation lines).
struct TimestampedText {
  TimePoint time;
  std::string_view text;
};
std::optional<TimestampedText> split_go_log_time(std::string_view line);

/// Finds which peer a log line is about: tailscaled names peers by the short form of their
/// node key ("[a56b6]", the first 5 base64 characters), by "nodekey:<hex>", or by address.
class PeerIndex {
public:
  PeerIndex() = default;
  /// Indexes status's peers (and self) by short key, full key and Tailscale IP.
  explicit PeerIndex(const Status& status);
  /// The name of the first peer text mentions, or "" when none.
  std::string find(std::string_view text) const;
  /// The name of the peer with this full key ("nodekey:<hex>"), or "".
  std::string by_key(std::string_view node_key) const;
  bool empty() const { return names_.empty(); }

private:
  std::unordered_map<std::string, std::string> names_;  // "[a56b6]", "nodekey:...", "100.64.0.3" -> name
};

/// The short form tailscaled prints for a node key ("nodekey:<64 hex>" -> "[a56b6]"); "" when
/// the key is not of that form.
std::string short_node_key(std::string_view node_key);

} // namespace meshops::tailscale
