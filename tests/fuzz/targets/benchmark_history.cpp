// ts-benchmark's history file (one JSON document a line, appended by earlier runs): a line
// that is not JSON or not of this run's kind is skipped, never fatal. Seeds:
// tests/fixtures/tailscale/benchmark.
#include "../fuzz_target.hpp"

#include "result.hpp"

#include <nlohmann/json.hpp>

MESHOPS_FUZZ_TARGET(benchmark_history) {
  static const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(
      R"({"schema":"meshops/ts-benchmark/1","generated_at":"2026-11-25T17:25:44Z","kind":"tcp","target":"kernelcore",)"
      R"("upload":{"mbit_s":93.5,"retransmits":3},"download":{"mbit_s":88.1,"retransmits":0},)"
      R"("latency":{"idle":{"p50_ms":12.5},"under_upload":{"p50_ms":40.1},"under_download":null}})");
  auto c = ts_benchmark::compare(doc, std::string(meshops_fuzz::text(data, size)));
  if (c) (void)ts_benchmark::to_json(*c).dump();
  return 0;
}
