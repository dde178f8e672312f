#include "meshops/net/probe.hpp"

#include "meshops/sys/fd.hpp"
#include "meshops/sys/text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace meshops::net {
namespace {

using Clock = std::chrono::steady_clock;
using AddrList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One name lookup, shared by the caller and the thread doing it: whoever leaves last frees it.
struct Lookup {
  std::mutex m;
  std::condition_variable done_cv;
  bool done = false;
  int rc = 0;
  addrinfo* found = nullptr;
  ~Lookup() {
    if (found) ::freeaddrinfo(found);
  }
};

/// Resolves host:port by the deadline. A numeric address is parsed without any DNS
/// (AI_NUMERICHOST). A name is looked up on a thread of its own: getaddrinfo has no timeout
/// (resolv.conf's own is 5 s per server and attempt), so at the deadline the thread is left to
/// finish on its own and its result dropped. Returns the list, or sets error.
AddrList resolve(const std::string& host, int port, Clock::time_point deadline, std::chrono::milliseconds timeout,
                 std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc == 0) return AddrList(found, ::freeaddrinfo);
  if (rc != EAI_NONAME) {
    error = fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc));
    return AddrList(nullptr, ::freeaddrinfo);
  }
  hints.ai_flags = AI_NUMERICSERV;
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host, service, hints] {
    addrinfo* res = nullptr;
    int r = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    std::lock_guard<std::mutex> lock(lookup->m);
    lookup->rc = r;
    lookup->found = res;
    lookup->done = true;
    lookup->done_cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(lookup->m);
  if (!lookup->done_cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    error = fmt::format("cannot resolve {} within {} ms", host, timeout.count());
    return AddrList(nullptr, ::freeaddrinfo);
  }
  if (lookup->rc != 0) {
    error = fmt::format("cannot resolve {}: {}", host, ::gai_strerror(lookup->rc));
    return AddrList(nullptr, ::freeaddrinfo);
  }
  AddrList list(lookup->found, ::freeaddrinfo);
  lookup->found = nullptr;
  return list;
}

} // namespace

ProbeResult probe_tcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  ProbeResult r;
  // One deadline for the name lookup and the connect together.
  const auto deadline = Clock::now() + timeout;
  // Strip IPv6 brackets as nginx writes them ("[::1]").
  std::string h = host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  AddrList list = resolve(h, port, deadline, timeout, r.error);
  if (!list) return r;
  auto start = Clock::now();
  for (auto* ai = list.get(); ai; ai = ai->ai_next) {
    sys::Fd s{::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)};
    if (!s.valid()) {
      r.error = fmt::format("socket: {}", std::strerror(errno));
      continue;
    }
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      r.ok = true;
    } else if (errno == EINPROGRESS) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{s.get(), POLLOUT, 0};
      int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
      if (n == 0) {
        r.error = fmt::format("no connection within {} ms", timeout.count());
        return r;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
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
  r.error = sys::lower(r.error);
  return r;
}

} // namespace meshops::net
