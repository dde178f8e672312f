// The LocalAPI transport: HTTP/1.1 response framing, and the faults a real tailscaled cannot
// be made to produce (a hang, a truncated reply), served by a tiny fake on a unix socket.
#include "meshops/error.hpp"
#include "meshops/tailscale/http.hpp"
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/stream.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace meshops;
using namespace meshops::tailscale;
using namespace std::chrono_literals;

namespace {

HttpResponse parse_whole(const std::string& wire, std::size_t step) {
  ResponseParser p;
  for (std::size_t i = 0; i < wire.size(); i += step)
    if (!p.feed(std::string_view(wire).substr(i, step))) break;
  p.finish();
  return p.response();
}

/// A one-connection unix-socket server that reads the request and answers with `reply`, then
/// either closes or (hang) keeps the connection open without a word.
class FakeDaemon {
public:
  FakeDaemon(std::string reply, bool hang) : path_("/tmp/meshops-fake-" + std::to_string(::getpid()) + ".sock") {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this, reply, hang] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n > 0) request_.assign(buf, static_cast<std::size_t>(n));
      if (!reply.empty()) (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      if (hang)
        while (!stop_) std::this_thread::sleep_for(10ms);
      ::close(c);
    });
  }
  ~FakeDaemon() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  std::string request_;

private:
  std::string path_;
  int fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace

TEST_CASE("ResponseParser reads Content-Length, chunked and close-delimited bodies", "[tailscale][http]") {
  std::string length = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTailscale-Version: 1.98.10\r\n"
                       "Content-Length: 11\r\n\r\n{\"a\":\"b\"}\n\n";
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n6;ext=1\r\n:\"b\"}\n\r\n0\r\n\r\n";
  std::string close = "HTTP/1.1 403 Forbidden\r\n\r\nstatus access denied\n";
  for (std::size_t step : {1, 3, 7, 4096}) {
    DYNAMIC_SECTION("fed " << step << " bytes at a time") {
      auto r = parse_whole(length, step);
      CHECK(r.status == 200);
      CHECK(r.body == "{\"a\":\"b\"}\n\n");
      CHECK(r.headers.at("tailscale-version") == "1.98.10");
      CHECK(parse_whole(chunked, step).body == "{\"a\":\"b\"}\n");
      auto denied = parse_whole(close, step);
      CHECK(denied.status == 403);
      CHECK(denied.body == "status access denied\n");
    }
  }
}

TEST_CASE("ResponseParser rejects cut-short and malformed replies", "[tailscale][http]") {
  CHECK_THROWS_WITH(parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"Peer\":", 4096), "reply cut short in its body");
  CHECK_THROWS_WITH(parse_whole("HTTP/1.1 200 OK\r\nContent-Le", 4096), "reply cut short in its headers");
  CHECK_THROWS_WITH(parse_whole("", 4096), "connection closed without a reply");
  CHECK_THROWS_WITH(parse_whole("SSH-2.0-OpenSSH\r\n", 4096), "not an HTTP response");
  CHECK_THROWS_WITH(parse_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 4096), "bad chunk size");
}

TEST_CASE("ResponseParser streams body bytes to on_body until it says stop", "[tailscale][http]") {
  ResponseParser p;
  std::string got;
  p.on_body = [&](std::string_view b) {
    got.append(b);
    return got.find("second") == std::string::npos;
  };
  CHECK(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n"));
  CHECK_FALSE(p.feed("7\r\nsecond\n\r\n6\r\nthird\n\r\n"));
  CHECK(got == "first\nsecond\n");
}

TEST_CASE("ResponseParser keeps an error's body for the error, not for on_body", "[tailscale][http]") {
  ResponseParser p;
  std::string got;
  p.on_body = [&](std::string_view b) {
    got.append(b);
    return true;
  };
  // What tailscaled's LocalAPI answers a user who may not tap its log (http.Error: text, "\n").
  CHECK_FALSE(p.feed("HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\nlogtap access denied\n"));
  CHECK(got.empty());
  CHECK(p.response().body == "logtap access denied\n");
}

TEST_CASE("The LocalAPI client sends what the official client sends", "[tailscale][localapi]") {
  FakeDaemon d("HTTP/1.1 200 OK\r\nTailscale-Version: 1.98.10-ERR-BuildInfo\r\nContent-Length: 3\r\n\r\n{}\n", false);
  LocalApi api(d.path(), 2s);
  CHECK(api.get("prefs") == "{}\n");
  CHECK(api.daemon_version() == "1.98.10-ERR-BuildInfo");
  CHECK(d.request_.rfind("GET /localapi/v0/prefs HTTP/1.1\r\n", 0) == 0);
  CHECK(d.request_.find("\r\nHost: local-tailscaled.sock\r\n") != std::string::npos);
  CHECK(d.request_.find("\r\nTailscale-Cap: 138\r\n") != std::string::npos);
  CHECK(d.request_.find("Origin") == std::string::npos);
  CHECK(d.request_.find("Referer") == std::string::npos);
}

TEST_CASE("A daemon that hangs is cut at the timeout, never waited on", "[tailscale][localapi]") {
  FakeDaemon d("", true);
  LocalApi api(d.path(), 300ms);
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(api.status(), Catch::Contains("did not answer /status within 0.3 s"));
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

TEST_CASE("A daemon that stalls mid-body is cut at the timeout", "[tailscale][localapi]") {
  FakeDaemon d("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Version\":", true);
  LocalApi api(d.path(), 300ms);
  CHECK_THROWS_WITH(api.status(), Catch::Contains("(reply stalled in its body)"));
}

TEST_CASE("A truncated reply is an error naming the cut, not a parse of half a document", "[tailscale][localapi]") {
  FakeDaemon d("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Version\":", false);
  LocalApi api(d.path(), 2s);
  try {
    api.status();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::unknown);
    CHECK(std::string(e.what()) == "tailscaled at " + d.path() + ": bad HTTP reply to /status: reply cut short in its body");
  }
}

TEST_CASE("A reply that is not JSON, or JSON of another shape, is named as such", "[tailscale][localapi]") {
  SECTION("not JSON") {
    FakeDaemon d("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n<html>hi\n", false);
    CHECK_THROWS_WITH(LocalApi(d.path(), 2s).status(), "tailscaled's /status reply: not JSON (at byte 1)");
  }
  SECTION("wrong shape") {
    FakeDaemon d("HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n{\"Self\":{\"RxBytes\":\"1\"}}", false);
    CHECK_THROWS_WITH(LocalApi(d.path(), 2s).status(), "tailscaled's /status reply: Self.RxBytes: expected an integer, got string");
  }
  SECTION("HTTP 403") {
    FakeDaemon d("HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\nstatus access denied\n", false);
    CHECK_THROWS_WITH(LocalApi(d.path(), 2s).status(), Catch::Contains("refused /status: permission denied (status access denied)"));
  }
}

TEST_CASE("Socket missing and connection refused are told apart", "[tailscale][localapi]") {
  CHECK_THROWS_WITH(LocalApi("/nonexistent/tailscaled.sock", 1s).status(),
                    "cannot reach tailscaled at /nonexistent/tailscaled.sock: no such socket");
  // A socket file nobody listens on: what a crashed tailscaled leaves behind.
  std::string path = "/tmp/meshops-dead-" + std::to_string(::getpid()) + ".sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  ::close(fd);
  CHECK_THROWS_WITH(LocalApi(path, 1s).status(), Catch::Contains("connection refused (not running?)"));
  ::unlink(path.c_str());
}

TEST_CASE("A failed call says why in its cause, not only in its words", "[tailscale][localapi]") {
  auto cause_of = [](const LocalApi& api) {
    try {
      api.status();
    } catch (const LocalApiError& e) {
      return e.cause();
    }
    FAIL("no LocalApiError");
    return LocalApiError::Cause::io;
  };
  CHECK(cause_of(LocalApi("/nonexistent/tailscaled.sock", 1s)) == LocalApiError::Cause::unreachable);
  {
    FakeDaemon d("HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\nstatus access denied\n", false);
    CHECK(cause_of(LocalApi(d.path(), 2s)) == LocalApiError::Cause::permission);
  }
  {
    FakeDaemon d("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nno\r\n", false);
    CHECK(cause_of(LocalApi(d.path(), 2s)) == LocalApiError::Cause::reply);
  }
}

TEST_CASE("follow_stream hands out lines, says a lost stream once, gives up on a refusal", "[tailscale][stream]") {
  struct Lost {
    std::string why;
  };
  SECTION("lines, then tailscaled closes the stream") {
    FakeDaemon d("HTTP/1.1 200 OK\r\n\r\n{\"n\":1}\n{\"n\":2}\r\n", false);
    std::vector<std::string> lines;
    StreamCallbacks cb;
    cb.on_line = [&](std::string_view l) { lines.emplace_back(l); };
    cb.on_lost = [](const std::string& why) { throw Lost{why}; };  // ends the test's follow
    try {
      follow_stream(d.path(), 2s, "watch-ipn-bus", cb, 10ms);
    } catch (const Lost& l) {
      CHECK(l.why == "tailscaled closed the stream");
    }
    CHECK(lines == std::vector<std::string>{"{\"n\":1}", "{\"n\":2}"});
    CHECK(d.request_.rfind("GET /localapi/v0/watch-ipn-bus HTTP/1.1\r\n", 0) == 0);
  }
  SECTION("refused: no retry changes that, and the daemon's reason is kept") {
    FakeDaemon d("HTTP/1.1 403 Forbidden\r\nContent-Length: 21\r\n\r\nlogtap access denied\n", false);
    bool lost = false;
    std::vector<std::string> lines;
    StreamCallbacks cb;
    cb.on_line = [&](std::string_view l) { lines.emplace_back(l); };
    cb.on_lost = [&](const std::string&) { lost = true; };
    try {
      follow_stream(d.path(), 2s, "logtap", cb, 10ms);
    } catch (const LocalApiError& e) {
      CHECK(e.cause() == LocalApiError::Cause::permission);
      CHECK_THAT(e.what(), Catch::EndsWith("refused /logtap: permission denied (logtap access denied)"));
    }
    CHECK_FALSE(lost);
    CHECK(lines.empty());
  }
}

TEST_CASE("resolve_socket prefers the flag, then TS_SOCKET, then the config", "[tailscale][localapi]") {
  ::unsetenv("TS_SOCKET");
  CHECK(resolve_socket("", "") == "/var/run/tailscale/tailscaled.sock");
  CHECK(resolve_socket("", "/cfg.sock") == "/cfg.sock");
  ::setenv("TS_SOCKET", "/env.sock", 1);
  CHECK(resolve_socket("", "/cfg.sock") == "/env.sock");
  CHECK(resolve_socket("/flag.sock", "/cfg.sock") == "/flag.sock");
  ::unsetenv("TS_SOCKET");
}
