// The config file (/etc/meshops/config.json): unknown keys and wrong types are meshops::Error
// naming the key path and file:line. Seeds: tests/fixtures/config/example.json,
// tests/fixtures/nft/config.json.
#include "../fuzz_target.hpp"

#include "meshops/config/config.hpp"
#include "meshops/error.hpp"

MESHOPS_FUZZ_TARGET(config) {
  try {
    (void)meshops::config::parse(meshops_fuzz::text(data, size), "fuzz.json");
  } catch (const meshops::Error&) {
  }
  return 0;
}
