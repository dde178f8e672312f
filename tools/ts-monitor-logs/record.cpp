#include "record.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/tailscale/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>

namespace ts_monitor_logs {
namespace ts = meshops::tailscale;

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string local_time(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string rfc3339_ms(TimePoint t) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
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
  if (!f.peer.empty() && lower(r.peer) != lower(f.peer)) return false;
  if (f.since && r.time && *r.time < *f.since) return false;
  if (f.grep && !std::regex_search(r.message, *f.grep)) return false;
  return true;
}

std::optional<TimePoint> parse_since(const std::string& s, TimePoint now) {
  if (s.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    double n = std::stod(s, &used);
    if (used + 1 == s.size() && n >= 0) {
      double unit = 0;
      switch (s.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: break;
      }
      if (unit > 0)
        return now - std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(n * unit));
    }
  } catch (const std::exception&) {
  }
  return ts::parse_time(s);
}

nlohmann::ordered_json to_json(const Record& r) {
  nlohmann::ordered_json j{{"ts", r.time ? nlohmann::ordered_json(rfc3339_ms(*r.time)) : nlohmann::ordered_json(nullptr)}, {"event", r.event}, {"source", r.source},
                           {"category", ts::to_string(r.category)}, {"level", ts::to_string(r.level)},
                           {"peer", r.peer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.peer)},
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
