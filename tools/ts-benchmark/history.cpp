#include "history.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/sys/fd.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace ts_benchmark {
namespace {

using Value = std::optional<double>;

/// A compared metric: its dotted path in the document and its value in this run.
struct Metric {
  const char* path;
  Value (*of)(const Result&);
};

Value mbit_s(const std::optional<meshops::net::TransferResult>& t) { return t ? Value(t->mbit_s) : std::nullopt; }
Value retransmits(const std::optional<meshops::net::TransferResult>& t) {
  return t ? Value(static_cast<double>(t->retransmits)) : std::nullopt;
}
/// Our engine's latency phases (iperf3 measures none); a direction not run has none.
const meshops::net::ThroughputResult* ours(const Result& r) { return r.kind == "tcp" && r.tcp ? &*r.tcp : nullptr; }

const Metric kCompared[] = {
    {"upload.mbit_s", [](const Result& r) { return r.tcp ? mbit_s(r.tcp->upload) : std::nullopt; }},
    {"download.mbit_s", [](const Result& r) { return r.tcp ? mbit_s(r.tcp->download) : std::nullopt; }},
    {"upload.retransmits", [](const Result& r) { return r.tcp ? retransmits(r.tcp->upload) : std::nullopt; }},
    {"download.retransmits", [](const Result& r) { return r.tcp ? retransmits(r.tcp->download) : std::nullopt; }},
    {"latency.idle.p50_ms", [](const Result& r) { return ours(r) ? ours(r)->idle.stats.p50_ms : std::nullopt; }},
    {"latency.under_upload.p50_ms",
     [](const Result& r) { return ours(r) && ours(r)->upload ? ours(r)->under_upload.stats.p50_ms : std::nullopt; }},
    {"latency.under_download.p50_ms",
     [](const Result& r) { return ours(r) && ours(r)->download ? ours(r)->under_download.stats.p50_ms : std::nullopt; }},
    {"http.requests_per_s", [](const Result& r) { return r.http ? r.http->requests_per_s : std::nullopt; }},
    {"http.latency.p50_ms", [](const Result& r) { return r.http ? r.http->latency.p50_ms : std::nullopt; }},
    {"http.latency.p99_ms", [](const Result& r) { return r.http ? r.http->latency.p99_ms : std::nullopt; }},
    {"http.failed", [](const Result& r) { return r.http ? Value(r.http->failed) : std::nullopt; }},
};

// A line written by another version, or edited, may hold any type under a key.
const std::string* text_at(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

Value number_at(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* cur = &doc;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (!cur->is_object()) return std::nullopt;
    auto it = cur->find(part);
    if (it == cur->end()) return std::nullopt;
    cur = &*it;
  }
  return cur->is_number() ? Value(cur->get<double>()) : std::nullopt;
}

/// s as the history holds it: a target given on the command line may be any bytes, and the
/// document was written with invalid UTF-8 replaced.
std::string as_written(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::optional<Comparison> compare(const Result& r, const std::string& history_text) {
  const auto target = as_written(r.target);
  std::optional<nlohmann::json> prev;
  std::stringstream lines(history_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = meshops::sys::parse_json(line);
    } catch (const meshops::sys::JsonError&) {
      continue;
    }
    if (!j.is_object()) continue;
    const auto *kind = text_at(j, "kind"), *t = text_at(j, "target");
    if (kind && *kind == r.kind && t && nlohmann::json(*t).dump() == target) prev = std::move(j);
  }
  if (!prev) return std::nullopt;
  Comparison c;
  if (const auto* at = text_at(*prev, "generated_at")) c.previous_at = *at;
  for (const auto& m : kCompared) {
    auto a = number_at(*prev, m.path), b = m.of(r);
    if (!a || !b) continue;
    c.changes.push_back({m.path, *a, *b, *a != 0 ? (*b - *a) / *a * 100 : 0});
  }
  return c;
}

void append_history(const std::string& path, const nlohmann::ordered_json& doc) {
  auto line = meshops::cli::dump_json(doc, /*pretty=*/false) + "\n";
  meshops::sys::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)};
  // One write of the whole line.
  bool ok = fd.valid() && ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (!ok) throw meshops::Error(meshops::Exit::unknown, fmt::format("--history {}: {}", path, std::strerror(errno)));
}

} // namespace ts_benchmark
