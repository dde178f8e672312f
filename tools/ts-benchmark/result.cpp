#include "result.hpp"

namespace ts_benchmark {

bool measured(const Result& r) { return !r.http || r.http->answered > 0; }

meshops::Exit exit_code(const Result& r) {
  if (!measured(r)) return meshops::Exit::critical;
  if (r.http) {
    bool bad = r.http->failed > 0;
    for (const auto& [code, n] : r.http->status_counts) bad |= code >= 500;
    if (bad) return meshops::Exit::warning;
  }
  return meshops::Exit::ok;
}

} // namespace ts_benchmark
