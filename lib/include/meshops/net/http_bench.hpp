#pragma once
// An HTTP load generator on libcurl's multi interface: a fixed number of requests over a
// fixed number of concurrent connections (each reused, keep-alive), timing every request.
#include "meshops/net/stats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace meshops::net {

struct HttpBenchOptions {
  std::string url;
  int requests = 100;    ///< in all
  int concurrency = 10;  ///< requests in flight at once (one connection each)
  std::chrono::milliseconds timeout{5000};  ///< per request
  /// Verify the server's certificate. Off by default: a benchmark measures the proxy, and a
  /// test or staging proxy is often self-signed.
  bool verify_tls = false;
  /// Called about every 250 ms with the requests completed so far. Optional.
  std::function<void(int)> on_progress;
};

struct HttpBenchResult {
  int requests = 0;        ///< completed, with or without an HTTP response
  int failed = 0;          ///< no HTTP response (connect error, timeout, ...)
  double elapsed_ms = 0;   ///< first request sent to last completed
  double requests_per_s = 0;
  std::uint64_t bytes = 0; ///< response bodies received
  std::vector<double> latencies_ms;  ///< of requests that got a response, in completion order
  LatencyStats latency;              ///< of those
  std::map<long, int> status_counts;         ///< HTTP status -> requests
  std::map<std::string, int> error_counts;   ///< curl's error message -> requests
};

/// Runs the benchmark. Throws meshops::Error (Exit::usage) for a bad URL or counts.
HttpBenchResult run_http_bench(const HttpBenchOptions& opts);

} // namespace meshops::net
