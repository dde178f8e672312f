#include "meshops/nginx/diag.hpp"

#include "text.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace meshops::nginx {
namespace {

using text::all_digits;

constexpr std::array<std::string_view, 8> kLevelNames{"emerg", "alert", "crit",   "error",
                                                      "warn",  "notice", "info", "debug"};

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "2025/11/26 10:00:00 " is 20 characters: digits at fixed places.
bool starts_with_timestamp(std::string_view s) {
  if (s.size() < 20) return false;
  static constexpr std::string_view shape = "dddd/dd/dd dd:dd:dd ";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    bool ok = shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(s[i])) != 0 : s[i] == shape[i];
    if (!ok) return false;
  }
  return true;
}

// "[emerg] " at the front of s: the level, and s advanced past it.
std::optional<Level> take_level(std::string_view& s) {
  if (s.empty() || s.front() != '[') return std::nullopt;
  auto close = s.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  auto level = parse_level(s.substr(1, close - 1));
  if (!level) return std::nullopt;
  s.remove_prefix(close + 1);
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return level;
}

// The error-log shape carries "PID#TID: " and, for a connection, "*CID " before the message.
void skip_process_ids(std::string_view& s) {
  auto hash = s.find('#');
  auto colon = s.find(": ");
  if (hash == std::string_view::npos || colon == std::string_view::npos || hash > colon) return;
  if (!all_digits(s.substr(0, hash)) || !all_digits(s.substr(hash + 1, colon - hash - 1))) return;
  s.remove_prefix(colon + 2);
  if (!s.empty() && s.front() == '*') {
    auto space = s.find(' ');
    if (space != std::string_view::npos && all_digits(s.substr(1, space - 1))) s.remove_prefix(space + 1);
  }
}

// nginx appends " in FILE:LINE" to messages about a place in the configuration.
void split_place(Diagnostic& d) {
  std::string_view m = d.message;
  auto in = m.rfind(" in ");
  if (in == std::string_view::npos) return;
  auto place = m.substr(in + 4);
  auto colon = place.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return;
  auto digits = place.substr(colon + 1);
  if (!all_digits(digits)) return;
  int line = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return;
  d.file = std::string(place.substr(0, colon));
  d.line = line;
  d.message.resize(in);
}

} // namespace

std::string_view level_name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::optional<Level> parse_level(std::string_view name) {
  if (name == "err") return Level::error;
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  return std::nullopt;
}

std::optional<Diagnostic> parse_diagnostic_line(std::string_view line) {
  line = trim_right(line);
  if (line.empty()) return std::nullopt;
  Diagnostic d;
  std::string_view rest = line;
  if (starts_with_timestamp(rest)) {
    std::string_view after = rest.substr(20);
    if (auto level = take_level(after)) {
      d.level = *level;
      skip_process_ids(after);
      rest = after;
    }
  } else if (rest.substr(0, 7) == "nginx: ") {
    rest.remove_prefix(7);
    if (auto level = take_level(rest)) d.level = *level;
  }
  d.message = std::string(rest);
  split_place(d);
  return d;
}

std::vector<Diagnostic> parse_diagnostics(std::string_view text) {
  std::vector<Diagnostic> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (auto d = parse_diagnostic_line(line)) out.push_back(std::move(*d));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool is_failure(Level level) { return level <= Level::error; }

std::optional<std::string> missing_permission(const Diagnostic& d) {
  const auto& m = d.message;
  auto has = [&](std::string_view s) { return m.find(s) != std::string::npos; };
  // nginx quotes strerror: "(13: Permission denied)", "(1: Operation not permitted)", "(30:
  // Read-only file system)"; OpenSSL's BIO errors spell EACCES "system library::Permission denied".
  bool denied = has("Permission denied");
  bool not_permitted = has("Operation not permitted");
  if (has("Read-only file system"))
    return std::string("write access to that path (its file system is read-only here: a unit's ProtectSystem= "
                       "without ReadWritePaths= for it)");
  if (!denied && !not_permitted) return std::nullopt;
  // Each listen socket is opened by `nginx -t` too; as root that takes the capability.
  if (m.rfind("bind() to ", 0) == 0)
    return std::string("CAP_NET_BIND_SERVICE (nginx opens its listen sockets; ports below 1024 need it)");
  // nginx hands its temp directories to the worker user (the `user` directive).
  if (m.rfind("chown(", 0) == 0) return std::string("CAP_CHOWN (nginx gives its temp directories to its worker user)");
  if (not_permitted) return std::string("a privilege the operating system refused (EPERM)");
  return std::string("access to that file (nginx's master opens its logs, keys and pid file as root; "
                     "CAP_DAC_OVERRIDE when they are not root's)");
}

bool is_unprivileged_artefact(const Diagnostic& d) {
  return d.level == Level::warn &&
         d.message.find("makes sense only if the master process runs with super-user privileges") !=
             std::string::npos;
}

} // namespace meshops::nginx
