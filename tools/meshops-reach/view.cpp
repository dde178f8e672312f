#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace meshops_reach {
namespace {

using meshops::checks::reach::Layer;
using meshops::checks::reach::LayerVerdict;
using meshops::checks::reach::Report;
namespace cli = meshops::cli;

cli::Style style_of(LayerVerdict v) {
  switch (v) {
  case LayerVerdict::pass: return cli::Style::good;
  case LayerVerdict::warn: return cli::Style::warn;
  case LayerVerdict::block: return cli::Style::bad;
  case LayerVerdict::unknown: return cli::Style::warn;
  case LayerVerdict::skipped: return cli::Style::dim;
  }
  return cli::Style::none;
}

const char* target_kind(const Report& r) {
  switch (r.target.kind) {
  case meshops::checks::reach::Target::Kind::service: return "service";
  case meshops::checks::reach::Target::Kind::url: return "url";
  case meshops::checks::reach::Target::Kind::port: return "port";
  }
  return "port";
}

// The matrix cell word: what the walk concluded for one pair.
std::string cell_word(const Report& r) {
  if (const Layer* b = r.blocked_at()) return "blocked: " + b->name;
  switch (r.state) {
  case meshops::Exit::ok: return "reachable";
  case meshops::Exit::warning: return "reachable (warning)";
  default: return "unknown";
  }
}

} // namespace

std::string to_text(const Report& r, const cli::Output& out, bool verbose) {
  // Table cells are escaped by Table::add_row; only text outside the table is escaped here.
  cli::Table t({{"LAYER"}, {"VERDICT"}, {"EVIDENCE", cli::Align::left, true}});
  for (const auto& l : r.layers) {
    t.add_row({l.name, cli::Cell(meshops::checks::reach::to_string(l.verdict), style_of(l.verdict)), l.summary});
    if (verbose)
      for (const auto& [k, v] : l.evidence) t.add_row({"", "", fmt::format("{}: {}", k, v)});
  }
  std::string s = fmt::format("{} -> {} ({}:{} {}/{})\n", cli::terminal_safe(r.source.text), cli::terminal_safe(r.target.text),
                              cli::terminal_safe(r.destination), r.target.port, cli::terminal_safe(r.target.proto), r.target.port);
  s += t.render(out);
  s += cli::terminal_safe(r.conclusion) + "\n";
  if (!r.change.empty()) s += "change: " + cli::terminal_safe(r.change) + "\n";
  return s;
}

nlohmann::ordered_json to_json(const Report& r) {
  nlohmann::ordered_json j;
  j["schema"] = "meshops/meshops-reach/1";
  j["status"] = meshops::exit_name(r.state);
  j["source"] = {{"text", r.source.text}, {"address", r.source.address}, {"iif", r.source.iif},
                 {"peer", r.source.peer ? nlohmann::ordered_json(r.source.peer->name()) : nlohmann::ordered_json()}};
  j["target"] = {{"text", r.target.text}, {"kind", target_kind(r)}, {"service", r.target.service}, {"host", r.target.host},
                 {"path", r.target.path}, {"proto", r.target.proto}, {"port", r.target.port}, {"destination", r.destination}};
  auto layers = nlohmann::ordered_json::array();
  for (const auto& l : r.layers) {
    nlohmann::ordered_json e = nlohmann::ordered_json::array();
    for (const auto& [k, v] : l.evidence) e.push_back({{"key", k}, {"value", v}});
    layers.push_back({{"name", l.name}, {"verdict", meshops::checks::reach::to_string(l.verdict)}, {"summary", l.summary},
                      {"evidence", e}, {"change", l.change}});
  }
  j["layers"] = layers;
  const Layer* b = r.blocked_at();
  j["blocked_at"] = b ? nlohmann::ordered_json(b->name) : nlohmann::ordered_json();
  j["conclusion"] = r.conclusion;
  j["change"] = r.change;
  return j;
}

std::string to_text(const std::vector<Report>& reports, const cli::Output& out) {
  std::vector<std::string> targets;
  std::map<std::string, std::map<std::string, const Report*>> cells;
  std::vector<std::string> sources;
  for (const auto& r : reports) {
    if (std::find(targets.begin(), targets.end(), r.target.text) == targets.end()) targets.push_back(r.target.text);
    if (!cells.count(r.source.text)) sources.push_back(r.source.text);
    cells[r.source.text][r.target.text] = &r;
  }
  std::vector<cli::Column> cols{{"SRC"}};
  for (const auto& t : targets) cols.push_back({cli::terminal_safe(t)});
  cli::Table table(cols);
  for (const auto& s : sources) {
    std::vector<cli::Cell> row{s};
    for (const auto& t : targets) {
      const Report* r = cells[s][t];
      cli::Style st = r->state == meshops::Exit::ok ? cli::Style::good : r->state == meshops::Exit::critical ? cli::Style::bad : cli::Style::warn;
      row.emplace_back(cell_word(*r), st);
    }
    table.add_row(row);
  }
  return table.render(out);
}

nlohmann::ordered_json to_json(const std::vector<Report>& reports, meshops::Exit state) {
  nlohmann::ordered_json j;
  j["schema"] = "meshops/meshops-reach/1";
  j["status"] = meshops::exit_name(state);
  auto pairs = nlohmann::ordered_json::array();
  for (const auto& r : reports) pairs.push_back(to_json(r));
  j["pairs"] = pairs;
  return j;
}

std::string to_text(const std::vector<meshops::checks::reach::PolicyTestResult>& results, meshops::Exit state,
                        const cli::Output& out) {
  cli::Table t({{"LINE", cli::Align::right}, {"SRC"}, {"EXPECT"}, {"DST"}, {"RESULT"}, {"WHY", cli::Align::left, true}});
  int failed = 0, passed = 0;
  for (const auto& r : results) {
    const char* word = r.verdict == LayerVerdict::pass ? "ok" : r.verdict == LayerVerdict::block ? "FAILED" : "skipped";
    failed += r.verdict == LayerVerdict::block;
    passed += r.verdict == LayerVerdict::pass;
    t.add_row({std::to_string(r.line), r.src, r.expect, r.dst, cli::Cell(word, style_of(r.verdict)), r.reason});
  }
  return t.render(out) + fmt::format("{}: {} as expected, {} failed, {} skipped\n", meshops::exit_name(state), passed, failed,
                                     results.size() - static_cast<std::size_t>(passed + failed));
}

nlohmann::ordered_json to_json(const std::vector<meshops::checks::reach::PolicyTestResult>& results, meshops::Exit state,
                                   const std::string& file) {
  nlohmann::ordered_json j;
  j["schema"] = "meshops/meshops-reach/1";
  j["status"] = meshops::exit_name(state);
  j["policy"] = file;
  auto arr = nlohmann::ordered_json::array();
  for (const auto& r : results)
    arr.push_back({{"line", r.line}, {"src", r.src}, {"source_ip", r.source_ip}, {"expect", r.expect}, {"dst", r.dst},
                   {"verdict", meshops::checks::reach::to_string(r.verdict)}, {"reason", r.reason}});
  j["tests"] = arr;
  return j;
}

std::string to_text(const std::vector<meshops::checks::reach::IntentFinding>& findings, const std::vector<Report>& reports,
                       meshops::Exit state, const cli::Output& out) {
  std::string s = to_text(reports, out);
  for (const auto& f : findings) s += fmt::format("{}: {}\n", meshops::exit_name(f.severity), cli::terminal_safe(f.what));
  s += fmt::format("{}: {} findings over {} pairs\n", meshops::exit_name(state), findings.size(), reports.size());
  return s;
}

nlohmann::ordered_json to_json(const std::vector<meshops::checks::reach::IntentFinding>& findings,
                                  const std::vector<Report>& reports, meshops::Exit state) {
  nlohmann::ordered_json j = to_json(reports, state);
  auto arr = nlohmann::ordered_json::array();
  for (const auto& f : findings)
    arr.push_back({{"source", f.source}, {"service", f.service}, {"severity", meshops::exit_name(f.severity)}, {"what", f.what}});
  j["findings"] = arr;
  return j;
}

meshops::checks::Verdict to_verdict(const std::vector<meshops::checks::reach::IntentFinding>& findings) {
  meshops::checks::Verdict out;
  for (auto sev : {meshops::Exit::critical, meshops::Exit::unknown, meshops::Exit::warning})
    for (const auto& f : findings)
      if (f.severity == sev) out.add(sev, f.what);
  return out;
}

std::string ok_text(const std::vector<Report>& reports) {
  return fmt::format("{} pairs agree with allowFrom", reports.size());
}

std::vector<cli::Metric> to_prom(const std::vector<meshops::checks::reach::IntentFinding>& findings,
                                       const std::vector<Report>& reports) {
  cli::Metric m{"meshops_reach_check_findings", "Disagreements between allowFrom and the walk, by severity", "gauge", {}};
  for (auto sev : {meshops::Exit::warning, meshops::Exit::critical, meshops::Exit::unknown}) {
    double n = 0;
    for (const auto& f : findings) n += f.severity == sev;
    m.samples.push_back({{{"severity", meshops::exit_name(sev)}}, n});
  }
  cli::Metric r{"meshops_reach_pair_reachable", "1 when the walk finds the peer reaches the service, 0 when blocked", "gauge", {}};
  for (const auto& rep : reports)
    if (rep.state != meshops::Exit::unknown)
      r.samples.push_back({{{"source", rep.source.text}, {"service", rep.target.service}}, rep.state == meshops::Exit::critical ? 0.0 : 1.0});
  return {m, r};
}

} // namespace meshops_reach
