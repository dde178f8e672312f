#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/monitor/state_file.hpp"
#include "meshops/sys/calendar.hpp"

#include <fmt/format.h>

namespace ts_monitor {
namespace {

using meshops::Exit;
using meshops::cli::Style;
namespace mon = meshops::monitor;

Style style_of(const std::string& event, mon::Health health) {
  if (event == "failover" || event == "action_failed") return Style::bad;
  if (event == "restore" || event == "recovered") return Style::good;
  if (event == "unknown" || health != mon::Health::healthy) return Style::warn;
  return Style::none;
}

} // namespace

std::string to_text(const mon::RunnerEvent& r, const meshops::cli::Output& out) {
  const auto& event = r.event.type;
  std::string what = event == "check" ? fmt::format("check {}", mon::to_string(r.event.health)) : event;
  if (r.dry_run) what += " (dry run)";
  // Padded before painting: colour codes must not count as width. 23 = "restore_probe (dry run)".
  auto line = fmt::format("{}  {}  {:<8}  exit node {:<12}  {}", meshops::sys::format_utc(r.at),
                          meshops::cli::paint(fmt::format("{:<23}", what), style_of(event, r.event.health), out.color),
                          mon::to_string(r.mode),
                          meshops::cli::terminal_safe(r.exit_node.empty() ? "none" : r.exit_node),
                          meshops::cli::terminal_safe(r.event.reason));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

Exit status_code(const Status& s) {
  const auto& st = s.state;
  if (!st || !st->last_check || st->last_health == mon::Health::unknown) return Exit::unknown;
  if (st->last_health == mon::Health::failed) return Exit::critical;
  if (st->mode != mon::Mode::primary) return Exit::warning;
  return Exit::ok;
}

nlohmann::ordered_json to_json(const Status& s, std::chrono::system_clock::time_point now) {
  nlohmann::ordered_json j{{"schema", "meshops/ts-monitor/1"},
                           {"generated_at", meshops::sys::format_utc(now, /*with_millis=*/false)},
                           {"state_file", s.path},
                           {"status", meshops::exit_name(status_code(s))}};
  if (s.state) {
    auto doc = mon::state_to_json(*s.state);
    doc.erase("schema");
    j["state"] = doc;
  } else {
    j["state"] = nullptr;
  }
  return j;
}

std::string to_text(const Status& s, const meshops::cli::Output& out) {
  const auto& st = s.state;
  const auto& path = s.path;
  if (!st) return fmt::format("No state at {}: ts-monitor has not run here yet.\n", meshops::cli::terminal_safe(path));
  meshops::cli::Table t({{"MODE"}, {"EXIT NODE"}, {"LAST CHECK"}, {"HEALTH"}, {"FAILED IN A ROW", meshops::cli::Align::right},
                         {"CHECKS", meshops::cli::Align::right}, {"FAILED", meshops::cli::Align::right}, {"REASON", {}, true}});
  auto health = mon::to_string(st->last_health);
  t.add_row({{mon::to_string(st->mode), st->mode == mon::Mode::primary ? Style::good : Style::warn},
             st->exit_node.empty() ? "none" : st->exit_node, st->last_check ? meshops::sys::format_utc(*st->last_check) : "-",
             {health, st->last_health == mon::Health::healthy ? Style::good : Style::bad},
             std::to_string(st->consecutive_failures), std::to_string(st->checks), std::to_string(st->failed_checks),
             st->last_reason.empty() ? "-" : st->last_reason});
  std::string text = t.render(out);
  if (!st->transitions.empty()) {
    meshops::cli::Table tr({{"AT"}, {"FROM"}, {"TO"}, {"REASON", {}, true}});
    for (const auto& x : st->transitions)
      tr.add_row({meshops::sys::format_utc(x.at), fmt::format("{} ({})", mon::to_string(x.from), x.from_exit_node.empty() ? "none" : x.from_exit_node),
                  fmt::format("{} ({})", mon::to_string(x.to), x.to_exit_node.empty() ? "none" : x.to_exit_node), x.reason});
    text += '\n';
    text += tr.render(out);
  }
  if (out.legend) text += fmt::format("\nState file {}.\n", meshops::cli::terminal_safe(path));
  return text;
}

} // namespace ts_monitor
