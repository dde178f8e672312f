// ts-benchmark's history file (one JSON document a line, appended by earlier runs): a line
// that is not JSON or not of this run's kind is skipped, never fatal. Seeds:
// tests/fixtures/tailscale/benchmark.
#include "../fuzz_target.hpp"

#include "history.hpp"
#include "view.hpp"

namespace {

/// The run compared: a TCP run to kernelcore, both ways, latency idle and under upload.
ts_benchmark::Result this_run() {
  ts_benchmark::Result r;
  r.kind = "tcp";
  r.target = "kernelcore";
  meshops::net::ThroughputResult t;
  t.upload = meshops::net::TransferResult{0, 1, 93.5, 3};
  t.download = meshops::net::TransferResult{0, 1, 88.1, 0};
  t.idle.stats.p50_ms = 12.5;
  t.under_upload.stats.p50_ms = 40.1;
  r.tcp = t;
  return r;
}

} // namespace

MESHOPS_FUZZ_TARGET(benchmark_history) {
  static const ts_benchmark::Result run = this_run();
  auto c = ts_benchmark::compare(run, std::string(meshops_fuzz::text(data, size)));
  if (c) (void)ts_benchmark::to_json(*c).dump();
  return 0;
}
