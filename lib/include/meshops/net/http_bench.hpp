#pragma once
// An HTTP load generator on libcurl's multi interface: a fixed number of requests over a
// fixed number of concurrent connections (each reused, keep-alive), timing every request.
#include "meshops/net/stats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
  std::vector<std::string> headers;  ///< extra request headers, "Name: value" each
  /// curl's --resolve entries, "HOST:PORT:ADDR" each: connect there, keep HOST in Host and SNI
  /// (name-based virtual hosts behind a proxy not yet in DNS).
  std::vector<std::string> resolve;
  /// Called about every 250 ms with the requests completed so far. Optional.
  std::function<void(int)> on_progress;
};

struct HttpBenchResult {
  int requests = 0;        ///< completed, with or without an HTTP response
  int failed = 0;          ///< no HTTP response (connect error, timeout, ...)
  int answered = 0;        ///< got an HTTP response (requests - failed)
  double elapsed_ms = 0;   ///< first request sent to last completed
  /// Answered requests per second; nullopt when none was answered (a run of failures is no
  /// rate of anything).
  std::optional<double> requests_per_s;
  std::uint64_t bytes = 0; ///< response bodies received
  std::vector<double> latencies_ms;  ///< of requests that got a response, in completion order
  LatencyStats latency;              ///< of those
  std::map<long, int> status_counts;         ///< HTTP status -> requests
  std::map<std::string, int> error_counts;   ///< curl's error message -> requests
};

/// Checks a --header ("Name: value", no CR/LF) and a --resolve ("HOST:PORT:ADDR", ADDR an IP,
/// IPv6 in brackets or not); "" when fine, else what is wrong.
std::string header_problem(const std::string& header);
std::string resolve_problem(const std::string& entry);
/// The ADDR of a --resolve entry (IPv6 without brackets); "" when malformed.
std::string resolve_address(const std::string& entry);

/// The host of url as connected to (IPv6 without brackets); "" when url is not a URL.
std::string url_host(const std::string& url);

/// Runs the benchmark. Throws meshops::Error (Exit::usage) for a bad URL, header, resolve
/// entry or counts.
HttpBenchResult run_http_bench(const HttpBenchOptions& opts);

} // namespace meshops::net
