#include "view.hpp"

#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>

namespace nginx_test {
namespace {

using namespace meshops::nginx;
namespace cli = meshops::cli;

using json = nlohmann::ordered_json;
using meshops::Exit;

cli::Style style_of(Exit s) {
  return s == Exit::ok ? cli::Style::good : s == Exit::warning ? cli::Style::warn : cli::Style::bad;
}

cli::Style style_of(Level l) {
  return is_failure(l) ? cli::Style::bad : l == Level::warn ? cli::Style::warn : cli::Style::dim;
}

json place_or_null(const std::optional<Place>& p, bool line) {
  if (!p) return nullptr;
  return line ? json(p->line) : json(p->file);
}

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

} // namespace

json to_json(const Report& r) {
  json diags = json::array();
  for (const auto& d : r.run.diagnostics)
    diags.push_back({{"level", level_name(d.level)},
                     {"message", d.message},
                     {"file", meshops::sys::or_null(d.file)},
                     {"line", meshops::sys::or_null(d.line)}});
  json skipped = json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"group", s.group}, {"reason", s.reason}});
  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"name", c.name},
                      {"kind", c.kind},
                      {"status", meshops::exit_name(c.status)},
                      {"reason", c.reason},
                      {"file", place_or_null(c.at, false)},
                      {"line", place_or_null(c.at, true)},
                      {"also_file", place_or_null(c.also_at, false)},
                      {"also_line", place_or_null(c.also_at, true)},
                      {"latency_ms", meshops::sys::or_null(c.latency_ms)}});
  return {{"schema", "meshops/nginx-test/1"},
          {"generated_at", meshops::sys::format_utc(std::chrono::system_clock::now())},
          {"status", meshops::exit_name(r.verdict.state)},
          {"reasons", r.verdict.reasons},
          {"hint", text_or_null(r.verdict.hint)},
          {"problem", text_or_null(r.problem)},
          {"syntax_ok", r.syntax_ok},
          {"config_file", text_or_null(r.config_file)},
          {"candidate", r.candidate},
          {"nginx",
           {{"binary", r.run.binary}, {"argv", r.run.argv}, {"exit_code", r.run.exit_code}, {"elapsed_ms", r.run.elapsed.count()}}},
          {"diagnostics", diags},
          {"skipped", skipped},
          {"checks", checks}};
}

std::string to_text(const Report& r, const cli::Output& out, bool verbose) {
  std::string text;
  cli::Table diags({{"LEVEL"}, {"WHERE"}, {"MESSAGE", cli::Align::left, true}});
  for (const auto& d : r.run.diagnostics) {
    // Below warn only with -v, unless nginx refused: then every line may be the reason.
    if (!verbose && r.syntax_ok && d.level > Level::warn) continue;
    std::string where = d.file ? fmt::format("{}:{}", *d.file, d.line.value_or(0)) : "-";
    diags.add_row({{std::string(level_name(d.level)), style_of(d.level)}, where, d.message});
  }
  std::string verdict = r.syntax_ok ? "syntax ok" : "configuration rejected";
  text += fmt::format("nginx {}: {} ({})\n", r.dumped ? "-T" : "-t", cli::paint(verdict, r.syntax_ok ? cli::Style::good : cli::Style::bad, out.color),
                      cli::human_ms(static_cast<double>(r.run.elapsed.count())));
  if (diags.rows()) text += diags.render(out);
  for (const auto& s : r.skipped) text += fmt::format("{} skipped: {}\n", s.group, s.reason);
  if (r.checks.empty()) return text;
  text += "\n";
  cli::Table checks({{"CHECK", cli::Align::left, true}, {"STATUS"}, {"WHERE"}, {"REASON", cli::Align::left, true}});
  int counts[4] = {0, 0, 0, 0};  // by Exit: ok, warning, critical (a check is never unknown)
  for (const auto& c : r.checks) {
    ++counts[static_cast<int>(c.status)];
    std::string where = c.at ? to_string(*c.at) : "-";
    checks.add_row({c.name, {meshops::exit_name(c.status), style_of(c.status)}, where, c.reason});
  }
  text += checks.render(out);
  if (out.legend)
    text += fmt::format("\n{}: {} ok, {} warning, {} critical.\n", cli::plural(r.checks.size(), "check"), counts[0], counts[1], counts[2]);
  return text;
}

std::vector<cli::Metric> to_prom(const Report& r) {
  std::vector<cli::Metric> m;
  m.push_back({"meshops_nginx_test_syntax_ok", "1 when nginx accepted the configuration", "gauge",
               {{{}, r.syntax_ok ? 1.0 : 0.0}}});
  cli::Metric diags{"meshops_nginx_test_diagnostics", "Lines nginx printed, by level", "gauge", {}};
  for (auto level : {Level::emerg, Level::alert, Level::crit, Level::error, Level::warn, Level::notice}) {
    double n = 0;
    for (const auto& d : r.run.diagnostics) n += d.level == level ? 1 : 0;
    diags.samples.push_back({{{"level", std::string(level_name(level))}}, n});
  }
  m.push_back(diags);
  cli::Metric status{"meshops_nginx_test_check_state", "Check result: 0 ok, 1 warning, 2 critical", "gauge", {}};
  cli::Metric latency{"meshops_nginx_test_check_latency_seconds", "Probe latency of a check", "gauge", {}};
  for (const auto& c : r.checks) {
    std::vector<std::pair<std::string, std::string>> labels{{"check", c.name}, {"kind", c.kind}};
    status.samples.push_back({labels, static_cast<double>(static_cast<int>(c.status))});
    if (c.latency_ms) latency.samples.push_back({labels, *c.latency_ms / 1000.0});
  }
  m.push_back(status);
  m.push_back(latency);
  cli::Metric expiry{"meshops_nginx_test_certificate_expiry_timestamp_seconds",
                     "When a certificate nginx serves expires (notAfter), in seconds since the Unix epoch", "gauge", {}};
  for (const auto& [path, not_after] : r.certificate_expiry)
    expiry.samples.push_back({{{"certificate", path}},
                              static_cast<double>(not_after.unix_seconds())});
  m.push_back(expiry);
  return m;
}

std::string ok_text(const Report& r) {
  return fmt::format("configuration ok, {} checks ok", r.checks.size());
}

} // namespace nginx_test
