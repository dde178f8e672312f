// tailscaled's /ping reply (PingResult). Seeds: tests/fixtures/tailscale/ping-*.json.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/ping.hpp"

#include <stdexcept>

MESHOPS_FUZZ_TARGET(tailscale_ping) {
  try {
    (void)meshops::tailscale::parse_ping_result(meshops_fuzz::text(data, size));
  } catch (const std::runtime_error&) {
  }
  return 0;
}
