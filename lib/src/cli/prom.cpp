#include "meshops/cli/prom.hpp"

#include "meshops/cli/escape.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace meshops::cli {
namespace {

// Label values come from the ruleset, peers and logs. The exposition format's own escapes
// (\\, \", \n) first; every other control or hidden character as terminal_safe writes it
// (ESC as \e), its backslash escaped in turn, so no raw control byte reaches a terminal.
std::string escape_label(std::string_view v) {
  std::string out;
  auto safe = [&](std::string_view chunk) {
    for (char c : terminal_safe(chunk)) {
      if (c == '\\') out += '\\';
      out += c;
    }
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    safe(v.substr(start, i - start));
    out += c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n";
    start = i + 1;
  }
  safe(v.substr(start));
  return out;
}

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

} // namespace

std::string render_prom(const std::vector<Metric>& metrics) {
  std::string out;
  for (const auto& m : metrics) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", m.name, escape_help(m.help), m.name, m.type);
    for (const auto& s : m.samples) {
      out += m.name + s.suffix;
      if (!s.labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < s.labels.size(); ++i)
          out += fmt::format("{}{}=\"{}\"", i ? "," : "", s.labels[i].first, escape_label(s.labels[i].second));
        out += '}';
      }
      out += ' ';
      out += number(s.value);
      out += '\n';
    }
  }
  return out;
}

} // namespace meshops::cli

namespace meshops::cli {

std::string metric_prefix(std::string_view tool) {
  if (tool.substr(0, 8) == "meshops-") tool.remove_prefix(8);
  std::string out = "meshops_";
  for (char c : tool) out += c == '-' ? '_' : c;
  return out;
}

double now_unix_s() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000;
}

std::vector<Metric> run_metrics(std::string_view tool, Exit state, bool up, double now_unix_s) {
  const std::string p = metric_prefix(tool);
  return {
      {p + "_state", "The run's result, its exit code: 0 ok, 1 warning, 2 critical, 3 unknown.", "gauge",
       {{{}, static_cast<double>(static_cast<int>(state))}}},
      {p + "_up", "1 when this run measured (the other metrics of this tool are from it), 0 when it failed before.",
       "gauge", {{{}, up ? 1.0 : 0.0}}},
      {p + "_last_run_timestamp_seconds", "When this file was written, in seconds since the Unix epoch.", "gauge",
       {{{}, now_unix_s}}},
  };
}

} // namespace meshops::cli
