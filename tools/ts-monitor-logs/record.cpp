#include "record.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/sys/text.hpp"
#include "meshops/tailscale/status.hpp"

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

Record log_record(std::optional<TimePoint> t, std::string source, std::string_view text, int verbosity, const ts::PeerIndex& index) {
  auto c = ts::classify_log_line(text, verbosity);
  Record r;
  r.time = t;
  r.source = std::move(source);
  r.category = c.category;
  r.level = c.level;
  r.peer = index.find(c.message);
  r.message = std::move(c.message);
  return r;
}

Record event_record(std::optional<TimePoint> t, std::string source, const ts::DerivedEvent& e) {
  Record r;
  r.time = t;
  r.source = std::move(source);
  r.event = e.kind;
  r.peer = e.peer;
  r.message = e.message;
  r.from = e.from;
  r.to = e.to;
  if (e.kind == "peer_online" || e.kind == "peer_offline") r.category = LogCategory::peers;
  else if (e.kind == "path_changed") r.category = LogCategory::magicsock;
  else if (e.kind.rfind("derp_", 0) == 0) r.category = LogCategory::derp;
  else if (e.kind.rfind("control_", 0) == 0) r.category = LogCategory::control;
  else if (e.kind.rfind("health", 0) == 0) r.category = LogCategory::health;
  else r.category = LogCategory::state;
  r.level = e.kind == "peer_offline" || e.kind == "health_warning" || e.kind == "daemon_lost" || e.kind == "derp_disconnected" ||
                    e.kind == "control_disconnected"
                ? LogLevel::warning
                : LogLevel::info;
  if (e.kind == "exit_node_changed") r.peer = e.to.empty() ? e.from : e.to;
  return r;
}

bool keep(const Record& r, const Filters& f) {
  if (!f.categories.empty() && !f.categories.count(r.category)) return false;
  if (r.level < f.min_level) return false;
  if (!f.peer.empty() && meshops::sys::lower(r.peer) != meshops::sys::lower(f.peer)) return false;
  if (f.since && r.time && *r.time < *f.since) return false;
  if (f.grep && !std::regex_search(r.message, *f.grep)) return false;
  return true;
}

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
