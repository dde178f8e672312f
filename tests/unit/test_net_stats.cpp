#include "meshops/net/stats.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using meshops::net::percentile;
using meshops::net::summarize;

TEST_CASE("percentile interpolates between the nearest ranks", "[net][stats]") {
  CHECK(percentile({1, 2, 3, 4}, 50) == Approx(2.5));
  CHECK(percentile({4, 1, 3, 2}, 0) == Approx(1));
  CHECK(percentile({4, 1, 3, 2}, 100) == Approx(4));
  CHECK(percentile({10}, 95) == Approx(10));
  // 0..100: p95 sits at rank 95.
  std::vector<double> v;
  for (int i = 0; i <= 100; ++i) v.push_back(i);
  CHECK(percentile(v, 95) == Approx(95));
  CHECK(percentile(v, 99) == Approx(99));
  CHECK(percentile({1, 2}, 75) == Approx(1.75));
}

TEST_CASE("percentile refuses an empty set and p outside 0..100", "[net][stats]") {
  CHECK_THROWS_AS(percentile({}, 50), std::invalid_argument);
  CHECK_THROWS_AS(percentile({1}, -1), std::invalid_argument);
  CHECK_THROWS_AS(percentile({1}, 100.5), std::invalid_argument);
}

TEST_CASE("summarize: min/avg/max, percentiles, jitter and loss of a series", "[net][stats]") {
  auto s = summarize({10.0, 20.0, std::nullopt, 15.0, std::nullopt});
  CHECK(s.sent == 5);
  CHECK(s.received == 3);
  CHECK(s.loss_pct == Approx(40));
  CHECK(*s.min_ms == Approx(10));
  CHECK(*s.max_ms == Approx(20));
  CHECK(*s.avg_ms == Approx(15));
  CHECK(*s.p50_ms == Approx(15));
  CHECK(*s.p95_ms == Approx(19.5));
  // Consecutive replies in the order sent, the lost ones skipped: |20-10| and |15-20|.
  CHECK(*s.jitter_ms == Approx(7.5));
}

TEST_CASE("summarize: a steady series has no jitter, one reply no jitter at all", "[net][stats]") {
  auto steady = summarize({5.0, 5.0, 5.0});
  CHECK(*steady.jitter_ms == Approx(0));
  CHECK(steady.loss_pct == 0);
  auto one = summarize({std::nullopt, 7.0});
  CHECK(one.received == 1);
  CHECK_FALSE(one.jitter_ms);
  CHECK(*one.p99_ms == Approx(7));
}

TEST_CASE("summarize: nothing received leaves the latencies unknown, an empty series is no loss", "[net][stats]") {
  auto lost = summarize({std::nullopt, std::nullopt});
  CHECK(lost.loss_pct == Approx(100));
  CHECK_FALSE(lost.min_ms);
  CHECK_FALSE(lost.avg_ms);
  CHECK_FALSE(lost.jitter_ms);
  auto none = summarize({});
  CHECK(none.sent == 0);
  CHECK(none.loss_pct == 0);
  CHECK_FALSE(none.p50_ms);
}
