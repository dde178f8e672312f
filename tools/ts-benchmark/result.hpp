#pragma once
// One ts-benchmark result: what was measured and how, its JSON (meshops/ts-benchmark/1),
// text and the comparison with an earlier run from the --history file.
#include "meshops/cli/output.hpp"
#include "meshops/net/http_bench.hpp"
#include "meshops/net/throughput.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ts_benchmark {

struct Result {
  std::string kind;     ///< "tcp" (our engine), "iperf3", "http"
  std::string target;   ///< the peer as given, or the URL
  std::string address;  ///< the IP connected to (tcp, iperf3)
  int port = 0;
  int streams = 1;
  double duration_ms = 0;  ///< per direction
  std::optional<meshops::net::ThroughputResult> tcp;  ///< tcp and iperf3 (no latency with iperf3)
  std::optional<meshops::net::HttpBenchResult> http;
  int concurrency = 0;
};

/// One metric's change against the previous run.
struct Change {
  std::string metric;  ///< e.g. "upload.mbit_s", "http.latency.p50_ms"
  double previous = 0, current = 0;
  double change_pct = 0;  ///< (current - previous) / previous * 100
};

struct Comparison {
  std::string previous_at;  ///< generated_at of the previous run
  std::vector<Change> changes;
};

/// The result as JSON, schema first; generated_at is the time given.
nlohmann::ordered_json to_json(const Result& r, const std::string& generated_at);

/// Compares doc (to_json of this run) with the last line of history_text that has the same
/// kind and target; nullopt when there is none. Lines that are not JSON are skipped (a
/// truncated last line after a crash must not stop the comparison).
std::optional<Comparison> compare(const nlohmann::ordered_json& doc, const std::string& history_text);

/// The comparison as JSON: {previous_at, changes: [{metric, previous, current, change_pct}]}.
nlohmann::ordered_json to_json(const Comparison& c);

/// The human view.
std::string to_text(const Result& r, const std::optional<Comparison>& c, const meshops::cli::Output& out);

} // namespace ts_benchmark
