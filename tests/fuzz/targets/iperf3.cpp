// iperf3 -J reports (ts-benchmark): byte counts and rates in range, else std::runtime_error
// naming the field. Seeds: tests/fixtures/tailscale/benchmark/iperf3-*.json.
#include "../fuzz_target.hpp"

#include "iperf3.hpp"

#include <stdexcept>

MESHOPS_FUZZ_TARGET(iperf3) {
  try {
    auto r = ts_benchmark::parse_iperf3(meshops_fuzz::text(data, size));
    MESHOPS_FUZZ_CHECK(r.seconds >= 0 && r.mbit_s >= 0);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
