// A tailnet policy file (HuJSON: comments and trailing commas) and its tests block, as
// meshops-reach --policy reads it. Seeds: tests/fixtures/reach/policy/*.hujson.
#include "../fuzz_target.hpp"

#include "meshops/error.hpp"
#include "meshops/tailscale/policy.hpp"

#include <stdexcept>

MESHOPS_FUZZ_TARGET(reach_policy) {
  auto text = meshops_fuzz::text(data, size);
  try {
    (void)meshops::tailscale::parse_policy(text, "fuzz.hujson");
  } catch (const meshops::Error&) {
  }
  try {
    (void)meshops::tailscale::hujson_to_json(text);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
