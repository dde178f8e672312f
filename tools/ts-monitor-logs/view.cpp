#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>

#include <ctime>

namespace ts_monitor_logs {
namespace ts = meshops::tailscale;

namespace {
// The text view shows local time, as journalctl does; JSON carries RFC 3339 in UTC.
std::string local_time(TimePoint t) {
  std::time_t tt = t.unix_seconds();
  std::tm tm{};
  localtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}
} // namespace

nlohmann::ordered_json to_json(const Record& r) {
  nlohmann::ordered_json j{{"ts", meshops::sys::or_null(r.time, [](TimePoint t) { return meshops::sys::format_utc(t); })}, {"event", r.event}, {"source", r.source},
                           {"category", ts::to_string(r.category)}, {"level", ts::to_string(r.level)},
                           {"peer", meshops::sys::or_null(r.peer)},
                           {"message", r.message}};
  if (r.event != "log") {
    j["from"] = r.from;
    j["to"] = r.to;
  }
  return j;
}

std::string to_text(const Record& r, const meshops::cli::Output& out) {
  using meshops::cli::Style;
  Style style = r.level == LogLevel::error ? Style::bad : r.level == LogLevel::warning ? Style::warn
               : r.level == LogLevel::debug ? Style::dim : Style::none;
  if (r.event != "log" && style == Style::none) style = Style::bold;
  auto head = fmt::format("{:<19} {:<7} {:<9}", r.time ? local_time(*r.time) : "-", ts::to_string(r.level), ts::to_string(r.category));
  std::string peer;
  if (!r.peer.empty()) peer = fmt::format("[{}] ", meshops::cli::terminal_safe(r.peer));
  return fmt::format("{} {}{}\n", meshops::cli::paint(head, style, out.color), peer,
                     meshops::cli::paint(meshops::cli::terminal_safe(r.message), r.event != "log" ? style : Style::none, out.color));
}

} // namespace ts_monitor_logs
