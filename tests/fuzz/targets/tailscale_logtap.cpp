// One logtap record (a JSON line with logtail.client_time). Seeds:
// tests/fixtures/tailscale-logs/logtap.ndjson.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/logtap.hpp"

#include <stdexcept>

MESHOPS_FUZZ_TARGET(tailscale_logtap) {
  try {
    (void)meshops::tailscale::parse_logtap_record(meshops_fuzz::text(data, size));
  } catch (const std::runtime_error&) {
  }
  return 0;
}
