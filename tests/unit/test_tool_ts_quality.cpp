// ts-quality's check verdict and views, on measurements built here (the netcheck parser's tests
// are test_tailscale_netcheck.cpp).
#include "view.hpp"

#include "meshops/cli/prom.hpp"

#include <catch2/catch.hpp>

using namespace ts_quality;
using meshops::monitor::Path;
using meshops::monitor::Probe;
using meshops::monitor::TargetQuality;
using meshops::monitor::Verdict;
using meshops::tailscale::Netcheck;
using meshops::tailscale::PingPath;

namespace {
Report sample() {
  Report r;
  r.measurement.options.count = 3;
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
    t->verdict = meshops::monitor::judge(t->stats, r.measurement.options.thresholds, &t->reasons);
    t->path = t->probes[0].path;
    t->paths_seen = {t->path};
  }
  r.measurement.targets = {a, b};
  r.measurement.verdict = Verdict::degraded;
  r.measurement.elapsed_ms = 2005;
  r.verdict = meshops::checks::ts_quality::conclude(r.measurement);
  return r;
}
} // namespace

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
        "WARNING: other-server: degraded (loss 33.33% > 5%)\n"
        "PEER          IP          PATH                      LOSS    MIN    AVG    MAX    P50    P95  JITTER  VERDICT   RTT\n"
        "kernelcore    100.64.0.1  direct 198.18.0.11:41641    0%  1.0ms  2.0ms  3.0ms  2.0ms  2.9ms   1.5ms  ok        ▁█▅\n"
        "other-server  100.64.0.3  derp headscale             33%  5.0ms  5.0ms  5.0ms  5.0ms  5.0ms  0.00ms  degraded  ▁·▁\n"
        "\n"
        "2 peers, 3 probes each (disco ping) in 2.00s: 1 ok, 1 degraded, 0 down.\n");
  out.legend = false;
  CHECK(to_text(sample(), out).find("PEER") == std::string::npos);
}

TEST_CASE("JSON view: schema first, stats in ms, path and round trips per peer", "[ts-quality][view]") {
  Report r = sample();
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

TEST_CASE("The verdict: the measurement's, each peer not ok a reason, at least UNKNOWN when interrupted", "[ts-quality]") {
  Report r = sample();
  CHECK(r.verdict.state == meshops::Exit::warning);
  // A state not ok always says why, in the JSON's reasons and the plugin line alike.
  CHECK(r.verdict.reasons == std::vector<std::string>{"other-server: degraded (loss 33.33% > 5%)"});
  r.measurement.interrupted = true;
  auto v = meshops::checks::ts_quality::conclude(r.measurement);
  CHECK(v.state == meshops::Exit::unknown);
  CHECK(v.reasons == std::vector<std::string>{"other-server: degraded (loss 33.33% > 5%)", "interrupted after 2.00s: partial result"});
  r.measurement.verdict = Verdict::down;  // what it found wrong still counts
  CHECK(meshops::checks::ts_quality::conclude(r.measurement).state == meshops::Exit::critical);
}

TEST_CASE("A run that cannot measure is its error, with the hint in the JSON", "[ts-quality][json]") {
  meshops::checks::ts_quality::Options o;
  o.socket = "/nonexistent/tailscaled.sock";
  o.timeout = std::chrono::milliseconds(500);
  auto r = meshops::checks::ts_quality::collect(o);
  REQUIRE(r.error);
  CHECK(r.verdict.state == meshops::Exit::unknown);
  auto j = to_json(r);
  CHECK(j["status"] == "unknown");
  CHECK(j["reasons"].dump() == R"(["cannot reach tailscaled at /nonexistent/tailscaled.sock: no such socket"])");
  CHECK(j["hint"] == "is tailscaled running? Use --socket PATH or $TS_SOCKET for another socket");
  CHECK(j["targets"].empty());
  CHECK(to_json(sample())["hint"].is_null());
}
