// TCP and HTTP probes against real sockets on 127.0.0.1 that the test opens itself.
#include "meshops/net/probe.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

using namespace meshops::net;
using namespace std::chrono_literals;

namespace {

// A socket bound to 127.0.0.1 on a free port; listening or not.
struct LocalSocket {
  int fd = -1;
  int port = 0;
  explicit LocalSocket(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    if (listening) REQUIRE(::listen(fd, 4) == 0);
  }
  ~LocalSocket() { ::close(fd); }
};

// Answers one HTTP request with `status` and keeps the request it read.
struct OneShotHttp {
  LocalSocket sock{true};
  std::string request;
  std::thread t;
  explicit OneShotHttp(int status) {
    t = std::thread([this, status] {
      int c = ::accept(sock.fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        auto n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      auto w = ::write(c, reply.data(), reply.size());
      (void)w;
      ::close(c);
    });
  }
  ~OneShotHttp() {
    if (t.joinable()) t.join();
  }
};

} // namespace

TEST_CASE("TCP probe connects to a listener and measures the time", "[net][probe]") {
  LocalSocket listener(true);
  auto r = probe_tcp("127.0.0.1", listener.port, 2000ms);
  CHECK(r.ok);
  CHECK(r.error.empty());
  CHECK(r.latency_ms >= 0);
  CHECK(r.latency_ms < 2000);
}

TEST_CASE("TCP probe reports a refused connection", "[net][probe]") {
  LocalSocket bound_only(false);  // holds the port so nobody else listens there
  auto r = probe_tcp("127.0.0.1", bound_only.port, 2000ms);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "connection refused");
}

TEST_CASE("TCP probe says when a name does not resolve", "[net][probe]") {
  auto r = probe_tcp("no-such-host.invalid", 80, 1000ms);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::StartsWith("cannot resolve no-such-host.invalid"));
}

// The name lookup runs in a child with its own network and mount namespaces: lo up, a UDP
// socket on 127.0.0.1:53 that never answers, and /etc/resolv.conf bind-mounted to point at it
// (in the child's mount namespace only). getaddrinfo alone would wait 5 s per attempt there.
TEST_CASE("TCP probe's deadline covers a name lookup that never answers", "[net][probe]") {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto fail = [](int code) { ::_exit(code); };
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) fail(10);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(11);
    char conf[] = "/tmp/meshops-resolv-XXXXXX";
    int cfd = ::mkstemp(conf);
    const char text[] = "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n";
    if (cfd < 0 || ::write(cfd, text, sizeof text - 1) != static_cast<ssize_t>(sizeof text - 1)) fail(12);
    ::close(cfd);
    int bound = ::mount(conf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr);
    ::unlink(conf);
    if (bound != 0) fail(13);
    int ctl = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    if (::ioctl(ctl, SIOCGIFFLAGS, &ifr) != 0) fail(14);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(ctl, SIOCSIFFLAGS, &ifr) != 0) fail(15);
    int dns = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(dns, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail(16);
    auto start = std::chrono::steady_clock::now();
    auto r = probe_tcp("silent.meshops.test", 80, 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    if (r.ok) fail(20);
    if (r.error != "cannot resolve silent.meshops.test within 300 ms") fail(21);
    if (took > 2s) fail(22);
    // A numeric address never waits on DNS: refused at once by the closed port.
    auto n = probe_tcp("127.0.0.1", 9, 300ms);
    if (n.ok || n.error.find("resolve") != std::string::npos) fail(23);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  // 10-16: the namespace could not be set up; 20-23: the probe's own checks (see above).
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("HTTP probe sends the URL's host while connecting elsewhere", "[net][probe]") {
  OneShotHttp server(503);
  HttpRequest req;
  req.url = "http://svc.kernelcore.example.ts.net:" + std::to_string(server.sock.port) + "/api/tags";
  req.connect_address = "127.0.0.1";
  req.connect_port = server.sock.port;
  req.timeout = 3000ms;
  auto r = probe_http(req);
  server.t.join();
  CHECK(r.ok);
  CHECK(r.status == 503);
  CHECK(r.latency_ms > 0);
  CHECK_THAT(server.request, Catch::StartsWith("GET /api/tags HTTP/1.1\r\n"));
  CHECK_THAT(server.request, Catch::Contains("\r\nHost: svc.kernelcore.example.ts.net:" + std::to_string(server.sock.port) + "\r\n"));
}

TEST_CASE("HTTP probe gives up at its deadline on a silent server", "[net][probe]") {
  LocalSocket silent(true);  // accepts into the backlog, never answers
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(silent.port) + "/";
  req.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto r = probe_http(req);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(r.ok);
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
  CHECK(took < 3s);
}

TEST_CASE("HTTP probe reports a refused connection", "[net][probe]") {
  LocalSocket bound_only(false);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(bound_only.port) + "/";
  req.timeout = 2000ms;
  auto r = probe_http(req);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("onnect"));
}
