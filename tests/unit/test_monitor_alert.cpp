// The webhook sink against a real HTTP server on 127.0.0.1 run by the test: delivery, retries
// with backoff, giving up, never blocking the caller, and no credentials in its messages.
#include "meshops/monitor/alert.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace meshops::monitor;
using namespace std::chrono_literals;

namespace {
/// A one-thread HTTP server answering each request with the next status of `codes` (the last
/// one repeats), recording the bodies.
class TinyServer {
public:
  explicit TinyServer(std::vector<int> codes) : codes_(std::move(codes)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard l(mu_);
    return bodies_;
  }

private:
  void serve() {
    std::size_t n = 0;
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      for (;;) {
        auto r = ::read(c, buf, sizeof buf);
        if (r <= 0) break;
        req.append(buf, static_cast<std::size_t>(r));
        auto end = req.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        auto cl = req.find("Content-Length: ");
        std::size_t want = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
        if (req.size() >= end + 4 + want) {
          std::lock_guard l(mu_);
          bodies_.push_back(req.substr(end + 4, want));
          break;
        }
      }
      int code = codes_[std::min(n++, codes_.size() - 1)];
      auto resp = "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  std::vector<int> codes_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

bool wait_for(const std::function<bool()>& f, std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}
} // namespace

TEST_CASE("redact_url keeps scheme and host only", "[monitor][alert]") {
  CHECK(redact_url("https://user:s3cret@hooks.example:8443/T1/B2/tok?key=abc") == "https://hooks.example:8443/...");
  CHECK(redact_url("http://127.0.0.1:9/") == "http://127.0.0.1:9/...");
  CHECK(redact_url("http://host") == "http://host");
  CHECK(redact_url("no scheme at all") == "(webhook URL)");
}

TEST_CASE("The webhook POSTs the JSON body, retrying a 500 with backoff", "[monitor][alert]") {
  TinyServer server({500, 204});
  WebhookSink sink({"http://127.0.0.1:" + std::to_string(server.port()) + "/hook", 2000ms, 3, 50ms});
  sink.post(R"({"event":"failover"})");
  REQUIRE(wait_for([&] { return sink.counters().delivered == 1; }, 5000ms));
  CHECK(sink.counters().attempts == 2);
  auto bodies = server.bodies();
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[1] == R"({"event":"failover"})");
}

TEST_CASE("The webhook gives up after its attempts, without the URL's secrets, and never blocks post()", "[monitor][alert]") {
  // A port nobody listens on: every attempt is refused at once.
  int dead_port;
  {
    TinyServer s({200});
    dead_port = s.port();
  }
  std::vector<std::string> errors;
  std::mutex mu;
  WebhookSink sink({"http://user:s3cret@127.0.0.1:" + std::to_string(dead_port) + "/tok3n", 500ms, 3, 20ms, 4},
                   [&](const std::string& m) {
                     std::lock_guard l(mu);
                     errors.push_back(m);
                   });
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) sink.post("{}");
  // Delivered in post() itself, each would wait out two 20 ms backoffs: 400 ms for the ten. Half
  // of that is the bound, not a fixed time a loaded machine could miss.
  CHECK(std::chrono::steady_clock::now() - start < 10 * 2 * 20ms / 2);
  REQUIRE(wait_for([&] { return sink.counters().failed >= 1; }, 5000ms));
  sink.close(3000ms);
  auto c = sink.counters();
  CHECK(c.delivered == 0);
  CHECK(c.failed + c.dropped == 10);
  CHECK(c.dropped >= 5);  // the queue holds 4
  std::lock_guard l(mu);
  REQUIRE(!errors.empty());
  for (const auto& e : errors) {
    CHECK(e.find("s3cret") == std::string::npos);
    CHECK(e.find("tok3n") == std::string::npos);
  }
}
