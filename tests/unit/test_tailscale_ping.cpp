#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/tailscale/ping.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace meshops::tailscale;

namespace {
std::string fixture(const std::string& name) { return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/quality/" + name); }
} // namespace

TEST_CASE("a disco pong captured from the real tailnet: direct, with its endpoint", "[tailscale][ping]") {
  auto r = parse_ping_result(fixture("ping-disco-direct.json"));
  CHECK(r.ip == "100.64.0.1");
  CHECK(r.node_name == "kernelcore");
  CHECK(r.err.empty());
  CHECK(r.latency_ms == Approx(4.595948));
  CHECK(r.endpoint == "198.18.0.11:41641");
  CHECK(path_of(r) == PingPath::direct);
  CHECK(path_text(r) == "direct 198.18.0.11:41641");
}

TEST_CASE("a TSMP pong carries no path but the peer API port", "[tailscale][ping]") {
  auto r = parse_ping_result(fixture("ping-tsmp.json"));
  CHECK(r.latency_ms == Approx(0.645946));
  CHECK(r.peer_api_port == 58436);
  CHECK(path_of(r) == PingPath::unknown);
  CHECK(path_text(r).empty());
  auto icmp = parse_ping_result(fixture("ping-icmp.json"));
  CHECK(icmp.latency_ms == Approx(0.734188));
  CHECK(path_of(icmp) == PingPath::unknown);
}

TEST_CASE("a pong via DERP, captured with UDP dropped: the region", "[tailscale][ping]") {
  auto r = parse_ping_result(fixture("ping-disco-derp.json"));
  CHECK(r.node_name == "other-server");
  CHECK(path_of(r) == PingPath::derp);
  CHECK(r.derp_region_id == 999);
  CHECK(path_text(r) == "derp headscale (999)");
}

TEST_CASE("an address of no peer: Err set in a 200 reply", "[tailscale][ping]") {
  auto r = parse_ping_result(fixture("ping-no-peer.json"));
  CHECK(r.err == "no matching peer");
  CHECK(r.node_name.empty());
}

TEST_CASE("ping replies: DERP, errors and hostile input", "[tailscale][ping]") {
  struct Case {
    const char* name;
    const char* json;
    const char* want_path;
    const char* want_error;
  };
  const Case cases[] = {
      {"via DERP", R"({"IP":"100.64.0.3","LatencySeconds":0.002,"DERPRegionID":999,"DERPRegionCode":"headscale"})",
       "derp headscale (999)", ""},
      {"peer relay", R"({"IP":"100.64.0.3","LatencySeconds":0.002,"PeerRelay":"198.18.0.13:7777:vni:3"})",
       "peer-relay 198.18.0.13:7777:vni:3", ""},
      {"Err set", R"({"Err":"no matching peer","LatencySeconds":0})", "", ""},
      {"nulls read as empty", R"({"IP":null,"Endpoint":null,"LatencySeconds":null})", "", ""},
      {"latency as a string", R"({"LatencySeconds":"0.1"})", "", "LatencySeconds: expected a number, got string"},
      {"region as a string", R"({"DERPRegionID":"999"})", "", "DERPRegionID: expected an integer, got string"},
      {"negative latency", R"({"LatencySeconds":-1})", "", "LatencySeconds: negative"},
      {"not an object", R"([1,2])", "", "expected an object, got array"},
      {"not JSON", "{\"IP\":", "", "not JSON"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      if (*c.want_error) {
        try {
          parse_ping_result(c.json);
          FAIL("no error");
        } catch (const std::runtime_error& e) {
          CHECK_THAT(e.what(), Catch::Contains(c.want_error));
        }
      } else {
        CHECK(path_text(parse_ping_result(c.json)) == c.want_path);
      }
    }
  }
}

TEST_CASE("ping types as the LocalAPI spells them, parsed case-insensitively", "[tailscale][ping]") {
  CHECK(std::string(to_string(PingType::tsmp)) == "TSMP");
  CHECK(std::string(to_string(PingType::disco)) == "disco");
  CHECK(parse_ping_type("ICMP") == PingType::icmp);
  CHECK(parse_ping_type("tsmp") == PingType::tsmp);
  CHECK_FALSE(parse_ping_type("udp"));
  auto req = ping_request("100.64.0.1", PingType::tsmp);
  CHECK(req.method == "POST");
  CHECK(req.target == "/localapi/v0/ping?ip=100.64.0.1&type=TSMP");
  CHECK(ping_request("a b&c", PingType::disco).target == "/localapi/v0/ping?ip=a%20b%26c&type=disco");
}

TEST_CASE("a missing socket cannot be pinged through: Error, exit 3", "[tailscale][ping]") {
  try {
    ping("/nonexistent/tailscaled.sock", "100.64.0.1", PingType::disco, std::chrono::milliseconds(500));
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::unknown);
    CHECK_THAT(e.what(), Catch::Contains("no such socket"));
  }
}
