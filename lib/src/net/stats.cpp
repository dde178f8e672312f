#include "meshops/net/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace meshops::net {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) throw std::invalid_argument("percentile of an empty set");
  if (!(p >= 0 && p <= 100)) throw std::invalid_argument("percentile outside 0..100");
  std::sort(values.begin(), values.end());
  double rank = p / 100 * static_cast<double>(values.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(rank));
  auto hi = std::min(lo + 1, values.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return values[lo] + (values[hi] - values[lo]) * frac;
}

LatencyStats summarize(const std::vector<std::optional<double>>& rtts_ms) {
  LatencyStats s;
  s.sent = rtts_ms.size();
  std::vector<double> got;
  for (const auto& r : rtts_ms)
    if (r) got.push_back(*r);
  s.received = got.size();
  s.loss_pct = s.sent ? 100.0 * static_cast<double>(s.sent - s.received) / static_cast<double>(s.sent) : 0;
  if (got.empty()) return s;
  auto [mn, mx] = std::minmax_element(got.begin(), got.end());
  s.min_ms = *mn;
  s.max_ms = *mx;
  s.avg_ms = std::accumulate(got.begin(), got.end(), 0.0) / static_cast<double>(got.size());
  s.p50_ms = percentile(got, 50);
  s.p95_ms = percentile(got, 95);
  s.p99_ms = percentile(got, 99);
  if (got.size() >= 2) {
    double sum = 0;
    for (std::size_t i = 1; i < got.size(); ++i) sum += std::fabs(got[i] - got[i - 1]);
    s.jitter_ms = sum / static_cast<double>(got.size() - 1);
  }
  return s;
}

} // namespace meshops::net
