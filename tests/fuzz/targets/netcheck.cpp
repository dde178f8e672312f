// `tailscale netcheck --format json` and /localapi/v0/derpmap (ts-quality). Seeds:
// tests/fixtures/tailscale/netcheck-laptop.json, the derpmap captured beside it.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/netcheck.hpp"

#include <stdexcept>

MESHOPS_FUZZ_TARGET(netcheck) {
  auto text = meshops_fuzz::text(data, size);
  std::map<int, meshops::tailscale::DerpRegion> regions;
  try {
    regions = meshops::tailscale::parse_derpmap(text);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)meshops::tailscale::parse_netcheck(text, regions);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
