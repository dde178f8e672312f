#pragma once
// One ts-benchmark result: what was measured and how, and its comparison with an earlier run
// from the --history file.
#include "meshops/error.hpp"
#include "meshops/net/http_bench.hpp"
#include "meshops/net/throughput.hpp"

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

/// False when nothing was measured: every HTTP request failed (no rate, no history line).
bool measured(const Result& r);

/// Not measured: critical. Some requests failed, or the service answered 5xx: warning.
meshops::Exit exit_code(const Result& r);

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

} // namespace ts_benchmark
