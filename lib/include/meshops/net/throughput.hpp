#pragma once
// TCP throughput between two hosts, our own small protocol (so no iperf3 is needed on either
// end): a server (ts-benchmark --serve) and a client that opens one connection per stream.
// Each connection starts with a 16-byte hello naming what it is for:
//   'U' upload:   the client sends for the duration, then shuts down its side; the server
//                 answers bytes received and the time from first byte to EOF.
//   'D' download: the server sends for the duration and closes; it keeps its sockets'
//                 retransmits (TCP_INFO) under the session number for an 'R' to ask.
//   'P' ping:     the server echoes 8-byte messages: round trips idle and under load.
//   'R' result:   the server answers the retransmits of a session's download streams.
// Throughput is measured at the receiver: bytes received / first byte to EOF.
#include "meshops/net/stats.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace meshops::net {

/// One direction of a throughput test.
struct TransferResult {
  std::uint64_t bytes = 0;   ///< received by the receiver, all streams
  double seconds = 0;        ///< the longest stream's first byte to EOF
  double mbit_s = 0;         ///< bytes * 8 / seconds / 1e6
  std::uint64_t retransmits = 0;  ///< TCP segments the sender retransmitted (tcpi_total_retrans)
};

/// Round trips of the echo connection during one phase.
struct LatencyPhase {
  std::vector<std::optional<double>> rtts_ms;
  LatencyStats stats;
};

struct ThroughputOptions {
  std::string host;  ///< numeric IPv4/IPv6 address
  int port = 5202;
  std::chrono::milliseconds duration{5000};  ///< per direction
  int streams = 1;
  std::chrono::milliseconds timeout{5000};   ///< connect, and any one stalled read or write
  std::chrono::milliseconds latency_interval{100};  ///< between echo probes
  std::chrono::milliseconds idle_phase{1000};       ///< echo probes before the load
  bool upload = true, download = true;
  /// Progress: called about every 250 ms with the phase ("idle", "upload", "download") and
  /// the bytes moved so far in it. Optional.
  std::function<void(const std::string&, std::uint64_t)> on_progress;
};

struct ThroughputResult {
  std::optional<TransferResult> upload, download;  ///< client to server, server to client
  LatencyPhase idle, under_upload, under_download;
};

/// Runs the test against a ts-benchmark server. Throws meshops::Error (Exit::unknown) when
/// the server cannot be reached or the exchange breaks ("connect to 100.64.0.1:5202:
/// connection refused (is ts-benchmark --serve running there?)").
ThroughputResult run_throughput(const ThroughputOptions& opts);

/// The server side: accepts on bind_address:port until stop is set (checked every 200 ms),
/// one thread per connection. on_ready is called once listening, with the port (useful with
/// port 0). Throws meshops::Error when it cannot listen.
void serve_throughput(const std::string& bind_address, int port, const std::atomic<bool>& stop,
                      const std::function<void(int)>& on_ready = {});

} // namespace meshops::net
