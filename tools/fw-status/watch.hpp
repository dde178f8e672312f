#pragma once
// --watch: zone counters sampled every interval, printed as rates, until SIGINT/SIGTERM or a
// bounded number of samples.
#include "meshops/cli/output.hpp"
#include "meshops/nft/zones.hpp"

#include <functional>

namespace fw_status {

struct WatchOptions {
  double interval_s = 2;
  int count = 0;  ///< samples to print; 0 = until interrupted
};

/// Calls sample() every interval and prints zone counters with their rates since the previous
/// sample (text block or one NDJSON line per sample). Returns when interrupted or after count
/// samples; SIGINT and SIGTERM end it cleanly.
void watch(const WatchOptions& opts, const meshops::cli::Output& out, const std::function<meshops::nft::ZoneReport()>& sample);

} // namespace fw_status
