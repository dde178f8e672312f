// ts-benchmark: the iperf3 report parser on reports captured from the real tailnet
// (tests/fixtures/tailscale/benchmark/capture.sh), the result's JSON, text and comparison, and
// the throughput engine against its own server on 127.0.0.1.
#include "history.hpp"
#include "iperf3.hpp"
#include "view.hpp"

#include "meshops/cli/output.hpp"
#include "meshops/error.hpp"
#include "meshops/net/throughput.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace ts_benchmark;
using namespace std::chrono_literals;

namespace {
std::string fixture(const std::string& name) {
  return meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/benchmark/" + name);
}

/// A ts-benchmark server on 127.0.0.1, an ephemeral port, for the life of the object.
struct LocalServer {
  std::atomic<bool> stop{false};
  std::atomic<int> port{0};
  std::thread thread;
  LocalServer() {
    thread = std::thread([this] { meshops::net::serve_throughput("127.0.0.1", 0, stop, [this](int p) { port = p; }); });
    for (int i = 0; i < 200 && port == 0; ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(port != 0);
  }
  ~LocalServer() {
    stop = true;
    thread.join();
  }
};

Result sample() {
  Result r;
  r.kind = "tcp";
  r.target = "kernelcore";
  r.address = "100.64.0.1";
  r.port = 5202;
  r.duration_ms = 3000;
  meshops::net::ThroughputResult t;
  t.upload = meshops::net::TransferResult{375'000'000, 3.0, 1000, 12};
  t.download = meshops::net::TransferResult{187'500'000, 3.0, 500, 0};
  t.idle.rtts_ms = {1.0, 1.0, 1.0};
  t.idle.stats = meshops::net::summarize(t.idle.rtts_ms);
  t.under_upload.rtts_ms = {5.0, 7.0};
  t.under_upload.stats = meshops::net::summarize(t.under_upload.rtts_ms);
  t.under_download.rtts_ms = {2.0, std::nullopt};
  t.under_download.stats = meshops::net::summarize(t.under_download.rtts_ms);
  r.tcp = t;
  return r;
}
} // namespace

TEST_CASE("iperf3 reports captured on the tailnet: receiver's rate, sender's retransmits", "[ts-benchmark][iperf3]") {
  auto up = parse_iperf3(fixture("iperf3-upload.json"));
  CHECK(up.bytes == 148577792);
  CHECK(up.seconds == Approx(1.008421));
  CHECK(up.mbit_s == Approx(1178.696532499819));
  CHECK(up.retransmits == 0);
  auto down = parse_iperf3(fixture("iperf3-download.json"));
  CHECK(down.bytes == 199251132);
  CHECK(down.mbit_s == Approx(1593.8401089484515));
  CHECK_THROWS_WITH(parse_iperf3(fixture("iperf3-refused.json")), "unable to connect to server: Connection refused");
  CHECK_THROWS_WITH(parse_iperf3(R"({"end":{"sum_received":{"bytes":"x"}}})"), "end.sum_received.bytes: expected a number");
  CHECK_THROWS_WITH(parse_iperf3("{}"), "end: missing");
  CHECK_THROWS_AS(parse_iperf3("iperf3: error"), std::runtime_error);
  // Out of range is an error naming the field, never a wrapped count (issue 18).
  auto with_bytes = [](const char* b) {
    return std::string(R"({"end":{"sum_received":{"bytes":)") + b + R"(,"seconds":1,"bits_per_second":8}}})";
  };
  CHECK(parse_iperf3(with_bytes("1000")).bytes == 1000);
  CHECK_THROWS_WITH(parse_iperf3(with_bytes("-1")), Catch::StartsWith("end.sum_received.bytes: expected a number from 0 to"));
  CHECK_THROWS_WITH(parse_iperf3(with_bytes("1e30")), Catch::EndsWith("got 1e+30"));
  CHECK_THROWS_WITH(parse_iperf3(with_bytes("1e999")), Catch::Contains("number overflow parsing '1e999'"));
}

TEST_CASE("result JSON: schema first, both directions, latency phases and bufferbloat", "[ts-benchmark][view]") {
  auto j = to_json(sample(), "2026-11-25T18:00:00Z");
  CHECK(j.begin().key() == "schema");
  CHECK(j["schema"] == "meshops/ts-benchmark/1");
  CHECK(j["upload"]["mbit_s"] == 1000.0);
  CHECK(j["upload"]["retransmits"] == 12);
  CHECK(j["upload"]["elapsed_ms"] == 3000.0);
  CHECK(j["latency"]["idle"]["samples"] == 3);
  CHECK(j["latency"]["under_download"]["lost"] == 1);
  CHECK(j["bufferbloat_ms"]["upload"].get<double>() == Approx(5.0));
  CHECK(j["bufferbloat_ms"]["download"].get<double>() == Approx(1.0));
  CHECK_FALSE(j.contains("http"));
}

TEST_CASE("result text: a row per phase and the bufferbloat line", "[ts-benchmark][view]") {
  meshops::cli::Output out;
  CHECK(to_text(sample(), std::nullopt, out) ==
        "TCP to kernelcore (100.64.0.1:5202), 1 stream, 3 s each way\n"
        "\n"
        "DIRECTION  MBIT/S    BYTES  RETRANSMITS  RTT P50  RTT P99\n"
        "idle            -        -            -    1.0ms    1.0ms\n"
        "upload     1000.0  358 MiB           12    6.0ms    7.0ms\n"
        "download    500.0  179 MiB            0    2.0ms    2.0ms\n"
        "\n"
        "Bufferbloat (RTT p50 over idle): +5.00 ms under upload, +1.00 ms under download.\n");
}

TEST_CASE("compare: the last history line of the same kind and target, changes in percent", "[ts-benchmark][history]") {
  Result now = sample();
  Result older = sample();
  older.tcp->upload->mbit_s = 800;
  Result other = sample();
  other.target = "other-server";
  std::string history = to_json(older, "2026-11-25T18:00:00Z").dump() + "\n" + "{truncated\n" +
                        to_json(other, "2026-11-25T18:05:00Z").dump() + "\n";
  auto c = compare(now, history);
  REQUIRE(c);
  CHECK(c->previous_at == "2026-11-25T18:00:00Z");
  auto up = std::find_if(c->changes.begin(), c->changes.end(), [](const auto& ch) { return ch.metric == "upload.mbit_s"; });
  REQUIRE(up != c->changes.end());
  CHECK(up->previous == 800);
  CHECK(up->current == 1000);
  CHECK(up->change_pct == Approx(25));
  CHECK_FALSE(compare(now, "").has_value());
  CHECK_FALSE(compare(now, to_json(other, "x").dump()).has_value());
  // A line of another version or edited by hand: a kind that is no string is skipped, not a
  // type_error out of ts-benchmark (issue 18).
  CHECK_FALSE(compare(now, R"({"kind": 7, "target": ["x"], "generated_at": 1})").has_value());
  CHECK(compare(now, R"({"kind": "tcp", "target": "kernelcore", "generated_at": 1, "upload": {"mbit_s": "fast"}})")
            .value_or(Comparison{}).previous_at.empty());
}

TEST_CASE("compare: every metric of this run against the line the history holds", "[ts-benchmark][history]") {
  Result older = sample();
  older.tcp->upload->mbit_s = 800;
  older.tcp->download->retransmits = 4;
  auto c = compare(sample(), meshops::cli::dump_json(to_json(older, "2026-11-25T18:00:00Z"), false) + "\n");
  REQUIRE(c);
  std::vector<std::string> got;
  for (const auto& ch : c->changes) got.push_back(fmt::format("{} {:g} {:g} {:+.1f}", ch.metric, ch.previous, ch.current, ch.change_pct));
  CHECK(got == std::vector<std::string>{"upload.mbit_s 800 1000 +25.0", "download.mbit_s 500 500 +0.0",
                                        "upload.retransmits 12 12 +0.0", "download.retransmits 4 0 -100.0",
                                        "latency.idle.p50_ms 1 1 +0.0", "latency.under_upload.p50_ms 6 6 +0.0",
                                        "latency.under_download.p50_ms 2 2 +0.0"});
  // iperf3 measures no latency: the history's latency values have nothing to compare with.
  Result iperf = sample(), iperf_older = sample();
  iperf.kind = iperf_older.kind = "iperf3";
  iperf_older.tcp->upload->mbit_s = 500;
  auto ci = compare(iperf, to_json(iperf_older, "t").dump());
  REQUIRE(ci);
  CHECK(ci->changes.size() == 4);
  // A target that is not UTF-8 was written with U+FFFD for the bad byte, and still matches.
  Result odd = sample();
  odd.target = "kernel\xff" "core";
  CHECK(compare(odd, meshops::cli::dump_json(to_json(older, "t"), false)) == std::nullopt);
  Result odd_older = odd;
  CHECK(compare(odd, meshops::cli::dump_json(to_json(odd_older, "t"), false)).has_value());
}

TEST_CASE("throughput engine on loopback: both ways, latency phases, per-stream sums", "[ts-benchmark][throughput]") {
  LocalServer server;
  meshops::net::ThroughputOptions o;
  o.host = "127.0.0.1";
  o.port = server.port;
  o.duration = 300ms;
  o.idle_phase = 200ms;
  o.latency_interval = 20ms;
  o.streams = 2;
  int progress = 0;
  o.on_progress = [&](const std::string&, std::uint64_t) { ++progress; };
  auto r = meshops::net::run_throughput(o);
  REQUIRE(r.upload);
  REQUIRE(r.download);
  CHECK(r.upload->bytes > 1'000'000);
  CHECK(r.download->bytes > 1'000'000);
  CHECK(r.upload->mbit_s == Approx(static_cast<double>(r.upload->bytes) * 8 / r.upload->seconds / 1e6));
  CHECK(r.download->seconds >= 0.25);
  CHECK(r.idle.stats.sent >= 5);
  CHECK(r.idle.stats.received == r.idle.stats.sent);
  CHECK(r.under_upload.stats.sent >= 3);
  CHECK(progress >= 1);
}

TEST_CASE("throughput engine: one direction only; a refused port is exit 3 naming it", "[ts-benchmark][throughput]") {
  LocalServer server;
  meshops::net::ThroughputOptions o;
  o.host = "127.0.0.1";
  o.port = server.port;
  o.duration = 100ms;
  o.idle_phase = 50ms;
  o.download = false;
  auto r = meshops::net::run_throughput(o);
  CHECK(r.upload);
  CHECK_FALSE(r.download);
  // A port nobody listens on: bind one, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  o.port = ntohs(a.sin_port);
  try {
    meshops::net::run_throughput(o);
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::unknown);
    CHECK_THAT(e.what(), Catch::Contains("connect to 127.0.0.1:" + std::to_string(o.port) + ": Connection refused"));
  }
}

TEST_CASE("the server shrugs off a client that is not ours and keeps serving", "[ts-benchmark][throughput]") {
  LocalServer server;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(server.port.load()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  const char junk[] = "GET / HTTP/1.0\r\n\r\n";
  ::send(fd, junk, sizeof junk - 1, MSG_NOSIGNAL);
  char buf[16];
  // Closed on us: EOF, or a reset since our bytes went unread.
  CHECK(::recv(fd, buf, sizeof buf, 0) <= 0);
  ::close(fd);
  meshops::net::ThroughputOptions o;
  o.host = "127.0.0.1";
  o.port = server.port;
  o.duration = 50ms;
  o.idle_phase = 20ms;
  CHECK(meshops::net::run_throughput(o).upload->bytes > 0);
}
