#pragma once
// Latency statistics of a series of probes: min/avg/max, percentiles, jitter and loss. Pure.
#include <cstddef>
#include <optional>
#include <vector>

namespace meshops::net {

struct LatencyStats {
  std::size_t sent = 0;      ///< probes in the series
  std::size_t received = 0;  ///< probes that got a reply
  double loss_pct = 0;       ///< 100 * (sent - received) / sent; 0 for an empty series
  // The rest are nullopt when nothing was received (jitter: fewer than two replies).
  std::optional<double> min_ms, avg_ms, max_ms, p50_ms, p95_ms, p99_ms;
  /// Mean absolute difference of consecutive round trips, in the order sent, lost probes
  /// skipped (RFC 3550's idea without its smoothing: every pair weighs the same).
  std::optional<double> jitter_ms;
};

/// The p-th percentile (0..100) of values, interpolating linearly between the two nearest
/// ranks (p50 of {1,2,3,4} is 2.5). Throws std::invalid_argument for an empty set or p
/// outside 0..100.
double percentile(std::vector<double> values, double p);

/// Summarises a series: one entry per probe in the order sent, the round trip in ms or
/// nullopt for a probe that got no reply.
LatencyStats summarize(const std::vector<std::optional<double>>& rtts_ms);

} // namespace meshops::net
