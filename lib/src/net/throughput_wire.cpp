#include "throughput_wire.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace meshops::net::wire {
namespace {

void put_u32(char* out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
std::uint32_t get_u32(const char* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string errno_text(const char* what) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return fmt::format("{}: stalled past the timeout", what);
  return fmt::format("{}: {}", what, std::strerror(errno));
}

} // namespace

std::string encode(const Hello& h) {
  std::string out(kHelloSize, '\0');
  std::memcpy(out.data(), kMagic, 4);
  out[4] = h.mode;
  put_u32(out.data() + 8, h.duration_ms);
  put_u32(out.data() + 12, h.session);
  return out;
}

Hello decode(const char* b) {
  if (std::memcmp(b, kMagic, 4) != 0) throw std::runtime_error("not a ts-benchmark client");
  Hello h;
  h.mode = b[4];
  if (h.mode != 'U' && h.mode != 'D' && h.mode != 'P' && h.mode != 'R') throw std::runtime_error("unknown mode");
  h.duration_ms = get_u32(b + 8);
  h.session = get_u32(b + 12);
  // A day is far beyond any test; it bounds what a stray client can make the server do.
  if (h.duration_ms > 86'400'000) throw std::runtime_error("duration out of range");
  return h;
}

void put_u64(char* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
std::uint64_t get_u64(const char* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

bool read_exact(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, buf + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
      continue;
    }
    if (r == 0) {
      if (got == 0) return false;
      throw std::runtime_error("connection closed mid-message");
    }
    if (errno == EINTR) continue;
    throw std::runtime_error(errno_text("recv"));
  }
  return true;
}

void write_all(int fd, const char* buf, std::size_t n) {
  std::size_t sent = 0;
  while (sent < n) {
    ssize_t r = ::send(fd, buf + sent, n - sent, MSG_NOSIGNAL);
    if (r >= 0) {
      sent += static_cast<std::size_t>(r);
      continue;
    }
    if (errno == EINTR) continue;
    throw std::runtime_error(errno_text("send"));
  }
}

std::uint64_t retransmits(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  return info.tcpi_total_retrans;
}

void set_timeouts(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace meshops::net::wire
