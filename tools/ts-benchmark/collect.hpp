#pragma once
// ts-benchmark's options and its measurement: serving other nodes, or one run against a peer
// (our engine or iperf3) or an HTTP service.
#include "result.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"

#include <string>
#include <vector>

namespace ts_benchmark {

struct Options {
  std::string peer;  ///< the peer running ts-benchmark --serve (name or IP)
  bool serve = false;
  int port = 5202;
  std::string bind = "0.0.0.0";
  double duration_s = 5;  ///< per direction
  int streams = 1;
  std::string direction = "both";  ///< both, upload, download
  bool iperf3 = false;
  int iperf3_port = 5201;
  std::string url;  ///< --url: benchmark this HTTP(S) service instead of a peer
  std::vector<std::string> headers, resolve;
  int requests = 100;
  int concurrency = 10;
  std::string history, compare;  ///< files
};

/// --serve: answers benchmarks from other nodes until SIGINT or SIGTERM.
void serve(const Options& o);

/// One run against o.peer or o.url; progress on a terminal's stderr. Nothing is sent to a
/// tailnet address unless this namespace routes it through tailscaled's TUN. Throws
/// meshops::Error.
Result collect(const Options& o, const meshops::cli::CommonOptions& common, const meshops::config::Config& cfg);

} // namespace ts_benchmark
