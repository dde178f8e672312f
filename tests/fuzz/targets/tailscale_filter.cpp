// whois, packet-filter matches and rules, and dns-query replies of the LocalAPI. Seeds:
// tests/fixtures/reach/tailnet/*.json.
#include "../fuzz_target.hpp"

#include "meshops/tailscale/filter.hpp"

#include <stdexcept>

using namespace meshops::tailscale;

MESHOPS_FUZZ_TARGET(tailscale_filter) {
  auto text = meshops_fuzz::text(data, size);
  try {
    (void)parse_whois(text);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)parse_filter_matches(text);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)parse_filter_rules(text);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)parse_dns_query(text);
  } catch (const std::runtime_error&) {
  }
  (void)proto_number(text);
  return 0;
}
