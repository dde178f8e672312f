// The LocalAPI models meshops-reach reads (lib/tailscale/filter.hpp) and the packet-filter
// evaluation of its tailnet-policy layer, on replies captured from kernelcore of the real test
// tailnet with the ACL policy of scripts/tailnet (tests/fixtures/reach/tailnet/capture.sh).
#include "fixture.hpp"

#include "../../lib/src/checks/reach/tailnet_filter.hpp"
#include "meshops/tailscale/filter.hpp"

#include <catch2/catch.hpp>

using namespace meshops::tailscale;
using meshops::checks::reach::evaluate_filter;

namespace {
const std::vector<FilterMatch>& matches() {
  static const auto m = parse_filter_matches(read_fixture("reach/tailnet/filter-matches.json"));
  return m;
}
} // namespace

TEST_CASE("whois: a tagged node and the admin's untagged node") {
  auto laptop = parse_whois(read_fixture("reach/tailnet/whois-laptop.json"));
  CHECK(laptop.name == "laptop.tailnet.test.");
  CHECK(laptop.host_name == "laptop");
  CHECK(laptop.tags == std::vector<std::string>{"tag:client"});
  CHECK(laptop.login_name == "tagged-devices");
  CHECK(laptop.addresses.front() == "100.64.0.2/32");
  auto other = parse_whois(read_fixture("reach/tailnet/whois-other.json"));
  CHECK(other.tags.empty());
  CHECK(other.login_name == "admin");
  CHECK_THROWS_WITH(parse_whois(R"({"Node": {"Tags": "tag:x"}})"), Catch::Contains("Node.Tags"));
}

TEST_CASE("packet filter: the policy's three rules compiled as tailscaled holds them") {
  REQUIRE(matches().size() == 3);
  // tag:client -> tag:server:80,443,11434,8080,5432 and the benchmark ports; tcp, udp, icmp, icmpv6.
  const auto& m = matches()[0];
  CHECK(m.ip_proto == std::vector<int>{6, 17, 1, 58});
  CHECK(m.srcs == std::vector<std::string>{"100.64.0.2/32", "fd7a:115c:a1e0::2/128"});
  CHECK(to_string(m.dsts.front().ports) == "80");
  auto rules = parse_filter_rules(read_fixture("reach/tailnet/filter-rules.json"));
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].src_ips.front() == "100.64.0.2");
  CHECK(rules[0].dst_ports.front() == "100.64.0.1:80");
  CHECK(parse_filter_matches("null").empty());
  CHECK_THROWS_WITH(parse_filter_matches(R"([{"Dsts": [{"Net": "x", "Ports": {"First": 9, "Last": 2}}]}])"),
                    Catch::Contains("Dsts[0]"));
}

TEST_CASE("packet filter evaluation for (src, dst, proto, port)") {
  const std::string kc = "100.64.0.1", laptop = "100.64.0.2", admin = "100.64.0.3";
  for (int port : {80, 443, 11434, 8080, 5432, 15201, 15202, 15203}) {
    INFO(port);
    CHECK(evaluate_filter(matches(), laptop, kc, 6, port).match);
  }
  for (int port : {22, 3000, 15204, 79}) {
    INFO(port);
    CHECK_FALSE(evaluate_filter(matches(), laptop, kc, 6, port).match);
  }
  CHECK(evaluate_filter(matches(), laptop, kc, 1, 0).match);       // icmp: ports do not apply
  CHECK_FALSE(evaluate_filter(matches(), laptop, kc, 132, 80).match);  // sctp is not in IPProto
  CHECK(evaluate_filter(matches(), admin, kc, 6, 22).match);       // the admin: everything
  CHECK(evaluate_filter(matches(), "fd7a:115c:a1e0::2", "fd7a:115c:a1e0::1", 6, 443).match);
  CHECK_FALSE(evaluate_filter(matches(), "100.64.0.9", kc, 6, 80).match);  // not a source of any rule
  CHECK_FALSE(evaluate_filter({}, laptop, kc, 6, 80).match);        // an empty filter allows nothing
}

TEST_CASE("dns-query: an extra record answers, a name without one is SERVFAIL") {
  auto ok = parse_dns_query(read_fixture("reach/tailnet/dns-ollama.json"));
  CHECK(ok.rcode == 0);
  CHECK(ok.addresses == std::vector<std::string>{"100.64.0.1"});
  auto none = parse_dns_query(read_fixture("reach/tailnet/dns-nodns.json"));
  CHECK(rcode_name(none.rcode) == "SERVFAIL");
  CHECK(none.addresses.empty());
  CHECK_THROWS_WITH(parse_dns_query(R"({"Bytes": "AAGF"})"), Catch::Contains("shorter than its header"));
  CHECK_THROWS_WITH(parse_dns_query(R"({"Bytes": "AAGFgAABAAEAAAAABm9sbGFt"})"), Catch::Contains("cut short"));
}
