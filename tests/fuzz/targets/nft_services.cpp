// /etc/services as fw-status reads it. Seed: the host's /etc/services lines.
#include "../fuzz_target.hpp"

#include "meshops/nft/services.hpp"

MESHOPS_FUZZ_TARGET(nft_services) {
  auto s = meshops::nft::Services::parse(meshops_fuzz::text(data, size));
  (void)s.name(22, "tcp");
  (void)s.port("ssh", "tcp");
  return 0;
}
