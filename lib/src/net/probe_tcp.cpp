#include "meshops/net/probe.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <cctype>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meshops::net {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

ProbeResult probe_tcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  ProbeResult r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  // Strip IPv6 brackets as nginx writes them ("[::1]").
  std::string h = host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  int rc = ::getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    r.error = fmt::format("cannot resolve {}: {}", h, ::gai_strerror(rc));
    return r;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  auto start = Clock::now();
  auto deadline = start + timeout;
  for (auto* ai = found; ai; ai = ai->ai_next) {
    Fd s{::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)};
    if (s.fd < 0) {
      r.error = fmt::format("socket: {}", std::strerror(errno));
      continue;
    }
    if (::connect(s.fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      r.ok = true;
    } else if (errno == EINPROGRESS) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{s.fd, POLLOUT, 0};
      int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
      if (n == 0) {
        r.error = fmt::format("no connection within {} ms", timeout.count());
        return r;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (n > 0 && err == 0) r.ok = true;
      else r.error = std::strerror(n < 0 ? errno : err);
    } else {
      r.error = std::strerror(errno);
    }
    if (r.ok) {
      r.latency_ms = ms_since(start);
      r.error.clear();
      return r;
    }
  }
  for (auto& c : r.error) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

} // namespace meshops::net
