// ts-quality's views and netcheck parser, on netcheck/derpmap output captured from the real
// tailnet (tests/fixtures/tailscale/quality/capture.sh) and on measurements built here.
#include "netcheck.hpp"
#include "view.hpp"

#include "meshops/cli/prom.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>

using namespace ts_quality;
using meshops::monitor::Path;
using meshops::monitor::Probe;
using meshops::monitor::TargetQuality;
using meshops::monitor::Verdict;
using meshops::tailscale::PingPath;

namespace {
std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/quality/" + name);
}

Result sample() {
  Result r;
  r.report.options.count = 3;
  TargetQuality a;
  a.target = {"kernelcore", "100.64.0.1", true};
  Path direct{PingPath::direct, "198.18.0.11:41641", "", 0};
  a.probes = {{0, 0, 1.0, direct, ""}, {1, 1000, 3.0, direct, ""}, {2, 2000, 2.0, direct, ""}};
  TargetQuality b;
  b.target = {"other-server", "100.64.0.3", true};
  Path derp{PingPath::derp, "", "headscale", 999};
  b.probes = {{0, 0, 5.0, derp, ""}, {1, 1000, std::nullopt, {}, "no reply"}, {2, 2000, 5.0, derp, ""}};
  for (auto* t : {&a, &b}) {
    std::vector<std::optional<double>> rtts;
    for (const auto& p : t->probes) rtts.push_back(p.rtt_ms);
    t->stats = meshops::net::summarize(rtts);
    t->verdict = meshops::monitor::judge(t->stats, r.report.options.thresholds, &t->reasons);
    t->path = t->probes[0].path;
    t->paths_seen = {t->path};
  }
  r.report.targets = {a, b};
  r.report.verdict = Verdict::degraded;
  r.report.elapsed_ms = 2005;
  return r;
}
} // namespace

TEST_CASE("netcheck captured in laptop's namespace: UDP, IPv4 address, preferred DERP by name", "[ts-quality][netcheck]") {
  auto regions = parse_derpmap(fixture("derpmap.json"));
  REQUIRE(regions.size() == 1);
  CHECK(regions.at(999).code == "headscale");
  CHECK(regions.at(999).name == "Headscale Embedded DERP");
  auto n = parse_netcheck(fixture("netcheck-laptop.json"), regions);
  CHECK(n.available);
  CHECK(n.udp);
  CHECK(n.ipv4);
  CHECK_FALSE(n.ipv6);
  CHECK(n.os_has_ipv6);
  CHECK(n.global_v4 == "198.18.0.12:50619");
  CHECK_FALSE(n.mapping_varies_by_dest_ip);
  REQUIRE(n.preferred_derp);
  CHECK(n.preferred_derp->code == "headscale");
  REQUIRE(n.derp_latency.size() == 1);
  CHECK(n.derp_latency[0].latency_ms == Approx(0.210757));
}

TEST_CASE("netcheck captured where no DERP answers: no UDP, no preferred region", "[ts-quality][netcheck]") {
  auto n = parse_netcheck(fixture("netcheck-unreachable.json"), {});
  CHECK(n.available);
  CHECK_FALSE(n.udp);
  CHECK_FALSE(n.preferred_derp);
  CHECK(n.derp_latency.empty());
}

TEST_CASE("netcheck and derpmap: hostile input is an error naming the field", "[ts-quality][netcheck]") {
  CHECK_THROWS_WITH(parse_netcheck(R"({"UDP":"yes"})", {}), "UDP: expected true or false, got string");
  CHECK_THROWS_WITH(parse_netcheck(R"({"RegionLatency":{"x":1}})", {}), "RegionLatency: region ID x is not a number");
  CHECK_THROWS_WITH(parse_netcheck(R"({"RegionLatency":{"1":"fast"}})", {}), "RegionLatency.1: expected a number, got string");
  CHECK_THROWS_WITH(parse_netcheck("[]", {}), "expected an object, got array");
  CHECK_THROWS_AS(parse_netcheck("{", {}), std::runtime_error);
  CHECK(parse_derpmap("null").empty());
  CHECK_THROWS_WITH(parse_derpmap(R"({"Regions":[]})"), "Regions: expected an object, got array");
  // Regions sort fastest first; an unknown region keeps its number.
  auto n = parse_netcheck(R"({"PreferredDERP":2,"RegionLatency":{"1":3000000,"2":1000000}})", {{1, {1, "nyc", "New York"}}});
  REQUIRE(n.derp_latency.size() == 2);
  CHECK(n.derp_latency[0].region.id == 2);
  CHECK(n.derp_latency[0].latency_ms == Approx(1));
  CHECK(n.derp_latency[1].region.code == "nyc");
  CHECK(n.preferred_derp->code.empty());
}

TEST_CASE("run_netcheck reports a missing CLI as unavailable, with the reason", "[ts-quality][netcheck]") {
  auto n = run_netcheck("/nonexistent/tailscale", "/nonexistent.sock", {}, 2);
  CHECK_FALSE(n.available);
  CHECK_FALSE(n.reason.empty());
}

TEST_CASE("sparkline scales round trips from fastest to slowest, lost probes as dots", "[ts-quality][view]") {
  std::vector<Probe> p{{0, 0, 1.0, {}, ""}, {1, 0, 8.0, {}, ""}, {2, 0, std::nullopt, {}, "no reply"}, {3, 0, 4.5, {}, ""}};
  CHECK(sparkline(p) == "▁█·▅");
  CHECK(sparkline({{0, 0, 2.0, {}, ""}, {1, 0, 2.0, {}, ""}}) == "▁▁");
  CHECK(sparkline({}).empty());
}

TEST_CASE("text view: one row per peer with path, loss, latencies, verdict and sparkline", "[ts-quality][view]") {
  meshops::cli::Output out;
  auto text = to_text(sample(), out);
  CHECK(text ==
        "PEER          IP          PATH                      LOSS    MIN    AVG    MAX    P50    P95  JITTER  VERDICT   RTT\n"
        "kernelcore    100.64.0.1  direct 198.18.0.11:41641    0%  1.0ms  2.0ms  3.0ms  2.0ms  2.9ms   1.5ms  ok        ▁█▅\n"
        "other-server  100.64.0.3  derp headscale             33%  5.0ms  5.0ms  5.0ms  5.0ms  5.0ms  0.00ms  degraded  ▁·▁\n"
        "other-server: loss 33.33% > 5%\n"
        "\n"
        "2 peers, 3 probes each (disco ping) in 2.00s: 1 ok, 1 degraded, 0 down.\n");
  out.legend = false;
  CHECK(to_text(sample(), out).find("PEER") == std::string::npos);
}

TEST_CASE("JSON view: schema first, stats in ms, path and round trips per peer", "[ts-quality][view]") {
  Result r = sample();
  r.netcheck = Netcheck{};
  r.netcheck->reason = "timed out";
  auto j = to_json(r);
  CHECK(j.begin().key() == "schema");
  CHECK(j["schema"] == "meshops/ts-quality/1");
  CHECK(j["status"] == "warning");
  CHECK(j["verdict"] == "degraded");
  auto& b = j["targets"][1];
  CHECK(b["loss_pct"].get<double>() == Approx(100.0 / 3));
  CHECK(b["rtts_ms"].dump() == "[5.0,null,5.0]");
  CHECK(b["path"]["kind"] == "derp");
  CHECK(b["path"]["derp_region"] == "headscale");
  CHECK(b["path"]["derp_region_id"] == 999);
  CHECK(b["errors"].dump() == R"(["no reply"])");
  CHECK(j["targets"][0]["path"]["endpoint"] == "198.18.0.11:41641");
  CHECK(j["netcheck"].dump() == R"({"available":false,"reason":"timed out"})");
}

TEST_CASE("Prometheus view: quantiles in seconds, loss as a ratio, direct and verdict gauges", "[ts-quality][view]") {
  auto text = meshops::cli::render_prom(to_prom(sample()));
  CHECK_THAT(text, Catch::Contains("meshops_ts_quality_rtt_seconds{peer=\"kernelcore\",quantile=\"0.5\"} 0.002\n"));
  CHECK_THAT(text, Catch::Contains("meshops_ts_quality_path{peer=\"other-server\",path=\"derp\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("meshops_ts_quality_path{peer=\"kernelcore\",path=\"direct_ipv4\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("meshops_ts_quality_verdict{peer=\"other-server\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("\nmeshops_ts_quality_max_latency_seconds 0.2\n"));
  CHECK_THAT(text, Catch::Contains("\nmeshops_ts_quality_max_loss_ratio 0.05\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE meshops_ts_quality_loss_ratio gauge"));
}
