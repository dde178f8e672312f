#include "meshops/cli/prom.hpp"

#include <fmt/format.h>

#include <cmath>

namespace meshops::cli {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
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
      out += m.name;
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
