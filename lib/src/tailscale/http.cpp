#include "meshops/tailscale/http.hpp"

#include "meshops/sys/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace meshops::tailscale {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = TransportError::Kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

constexpr std::size_t kMaxLine = 64 * 1024;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

/// Waits for fd to be ready for events; false at the deadline. No deadline: wait forever.
bool wait_ready(int fd, short events, std::optional<Clock::time_point> deadline) {
  pollfd p{fd, events, 0};
  while (true) {
    int n = ::poll(&p, 1, deadline ? remaining_ms(*deadline) : -1);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

} // namespace

bool ResponseParser::deliver(std::string_view bytes) {
  if (streams()) return on_body(bytes);
  response_.body.append(bytes);
  return true;
}

void ResponseParser::start_body() {
  auto te = response_.headers.find("transfer-encoding");
  auto cl = response_.headers.find("content-length");
  if (te != response_.headers.end() && sys::lower(te->second).find("chunked") != std::string::npos) {
    state_ = State::chunk_size;
  } else if (cl != response_.headers.end()) {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(cl->second.c_str(), &end, 10);
    if (errno || end == cl->second.c_str() || *end) throw std::runtime_error("bad Content-Length: " + cl->second);
    remaining_ = n;
    state_ = n ? State::body_length : State::done;
  } else if (response_.status == 204 || response_.status == 304 || response_.status / 100 == 1) {
    state_ = State::done;
  } else {
    state_ = State::body_until_close;
  }
}

bool ResponseParser::feed(std::string_view data) {
  while (!data.empty() && state_ != State::done) {
    switch (state_) {
    case State::status_line:
    case State::headers:
    case State::chunk_size:
    case State::chunk_crlf:
    case State::trailers: {
      auto nl = data.find('\n');
      if (nl == std::string_view::npos) {
        line_.append(data);
        if (line_.size() > kMaxLine) throw std::runtime_error("header line too long");
        return true;
      }
      line_.append(data.substr(0, nl));
      data.remove_prefix(nl + 1);
      std::string_view line = line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (state_ == State::status_line) {
        // "HTTP/1.1 200 OK"
        if (line.substr(0, 5) != "HTTP/" || line.size() < 12) throw std::runtime_error("not an HTTP response");
        auto sp = line.find(' ');
        response_.status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
        if (response_.status < 100 || response_.status > 599) throw std::runtime_error("bad HTTP status line");
        state_ = State::headers;
      } else if (state_ == State::headers) {
        if (line.empty()) {
          start_body();
        } else {
          auto colon = line.find(':');
          if (colon == std::string_view::npos) throw std::runtime_error("malformed header line");
          response_.headers[sys::lower(std::string(trim(line.substr(0, colon))))] = std::string(trim(line.substr(colon + 1)));
        }
      } else if (state_ == State::chunk_size) {
        auto hex = line.substr(0, line.find(';'));
        hex = trim(hex);
        if (hex.empty()) throw std::runtime_error("bad chunk size");
        std::size_t n = 0;
        for (char c : hex) {
          int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                  : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                              : -1;
          if (d < 0 || n > (SIZE_MAX >> 4)) throw std::runtime_error("bad chunk size");
          n = n * 16 + static_cast<std::size_t>(d);
        }
        remaining_ = n;
        state_ = n ? State::chunk_data : State::trailers;
      } else if (state_ == State::chunk_crlf) {
        if (!line.empty()) throw std::runtime_error("missing CRLF after chunk");
        state_ = State::chunk_size;
      } else if (line.empty()) {  // trailers end
        state_ = State::done;
      }
      line_.clear();
      break;
    }
    case State::body_length:
    case State::chunk_data: {
      auto take = std::min(remaining_, data.size());
      bool more = deliver(data.substr(0, take));
      data.remove_prefix(take);
      remaining_ -= take;
      if (remaining_ == 0) state_ = state_ == State::body_length ? State::done : State::chunk_crlf;
      if (!more) return false;
      break;
    }
    case State::body_until_close:
      if (!deliver(data)) return false;
      data = {};
      break;
    case State::done: break;
    }
  }
  return state_ != State::done;
}

void ResponseParser::finish() {
  if (state_ == State::body_until_close) {
    state_ = State::done;
    return;
  }
  if (state_ != State::done) {
    if (state_ == State::status_line && line_.empty()) throw std::runtime_error("connection closed without a reply");
    throw std::runtime_error(state_ <= State::headers ? "reply cut short in its headers" : "reply cut short in its body");
  }
}

sys::Fd connect_unix(const std::string& socket_path, Clock::time_point deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw TransportError(Kind::io, "socket path too long");
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  sys::Fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!sock.valid() && (errno == EMFILE || errno == ENFILE)) throw TransportError(Kind::resources, std::strerror(errno));
  if (!sock.valid()) throw TransportError(Kind::io, fmt::format("socket: {}", std::strerror(errno)));
  int fd = sock.get();
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (err == EAGAIN || err == EINPROGRESS) {
      // The listener's backlog is full: a daemon that accepts nothing. Wait for it, bounded.
      if (!wait_ready(fd, POLLOUT, deadline)) throw TransportError(Kind::timeout, "connect timed out");
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err == ENOENT || err == ENOTDIR) throw TransportError(Kind::no_socket, std::strerror(err));
    if (err == EACCES || err == EPERM) throw TransportError(Kind::permission, std::strerror(err));
    if (err == ECONNREFUSED) throw TransportError(Kind::refused, std::strerror(err));
    if (err) throw TransportError(Kind::io, std::strerror(err));
  }
  return sock;
}

std::string request_bytes(const HttpRequest& request) {
  std::string wire = fmt::format("{} {} HTTP/1.1\r\nHost: local-tailscaled.sock\r\nConnection: close\r\n",
                                 request.method, request.target);
  for (const auto& [k, v] : request.headers) wire += fmt::format("{}: {}\r\n", k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PATCH")
    wire += fmt::format("Content-Length: {}\r\n", request.body.size());
  wire += "\r\n";
  wire += request.body;
  return wire;
}

namespace {

void send_all(int fd, const std::string& wire, Clock::time_point deadline) {
  for (std::size_t sent = 0; sent < wire.size();) {
    ssize_t n = ::send(fd, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) throw TransportError(Kind::io, fmt::format("send: {}", std::strerror(errno)));
    if (!wait_ready(fd, POLLOUT, deadline)) throw TransportError(Kind::timeout, "send timed out");
  }
}

/// Reads what is there on fd into parser. Returns false when the exchange is over.
bool read_some(int fd, ResponseParser& parser) {
  char buf[65536];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    throw TransportError(Kind::io, fmt::format("recv: {}", std::strerror(errno)));
  }
  try {
    if (n == 0) {
      parser.finish();
      return false;
    }
    return parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  } catch (const std::runtime_error& e) {
    throw TransportError(Kind::malformed, e.what());
  }
}

[[noreturn]] void timed_out(const ResponseParser& parser) {
  throw TransportError(Kind::timeout, parser.headers_done() ? "reply stalled in its body" : "no reply");
}

} // namespace

HttpResponse unix_http(const std::string& socket_path, const HttpRequest& request, std::chrono::milliseconds timeout,
                       std::function<bool(std::string_view)> on_body) {
  auto deadline = Clock::now() + timeout;
  auto sock = connect_unix(socket_path, deadline);
  send_all(sock.get(), request_bytes(request), deadline);
  ResponseParser parser;
  parser.on_body = std::move(on_body);
  while (true) {
    // A stream's deadline covers its headers; after that it runs until the consumer stops.
    std::optional<Clock::time_point> until;
    if (!parser.headers_done() || !parser.streams()) until = deadline;
    if (!wait_ready(sock.get(), POLLIN, until)) timed_out(parser);
    if (!read_some(sock.get(), parser)) break;
  }
  return std::move(parser.response());
}

std::vector<HttpResponse> unix_http_all(const std::string& socket_path, const std::vector<HttpRequest>& requests,
                                        std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::vector<sys::Fd> socks;
  socks.reserve(requests.size());
  for (const auto& r : requests) {
    socks.push_back(connect_unix(socket_path, deadline));
    send_all(socks.back().get(), request_bytes(r), deadline);
  }
  std::vector<ResponseParser> parsers(requests.size());
  std::vector<bool> open(requests.size(), true);
  std::size_t pending = requests.size();
  while (pending) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < socks.size(); ++i)
      if (open[i]) {
        fds.push_back({socks[i].get(), POLLIN, 0});
        index.push_back(i);
      }
    int n = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      for (std::size_t i : index) timed_out(parsers[i]);
    }
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      std::size_t i = index[k];
      if (!read_some(socks[i].get(), parsers[i])) {
        open[i] = false;
        --pending;
      }
    }
  }
  std::vector<HttpResponse> out;
  for (auto& p : parsers) out.push_back(std::move(p.response()));
  return out;
}

} // namespace meshops::tailscale
