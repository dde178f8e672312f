// The quality core against a stand-in tailscaled: a unix socket answering /localapi/v0/ping
// after a chosen delay. The real tailscaled cannot be made to hold ten peers with slow pongs
// on this machine; the real tailnet is tests/integration/ts_quality.sh.
#include "meshops/monitor/quality.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace meshops::monitor;
using meshops::net::LatencyStats;
using namespace std::chrono_literals;

namespace {

/// Answers each ping on its own thread after delay_ms[ip] (absent: never, until the client
/// hangs up), with a pong via endpoint_of[ip] or DERP when that is empty.
class FakeTailscaled {
public:
  std::map<std::string, int> delay_ms;
  std::map<std::string, std::string> endpoint_of;
  std::map<std::string, std::string> raw_reply;  ///< ip -> bytes sent as they are, then close
  std::atomic<int> requests{0};

  FakeTailscaled() {
    path_ = fmt::format("/tmp/meshops-fake-ts-{}.sock", ::getpid());
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 128) == 0);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~FakeTailscaled() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    accept_thread_.join();
    for (auto& t : workers_) t.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& socket() const { return path_; }

private:
  void accept_loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::lock_guard lock(mu_);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }
  void serve(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<std::size_t>(n));
    }
    ++requests;
    auto ip_at = req.find("ip=") + 3;
    auto ip = req.substr(ip_at, req.find('&', ip_at) - ip_at);
    if (auto raw = raw_reply.find(ip); raw != raw_reply.end()) {
      ::send(c, raw->second.data(), raw->second.size(), MSG_NOSIGNAL);
      ::close(c);
      return;
    }
    auto d = delay_ms.find(ip);
    if (d == delay_ms.end()) {
      ::recv(c, buf, sizeof buf, 0);  // blocks until the client gives up, as tailscaled does
      ::close(c);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(d->second));
    auto ep = endpoint_of[ip];
    auto body = ep.empty()
                    ? fmt::format(R"({{"IP":"{}","LatencySeconds":{},"DERPRegionID":999,"DERPRegionCode":"hs"}})", ip, d->second / 1000.0)
                    : fmt::format(R"({{"IP":"{}","LatencySeconds":{},"Endpoint":"{}"}})", ip, d->second / 1000.0, ep);
    auto reply = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}", body.size(), body);
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  }

  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

std::vector<Target> targets(int n) {
  std::vector<Target> out;
  for (int i = 1; i <= n; ++i) out.push_back({fmt::format("peer{}", i), fmt::format("100.64.0.{}", i), true});
  return out;
}

double seconds_of(const QualityReport& r) { return r.elapsed_ms / 1000; }

} // namespace

TEST_CASE("ten targets take about as long as one: probes of all targets leave together", "[monitor][quality]") {
  FakeTailscaled ts;
  for (int i = 1; i <= 10; ++i) ts.delay_ms[fmt::format("100.64.0.{}", i)] = 150;
  QualityOptions o;
  o.count = 3;
  o.interval = 200ms;
  o.probe_timeout = 2s;
  auto one = measure(ts.socket(), targets(1), o);
  auto ten = measure(ts.socket(), targets(10), o);
  REQUIRE(ten.targets.size() == 10);
  for (const auto& t : ten.targets) CHECK(t.stats.received == 3);
  // One target: 2 intervals + one pong = 0.55 s. Ten one after another would be ten times
  // that; all at once they cost at most one more interval.
  const double interval_s = 0.2;
  CHECK(seconds_of(one) >= 2 * interval_s);
  CHECK(seconds_of(ten) < seconds_of(one) + interval_s);
  CHECK(ts.requests == 33);
}

TEST_CASE("per target: statistics from tailscaled's latencies, the path and the verdict", "[monitor][quality]") {
  FakeTailscaled ts;
  ts.delay_ms["100.64.0.1"] = 20;
  ts.endpoint_of["100.64.0.1"] = "198.18.0.11:41641";
  ts.delay_ms["100.64.0.2"] = 60;  // via DERP (no endpoint)
  // 100.64.0.3 never answers.
  QualityOptions o;
  o.count = 2;
  o.interval = 50ms;
  o.probe_timeout = 300ms;
  o.thresholds = {50, 5};
  int progress = 0;
  o.on_probe = [&](const Target&, const Probe&) { ++progress; };
  auto r = measure(ts.socket(), targets(3), o);
  CHECK(progress == 6);
  const auto& fast = r.targets[0];
  CHECK(fast.verdict == Verdict::ok);
  CHECK(*fast.stats.avg_ms == Approx(20));
  CHECK(fast.path.text() == "direct 198.18.0.11:41641");
  CHECK_FALSE(fast.path_changed);
  const auto& slow = r.targets[1];
  CHECK(slow.verdict == Verdict::degraded);
  CHECK(slow.path.text() == "derp hs");
  REQUIRE(slow.reasons.size() == 1);
  CHECK(slow.reasons[0] == "latency 60 ms > 50 ms");
  const auto& dead = r.targets[2];
  CHECK(dead.verdict == Verdict::down);
  CHECK(dead.stats.loss_pct == Approx(100));
  CHECK(dead.probes[0].error == "no reply");
  CHECK(dead.path.kind == meshops::tailscale::PingPath::unknown);
  CHECK(r.verdict == Verdict::down);
  CHECK(exit_code(r.verdict) == meshops::Exit::critical);
  // A lost probe waits out its own timeout, not the others'.
  CHECK(r.elapsed_ms < 50 + 300 + 200);
}

TEST_CASE("judge: down with no reply, degraded past a threshold, ok within", "[monitor][quality]") {
  Thresholds t{200, 5};
  LatencyStats s;
  s.sent = 10;
  s.received = 0;
  s.loss_pct = 100;
  std::vector<std::string> why;
  CHECK(judge(s, t, &why) == Verdict::down);
  CHECK(why == std::vector<std::string>{"no reply to 10 probes"});
  s.received = 7;
  s.loss_pct = 30;
  s.avg_ms = 12;
  why.clear();
  CHECK(judge(s, t, &why) == Verdict::degraded);
  CHECK(why == std::vector<std::string>{"loss 30% > 5%"});
  s.loss_pct = 5;  // at the threshold is still ok
  CHECK(judge(s, t) == Verdict::ok);
  s.avg_ms = 250;
  CHECK(judge(s, t) == Verdict::degraded);
}

TEST_CASE("targets resolve from the captured status; every online peer by default", "[monitor][quality]") {
  auto status = meshops::tailscale::parse_status(meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/status-laptop.json"));
  auto all = resolve_targets(status, {});
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "kernelcore");
  CHECK(all[0].ip == "100.64.0.1");
  auto some = resolve_targets(status, {"KERNELCORE", "100.64.0.1", "other-server"});
  REQUIRE(some.size() == 2);  // the duplicate is measured once
  CHECK(some[1].name == "other-server");
  try {
    resolve_targets(status, {"nope"});
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::unknown);
    CHECK(std::string(e.what()) == "no peer named nope in the tailnet");
  }
}

TEST_CASE("a check measures the exit node in use, also when it is offline", "[monitor][quality][exit-node]") {
  auto status = meshops::tailscale::parse_status(
      meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/status-laptop-exit-node-offline.json"));
  // Every online peer: kernelcore only; the offline exit node other-server is added.
  auto all = check_targets(status, {});
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "kernelcore");
  CHECK(all[1].name == "other-server");
  CHECK_FALSE(all[1].online);
  // Configured targets: the exit node comes on top of them, once.
  auto named = check_targets(status, {"kernelcore"});
  REQUIRE(named.size() == 2);
  CHECK(named[1].name == "other-server");
  CHECK(check_targets(status, {"other-server"}).size() == 1);
  // resolve_targets stays what was asked (ts-monitor measures failover candidates alone).
  CHECK(resolve_targets(status, {"kernelcore"}).size() == 1);
}

TEST_CASE("every peer offline is a finding, with nothing to measure", "[monitor][quality]") {
  auto at = [](const std::string& name) {
    return meshops::tailscale::parse_status(meshops::sys::read_file(std::string(MESHOPS_FIXTURES) + "/tailscale/" + name));
  };
  // kernelcore after laptop's and other-server's tailscaled were killed (captured, see the README there).
  auto alone = at("status-kernelcore-all-peers-offline.json");
  CHECK(resolve_targets(alone, {}).empty());
  CHECK(all_peers_offline(alone, {}) == "all 2 peers are offline in the netmap: none to measure");
  CHECK(all_peers_offline(alone, {"laptop"}).empty());  // named targets are measured, offline or not: down
  CHECK(all_peers_offline(at("status-kernelcore.json"), {}).empty());
  CHECK(all_peers_offline(at("status-laptop-peer-offline.json"), {}).empty());  // one of two still online
  auto doc = at("status-kernelcore.json");
  doc.peers.clear();  // an empty netmap is no finding: nothing says a peer should be there
  CHECK(all_peers_offline(doc, {}).empty());
}

TEST_CASE("a target offline in the netmap is down, whatever its pings say", "[monitor][quality][exit-node]") {
  FakeTailscaled ts;
  ts.delay_ms["100.64.0.1"] = 5;
  ts.delay_ms["100.64.0.2"] = 5;
  auto t = targets(2);
  t[1].online = false;
  QualityOptions o;
  o.count = 2;
  o.interval = 10ms;
  auto r = measure(ts.socket(), t, o);
  CHECK(r.targets[0].verdict == Verdict::ok);
  CHECK(r.targets[1].verdict == Verdict::down);
  CHECK(r.targets[1].reasons == std::vector<std::string>{"offline in the netmap"});
  CHECK(r.verdict == Verdict::down);
  CHECK(exit_code(r.verdict) == meshops::Exit::critical);
}

TEST_CASE("no tailscaled: measure and check say so with exit 3", "[monitor][quality]") {
  QualityOptions o;
  CHECK_THROWS_AS(measure("/nonexistent.sock", targets(1), o), meshops::Error);
  try {
    check("/nonexistent.sock", {}, o, 500ms);
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(e.code() == meshops::Exit::unknown);
  }
}

TEST_CASE("tailscaled's errors and broken replies count as lost probes, with the reason", "[monitor][quality]") {
  FakeTailscaled ts;
  auto http = [](const char* status, const std::string& body) {
    return fmt::format("HTTP/1.1 {}\r\nContent-Length: {}\r\n\r\n{}", status, body.size(), body);
  };
  ts.raw_reply["100.64.0.1"] = http("500 Internal Server Error", R"({"error":"peer has no disco key"})");
  ts.raw_reply["100.64.0.2"] = http("200 OK", R"({"IP":"100.64.0.2","Err":"no matching peer","LatencySeconds":0})");
  ts.raw_reply["100.64.0.3"] = http("200 OK", R"({"LatencySeconds":"fast"})");
  ts.raw_reply["100.64.0.4"] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"IP\"";  // cut short
  ts.raw_reply["100.64.0.5"] = "garbage\r\n\r\n";
  QualityOptions o;
  o.count = 1;
  o.probe_timeout = 1s;
  auto r = measure(ts.socket(), targets(5), o);
  std::vector<std::string> errors;
  for (const auto& t : r.targets) {
    CHECK(t.verdict == Verdict::down);
    errors.push_back(t.probes[0].error);
  }
  CHECK(errors[0] == "tailscaled: HTTP 500: peer has no disco key");
  CHECK(errors[1] == "no matching peer");
  CHECK(errors[2] == "tailscaled's ping reply: LatencySeconds: expected a number, got string");
  CHECK_THAT(errors[3], Catch::StartsWith("tailscaled's reply broke off: "));
  CHECK_THAT(errors[4], Catch::StartsWith("tailscaled's reply broke off: "));
  CHECK(r.elapsed_ms < 900);  // none of them waited for the timeout
}
