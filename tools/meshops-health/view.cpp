#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>


namespace health {
namespace {

using meshops::Exit;
using json = nlohmann::ordered_json;
namespace cli = meshops::cli;

std::string upper(Exit e) { return meshops::sys::upper(meshops::exit_name(e)); }

cli::Style style_of(Exit e) {
  switch (e) {
  case Exit::ok: return cli::Style::good;
  case Exit::warning: return cli::Style::warn;
  case Exit::critical: return cli::Style::bad;
  default: return cli::Style::bold;
  }
}

/// The states not ok, worst first, as the summary counts them.
constexpr Exit kNotOk[] = {Exit::critical, Exit::unknown, Exit::warning};

} // namespace

std::string to_text(const Health& h, const cli::Output& out) {
  std::string text;
  for (const auto& c : h.checks)
    text += fmt::format("{}  {:<10}  {}\n", cli::paint(fmt::format("{:<8}", upper(c.state)), style_of(c.state), out.color), c.name,
                        cli::terminal_safe(c.reason));
  if (!out.legend) return text;
  std::string counts;
  for (auto state : kNotOk) {
    std::size_t n = 0;
    for (const auto& c : h.checks) n += c.state == state;
    if (n) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, meshops::exit_name(state));
  }
  auto summary = counts.empty() ? fmt::format("all {} checks ok", h.checks.size()) : fmt::format("{} of {} checks", counts, h.checks.size());
  return text + fmt::format("{}: {}\n", cli::paint(upper(h.state), style_of(h.state), out.color), summary);
}

json to_json(const Health& h) {
  json checks = json::object();
  for (const auto& c : h.checks)
    checks[c.name] = {{"state", meshops::exit_name(c.state)},
                      {"reason", c.reason},
                      {"exit_code", meshops::sys::or_null(c.exit_code)},
                      {"elapsed_ms", c.elapsed_ms},
                      {"argv", c.argv},
                      {"result", c.result}};
  return {{"schema", "meshops/meshops-health/1"},
          {"generated_at", meshops::sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false)},
          {"status", meshops::exit_name(h.state)},
          {"reasons", to_verdict(h).reasons},
          {"exit_code", static_cast<int>(h.state)},
          {"checks", checks}};
}

std::vector<cli::Metric> to_prom(const Health& h) {
  cli::Metric state{"meshops_health_check_state", "State of each check of meshops-health: 0 ok, 1 warning, 2 critical, 3 unknown",
                    "gauge", {}};
  cli::Metric duration{"meshops_health_check_duration_seconds", "How long each check of meshops-health ran", "gauge", {}};
  for (const auto& c : h.checks) {
    state.samples.push_back({{{"check", c.name}}, static_cast<double>(static_cast<int>(c.state))});
    duration.samples.push_back({{{"check", c.name}}, c.elapsed_ms / 1000});
  }
  std::vector<cli::Metric> out{state, duration};
  for (const auto& c : h.checks) out.insert(out.end(), c.metrics.begin(), c.metrics.end());
  return out;
}

meshops::checks::Verdict to_verdict(const Health& h) {
  meshops::checks::Verdict v{h.state, {}, {}};
  for (auto state : kNotOk)
    for (const auto& c : h.checks)
      if (c.state == state) v.reasons.push_back(fmt::format("{}: {}", c.name, c.reason));
  return v;
}

std::string ok_text(const Health& h) { return fmt::format("all {} checks ok", h.checks.size()); }

} // namespace health
