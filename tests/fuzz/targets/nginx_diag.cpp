// `nginx -t` diagnostics (stderr of the real nginx: emerg/warn lines with file:line). Seeds:
// tests/fixtures/nginx-test/*.stderr.
#include "../fuzz_target.hpp"

#include "meshops/nginx/diag.hpp"

MESHOPS_FUZZ_TARGET(nginx_diag) {
  auto text = meshops_fuzz::text(data, size);
  (void)meshops::nginx::parse_diagnostics(text);
  (void)meshops::nginx::parse_level(text);
  return 0;
}
