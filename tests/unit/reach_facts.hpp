#pragma once
// The facts meshops-reach's unit tests walk on: kernelcore's LocalAPI replies and ruleset
// captured from the real test tailnet (tests/fixtures/reach/tailnet/capture.sh) and its
// proxy's real nginx -T (tests/fixtures/reach/nginx/capture.sh). Upstream probe results are
// values the tests set.
#include "fixture.hpp"

#include "meshops/checks/reach.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nginx/conf.hpp"

inline meshops::checks::reach::Facts captured_facts() {
  namespace ts = meshops::tailscale;
  meshops::checks::reach::Facts f;
  f.status.value = ts::parse_status(read_fixture("reach/tailnet/status.json"));
  f.whois["100.64.0.2"].value = ts::parse_whois(read_fixture("reach/tailnet/whois-laptop.json"));
  f.whois["100.64.0.3"].value = ts::parse_whois(read_fixture("reach/tailnet/whois-other.json"));
  f.filter.value = ts::parse_filter_matches(read_fixture("reach/tailnet/filter-matches.json"));
  f.rules.value = ts::parse_filter_rules(read_fixture("reach/tailnet/filter-rules.json"));
  f.ruleset.value = meshops::nft::parse_ruleset(read_fixture("reach/tailnet/ruleset.json"), "ruleset.json");
  f.nginx.value = meshops::nginx::read_dump(read_fixture("reach/nginx/kernelcore.dump"));
  return f;
}
