// Addresses and prefixes (--can, allowedIPs, rule operands): what parses round-trips, and a
// prefix's length fits its version.
#include "../fuzz_target.hpp"

#include "meshops/nft/ip_addr.hpp"

using namespace meshops::nft;

MESHOPS_FUZZ_TARGET(nft_addresses) {
  auto text = meshops_fuzz::text(data, size);
  if (auto a = IpAddr::parse(text)) MESHOPS_FUZZ_CHECK(IpAddr::parse(a->to_string()) == a);
  if (auto p = IpPrefix::parse(text)) {
    MESHOPS_FUZZ_CHECK(p->len >= 0 && p->len <= (p->network.version == 4 ? 32 : 128));
    (void)p->first_host();
    (void)p->contains(p->network);
  }
  return 0;
}
