#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>

namespace ts_benchmark {
namespace {

using json = nlohmann::ordered_json;
using meshops::sys::or_null;

json transfer_json(const std::optional<meshops::net::TransferResult>& t) {
  if (!t) return nullptr;
  return {{"mbit_s", t->mbit_s}, {"bytes", t->bytes}, {"elapsed_ms", t->seconds * 1000}, {"retransmits", t->retransmits}};
}

json latency_json(const meshops::net::LatencyStats& s) {
  return {{"samples", s.sent}, {"lost", s.sent - s.received},
          {"min_ms", or_null(s.min_ms)}, {"avg_ms", or_null(s.avg_ms)},
          {"p50_ms", or_null(s.p50_ms)}, {"p95_ms", or_null(s.p95_ms)},
          {"p99_ms", or_null(s.p99_ms)}, {"max_ms", or_null(s.max_ms)},
          {"jitter_ms", or_null(s.jitter_ms)}};
}

json bloat(const meshops::net::LatencyStats& idle, const meshops::net::LatencyStats& loaded) {
  if (!idle.p50_ms || !loaded.p50_ms) return nullptr;
  return *loaded.p50_ms - *idle.p50_ms;
}

std::string mbit(double v) { return fmt::format("{:.1f}", v); }

} // namespace

json to_json(const Result& r, const std::string& generated_at) {
  json doc{{"schema", "meshops/ts-benchmark/1"}, {"generated_at", generated_at}, {"kind", r.kind}, {"target", r.target}};
  if (r.tcp) {
    doc["address"] = r.address;
    doc["port"] = r.port;
    doc["streams"] = r.streams;
    doc["duration_ms"] = r.duration_ms;
    doc["upload"] = transfer_json(r.tcp->upload);
    doc["download"] = transfer_json(r.tcp->download);
    if (r.kind == "tcp") {
      const auto& t = *r.tcp;
      doc["latency"] = {{"idle", latency_json(t.idle.stats)},
                        {"under_upload", t.upload ? latency_json(t.under_upload.stats) : json(nullptr)},
                        {"under_download", t.download ? latency_json(t.under_download.stats) : json(nullptr)}};
      doc["bufferbloat_ms"] = {{"upload", t.upload ? bloat(t.idle.stats, t.under_upload.stats) : json(nullptr)},
                               {"download", t.download ? bloat(t.idle.stats, t.under_download.stats) : json(nullptr)}};
    } else {
      doc["latency"] = nullptr;
      doc["bufferbloat_ms"] = nullptr;
    }
  }
  if (r.http) {
    const auto& h = *r.http;
    json status = json::object();
    for (const auto& [code, n] : h.status_counts) status[std::to_string(code)] = n;
    json errors = json::object();
    for (const auto& [msg, n] : h.error_counts) errors[msg] = n;
    doc["http"] = {{"url", r.target},
                   {"requests", h.requests},
                   {"concurrency", r.concurrency},
                   {"answered", h.answered},
                   {"failed", h.failed},
                   {"elapsed_ms", h.elapsed_ms},
                   {"requests_per_s", or_null(h.requests_per_s)},
                   {"bytes", h.bytes},
                   {"latency", latency_json(h.latency)},
                   {"status_counts", status},
                   {"errors", errors}};
  }
  return doc;
}

json to_json(const Comparison& c) {
  json changes = json::array();
  for (const auto& ch : c.changes)
    changes.push_back({{"metric", ch.metric}, {"previous", ch.previous}, {"current", ch.current}, {"change_pct", ch.change_pct}});
  return {{"previous_at", c.previous_at}, {"changes", changes}};
}

std::string to_text(const Result& r, const std::optional<Comparison>& c, const meshops::cli::Output& out) {
  using meshops::cli::Align;
  using meshops::cli::human_ms;
  using meshops::cli::terminal_safe;
  auto ms = [](const std::optional<double>& v) { return v ? human_ms(*v) : std::string("-"); };
  std::string text;
  if (r.tcp) {
    const auto& t = *r.tcp;
    text += fmt::format("{} {} ({}:{}), {} stream{}, {:g} s each way{}\n\n", r.kind == "iperf3" ? "iperf3 to" : "TCP to",
                        terminal_safe(r.target), r.address, r.port, r.streams, r.streams == 1 ? "" : "s", r.duration_ms / 1000,
                        r.kind == "iperf3" ? "" : "");
    meshops::cli::Table tab({{"DIRECTION"},
                             {"MBIT/S", Align::right},
                             {"BYTES", Align::right},
                             {"RETRANSMITS", Align::right},
                             {"RTT P50", Align::right},
                             {"RTT P99", Align::right}});
    bool ours = r.kind == "tcp";
    if (ours) tab.add_row({"idle", "-", "-", "-", ms(t.idle.stats.p50_ms), ms(t.idle.stats.p99_ms)});
    auto row = [&](const char* name, const std::optional<meshops::net::TransferResult>& x, const meshops::net::LatencyPhase& lat) {
      if (!x) return;
      tab.add_row({name, mbit(x->mbit_s), meshops::cli::human_bytes(x->bytes), std::to_string(x->retransmits),
                   ours ? ms(lat.stats.p50_ms) : "-", ours ? ms(lat.stats.p99_ms) : "-"});
    };
    row("upload", t.upload, t.under_upload);
    row("download", t.download, t.under_download);
    text += tab.render(out);
    if (ours && t.idle.stats.p50_ms) {
      std::vector<std::string> parts;
      if (t.upload && t.under_upload.stats.p50_ms)
        parts.push_back(fmt::format("{:+.2f} ms under upload", *t.under_upload.stats.p50_ms - *t.idle.stats.p50_ms));
      if (t.download && t.under_download.stats.p50_ms)
        parts.push_back(fmt::format("{:+.2f} ms under download", *t.under_download.stats.p50_ms - *t.idle.stats.p50_ms));
      if (!parts.empty()) text += fmt::format("\nBufferbloat (RTT p50 over idle): {}.\n", fmt::join(parts, ", "));
    }
  }
  if (r.http) {
    const auto& h = *r.http;
    auto plural = [](int n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); };
    text += fmt::format("{}: {}, {} concurrent, in {}: ", terminal_safe(r.target), plural(h.requests, "request"),
                        r.concurrency, human_ms(h.elapsed_ms));
    if (h.requests_per_s)
      text += fmt::format("{} answered, {} failed: {:.1f} requests/s\n", h.answered, h.failed, *h.requests_per_s);
    else
      text += fmt::format("every request failed, no result\n");
    const auto& l = h.latency;
    text += fmt::format("Latency:  min {}  avg {}  p50 {}  p95 {}  p99 {}  max {}\n", ms(l.min_ms), ms(l.avg_ms), ms(l.p50_ms),
                        ms(l.p95_ms), ms(l.p99_ms), ms(l.max_ms));
    std::vector<std::string> st;
    for (const auto& [code, n] : h.status_counts) st.push_back(fmt::format("{} x{}", code, n));
    text += fmt::format("Status:   {}\n", st.empty() ? "none" : fmt::format("{}", fmt::join(st, ", ")));
    for (const auto& [msg, n] : h.error_counts) text += fmt::format("Error:    {} x{}\n", terminal_safe(msg), n);
  }
  if (c) {
    text += fmt::format("\nCompared with the run of {}:\n", terminal_safe(c->previous_at));
    for (const auto& ch : c->changes)
      text += fmt::format("  {:<30} {:>10.4g} -> {:<10.4g} ({:+.1f}%)\n", ch.metric, ch.previous, ch.current, ch.change_pct);
  }
  return text;
}

} // namespace ts_benchmark
