#pragma once
// How the unit tests bound the cost of a hostile input (issue 18's blow-ups): never by an
// absolute time, which a loaded CI machine or a sanitizer build breaks, but by how many times
// longer it takes than a benign anchor of comparable size, both measured here, in the same run.
#include <algorithm>
#include <chrono>

namespace growth {

/// Seconds one call of `work` takes: calls repeated until 5 ms have passed (so a call of a few
/// microseconds is still measured), the best of 3 such rounds.
template <class Work>
double seconds_per_call(Work&& work) {
  using clock = std::chrono::steady_clock;
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    const auto start = clock::now();
    long calls = 0;
    do {
      work();
      ++calls;
    } while (clock::now() - start < std::chrono::milliseconds(5));
    best = std::min(best, std::chrono::duration<double>(clock::now() - start).count() / double(calls));
  }
  return best;
}

/// How many times longer `hostile` takes than `anchor`.
template <class Hostile, class Anchor>
double slowdown(Hostile&& hostile, Anchor&& anchor) {
  return seconds_per_call(hostile) / std::max(seconds_per_call(anchor), 1e-9);
}

} // namespace growth
