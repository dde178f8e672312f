#include "meshops/cli/plugin.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <vector>

namespace meshops::cli {
namespace {

/// Text for a plugin line: escaped like a terminal's, '|' (the perfdata separator, also in the
/// details: Icinga reads perfdata from any line after one) written as '/'.
std::string plugin_safe(std::string_view s) {
  std::string out = terminal_safe(s);
  for (char& c : out)
    if (c == '|') c = '/';
  return out;
}

/// A label: no '=' (it ends one), a quote doubled (the guidelines' escape), always quoted.
std::string quote_label(std::string_view s) {
  std::string out = "'";
  for (char c : plugin_safe(s)) {
    if (c == '=') out += '_';
    else if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

/// A number as the guidelines write it: decimal, no exponent, at most 9 places.
std::string decimal(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  std::string s = fmt::format("{:.9f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

struct Unit {
  std::string_view suffix;  ///< removed from the name
  std::string_view uom;
  double scale;
};

Unit unit_of(std::string_view name, std::string_view type) {
  if (name.ends_with("_timestamp_seconds")) return {"", "", 1};  // a point in time, not a duration
  if (name.ends_with("_seconds")) return {"_seconds", "s", 1};
  if (name.ends_with("_bytes_total")) return {"_bytes_total", "c", 1};
  if (name.ends_with("_bytes")) return {"_bytes", "B", 1};
  if (name.ends_with("_ratio")) return {"_ratio", "%", 100};
  if (type == "counter") return {name.ends_with("_total") ? "_total" : "", "c", 1};
  return {"", "", 1};
}

std::string optional_number(const std::optional<double>& v, double scale) {
  return v ? decimal(*v * scale) : std::string();
}

} // namespace

std::string plugin_perfdata(std::string_view tool, const std::vector<Metric>& metrics) {
  const std::string prefix = metric_prefix(tool) + "_";
  std::string out;
  for (const auto& m : metrics) {
    if (m.type == "summary" || m.name.ends_with("_info")) continue;
    const Unit u = unit_of(m.name, m.type);
    std::string_view name = m.name;
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
    name.remove_suffix(u.suffix.size());
    // Sizes, durations, shares and counters are never negative; a share is at most 100 %.
    const bool non_negative = !u.uom.empty();
    const std::string min = non_negative ? "0" : "";
    const std::string max = u.uom == "%" ? "100" : "";
    for (const auto& s : m.samples) {
      if (!std::isfinite(s.value)) continue;
      std::string label;
      for (const auto& [key, value] : s.labels) label += value + " ";
      label += name;
      // VALUE[UOM];WARN;CRIT;MIN;MAX, trailing empty fields left out (the guidelines allow it).
      std::vector<std::string> fields{decimal(s.value * u.scale) + std::string(u.uom),
                                      optional_number(m.warn, u.scale), optional_number(m.crit, u.scale), min, max};
      while (fields.back().empty()) fields.pop_back();
      if (!out.empty()) out += ' ';
      out += quote_label(label) + '=' + fields.front();
      for (std::size_t i = 1; i < fields.size(); ++i) out += ';' + fields[i];
    }
  }
  return out;
}

std::string render_plugin(std::string_view tool, const checks::Verdict& verdict, std::string_view ok,
                          const std::vector<Metric>& metrics, std::string_view details) {
  const Exit state = verdict.state;
  const auto& reasons = verdict.reasons;
  const std::string service = sys::upper(tool);
  const char* word = state == Exit::ok ? "OK" : state == Exit::warning ? "WARNING" : state == Exit::critical ? "CRITICAL" : "UNKNOWN";
  std::string text(reasons.empty() ? ok : std::string_view(reasons.front()));
  if (text.empty()) text = exit_name(state);
  std::string out = fmt::format("{} {} - {}", service, word, plugin_safe(text));
  if (reasons.size() > 1) out += fmt::format(" (and {} more)", reasons.size() - 1);
  const std::string perf = plugin_perfdata(tool, metrics);
  if (!perf.empty()) out += " | " + perf;
  out += '\n';
  for (std::size_t i = 1; i < reasons.size(); ++i) out += plugin_safe(reasons[i]) + '\n';
  // The details as printed for a terminal, but with '|' replaced: they are already escaped.
  std::string rest(details);
  for (char& c : rest)
    if (c == '|') c = '/';
  out += rest;
  if (!rest.empty() && rest.back() != '\n') out += '\n';
  return out;
}

} // namespace meshops::cli
