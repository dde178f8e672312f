#include "meshops/error.hpp"
#include "meshops/net/throughput.hpp"
#include "throughput_wire.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <algorithm>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace meshops::net {
namespace {

using Clock = std::chrono::steady_clock;

/// Retransmits of download streams by session, for 'R' requests. Bounded: the oldest
/// sessions are forgotten.
class Sessions {
public:
  void add(std::uint32_t session, std::uint64_t retrans) {
    std::lock_guard lock(mu_);
    if (retrans_.size() > 1024) retrans_.erase(retrans_.begin());
    retrans_[session] += retrans;
  }
  std::uint64_t get(std::uint32_t session) {
    std::lock_guard lock(mu_);
    auto it = retrans_.find(session);
    return it == retrans_.end() ? 0 : it->second;
  }

private:
  std::mutex mu_;
  std::map<std::uint32_t, std::uint64_t> retrans_;
};

void serve_upload(int fd) {
  std::vector<char> buf(wire::kChunk);
  std::uint64_t bytes = 0;
  Clock::time_point first{};
  while (true) {
    ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      return;  // the client went away or stalled: nothing to report to it
    }
    if (bytes == 0) first = Clock::now();
    bytes += static_cast<std::uint64_t>(r);
  }
  auto us = bytes ? std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - first).count() : 0;
  char reply[16];
  wire::put_u64(reply, bytes);
  wire::put_u64(reply + 8, static_cast<std::uint64_t>(us));
  wire::write_all(fd, reply, sizeof reply);
}

void serve_download(int fd, const wire::Hello& h, Sessions& sessions) {
  std::vector<char> buf(wire::kChunk, 0);
  auto end = Clock::now() + std::chrono::milliseconds(h.duration_ms);
  while (Clock::now() < end) wire::write_all(fd, buf.data(), buf.size());
  ::shutdown(fd, SHUT_WR);
  // Wait for the client to read everything (its close), so TCP_INFO counts every retransmit.
  char drain[256];
  while (::recv(fd, drain, sizeof drain, 0) > 0) {
  }
  sessions.add(h.session, wire::retransmits(fd));
}

void serve_echo(int fd) {
  wire::no_delay(fd);
  char msg[8];
  while (wire::read_exact(fd, msg, sizeof msg)) wire::write_all(fd, msg, sizeof msg);
}

void serve_connection(int fd, Sessions& sessions) {
  try {
    // A client gets generous time per read and write, but a dead one never holds a thread
    // forever.
    wire::set_timeouts(fd, std::chrono::seconds(30));
    char hello[wire::kHelloSize];
    if (!wire::read_exact(fd, hello, sizeof hello)) return;
    auto h = wire::decode(hello);
    switch (h.mode) {
    case 'U': serve_upload(fd); break;
    case 'D': serve_download(fd, h, sessions); break;
    case 'P': serve_echo(fd); break;
    case 'R': {
      char reply[8];
      wire::put_u64(reply, sessions.get(h.session));
      wire::write_all(fd, reply, sizeof reply);
      break;
    }
    }
  } catch (const std::exception&) {
    // One broken client ends its own connection only.
  }
}

int listen_on(const std::string& address, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1)
      throw Error(Exit::usage, fmt::format("--bind: not an IP address: {}", address));
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1)
      throw Error(Exit::usage, fmt::format("--bind: not an IP address: {}", address));
    len = sizeof *a;
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(Exit::unknown, fmt::format("socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(Exit::unknown, fmt::format("listen on {}:{}: {}", address, port, std::strerror(err)));
  }
  return fd;
}

} // namespace

void serve_throughput(const std::string& bind_address, int port, const std::atomic<bool>& stop,
                      const std::function<void(int)>& on_ready) {
  int lfd = listen_on(bind_address, port);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&ss), &len);
  int bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (on_ready) on_ready(bound);
  Sessions sessions;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> workers;
  std::vector<int> open;
  std::mutex mu;
  while (!stop) {
    // Join finished connections, so a long-running server does not pile them up.
    for (auto it = workers.begin(); it != workers.end();) {
      if (*it->done) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
    pollfd p{lfd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      std::lock_guard lock(mu);
      open.push_back(fd);
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers.push_back({std::thread([fd, done, &sessions, &mu, &open] {
                         serve_connection(fd, sessions);
                         std::lock_guard lock(mu);
                         open.erase(std::find(open.begin(), open.end(), fd));
                         ::close(fd);
                         *done = true;
                       }),
                       done});
  }
  // Stop: wake every connection still open so its thread ends, then wait for them.
  {
    std::lock_guard lock(mu);
    for (int fd : open) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& w : workers) w.thread.join();
  ::close(lfd);
}

} // namespace meshops::net
