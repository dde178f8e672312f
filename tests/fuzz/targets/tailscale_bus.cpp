// The IPN bus stream: the line splitter over stream bytes (cut where the first byte says) and
// each ipn.Notify line. Seeds: tests/fixtures/tailscale-logs/ipn-bus.ndjson.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/bus.hpp"

#include <stdexcept>
#include <string>
#include <vector>

using namespace meshops::tailscale;

MESHOPS_FUZZ_TARGET(tailscale_bus) {
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 97;
  auto text = meshops_fuzz::text(data + 1, size - 1);
  LineSplitter whole, pieces;
  std::vector<std::string> a, b;
  whole.feed(text, [&](std::string_view line) { a.emplace_back(line); });
  for (std::size_t i = 0; i < text.size(); i += step)
    pieces.feed(text.substr(i, step), [&](std::string_view line) { b.emplace_back(line); });
  MESHOPS_FUZZ_CHECK(a == b);
  MESHOPS_FUZZ_CHECK(whole.pending() == pieces.pending());
  for (const auto& line : a) {
    try {
      (void)parse_notify(line);
    } catch (const std::runtime_error&) {
    }
  }
  (void)backend_state_name(static_cast<std::int64_t>(size) - 3);
  return 0;
}
