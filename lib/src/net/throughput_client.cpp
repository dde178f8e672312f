#include "meshops/error.hpp"
#include "meshops/net/throughput.hpp"
#include "throughput_wire.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <condition_variable>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace meshops::net {
namespace {

using Clock = std::chrono::steady_clock;

/// A connected socket, closed when it goes out of scope.
struct Conn {
  int fd = -1;
  Conn() = default;
  explicit Conn(int f) : fd(f) {}
  Conn(Conn&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Conn& operator=(Conn&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};

std::string where(const ThroughputOptions& o) {
  return o.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", o.host, o.port) : fmt::format("{}:{}", o.host, o.port);
}

/// Connects within opts.timeout and sends the hello.
Conn open_stream(const ThroughputOptions& o, const wire::Hello& hello) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = o.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(o.port));
    if (::inet_pton(AF_INET6, o.host.c_str(), &a->sin6_addr) != 1) throw Error(Exit::usage, "not an IP address: " + o.host);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(o.port));
    if (::inet_pton(AF_INET, o.host.c_str(), &a->sin_addr) != 1) throw Error(Exit::usage, "not an IP address: " + o.host);
    len = sizeof *a;
  }
  Conn c(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (c.fd < 0) throw Error(Exit::unknown, fmt::format("socket: {}", std::strerror(errno)));
  int err = 0;
  if (::connect(c.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{c.fd, POLLOUT, 0};
      int n = ::poll(&p, 1, static_cast<int>(o.timeout.count()));
      if (n == 0)
        throw Error(Exit::unknown, fmt::format("connect to {}: timed out after {} ms", where(o), o.timeout.count()),
                    "is the peer reachable, and ts-benchmark --serve running there?");
      socklen_t l = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &l);
    }
  }
  if (err)
    throw Error(Exit::unknown, fmt::format("connect to {}: {}", where(o), std::strerror(err)),
                "is ts-benchmark --serve running there? (ts-benchmark --serve --port PORT)");
  // Back to blocking, each read and write bounded by SO_RCVTIMEO/SO_SNDTIMEO.
  int fl = ::fcntl(c.fd, F_GETFL);
  ::fcntl(c.fd, F_SETFL, fl & ~O_NONBLOCK);
  wire::set_timeouts(c.fd, o.timeout);
  auto h = wire::encode(hello);
  wire::write_all(c.fd, h.data(), h.size());
  return c;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

/// Round trips over the echo connection, probing every interval until stopped.
class Echo {
public:
  Echo(const ThroughputOptions& o, std::uint32_t session) : o_(o), conn_(open_stream(o, {'P', 0, session})) {
    wire::no_delay(conn_.fd);
  }
  /// Probes in the calling thread for d.
  LatencyPhase run_for(std::chrono::milliseconds d) {
    stop_ = false;
    auto end = Clock::now() + d;
    LatencyPhase out;
    loop([&] { return Clock::now() >= end; }, out);
    return out;
  }
  /// Probes in a thread until stop().
  void start() {
    stop_ = false;
    phase_ = {};
    thread_ = std::thread([this] { loop([this] { return stop_.load(); }, phase_); });
  }
  LatencyPhase stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    phase_.stats = summarize(phase_.rtts_ms);
    return std::move(phase_);
  }

private:
  template <class Done>
  void loop(Done done, LatencyPhase& out) {
    auto next = Clock::now();
    std::uint64_t seq = 0;
    while (!done() && !broken_) {
      char msg[8], back[8];
      wire::put_u64(msg, ++seq);
      auto t0 = Clock::now();
      try {
        wire::write_all(conn_.fd, msg, sizeof msg);
        if (!wire::read_exact(conn_.fd, back, sizeof back) || wire::get_u64(back) != seq) throw std::runtime_error("echo lost");
        out.rtts_ms.push_back(ms_since(t0));
      } catch (const std::runtime_error&) {
        // A round trip slower than the timeout, or the echo broke: a lost probe, and the
        // connection cannot be trusted for the rest.
        out.rtts_ms.push_back(std::nullopt);
        broken_ = true;
      }
      next += o_.latency_interval;
      while (!done() && Clock::now() < next) std::this_thread::sleep_for(std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(20)));
    }
    out.stats = summarize(out.rtts_ms);
  }

  const ThroughputOptions& o_;
  Conn conn_;
  std::atomic<bool> stop_{false};
  bool broken_ = false;
  std::thread thread_;
  LatencyPhase phase_;
};

/// Reports progress every 250 ms while a transfer runs.
class Progress {
public:
  Progress(const ThroughputOptions& o, std::string phase, const std::atomic<std::uint64_t>& bytes)
      : o_(o), phase_(std::move(phase)), bytes_(bytes) {
    if (o_.on_progress) thread_ = std::thread([this] {
      while (!done_) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_.load(); });
        if (!done_) o_.on_progress(phase_, bytes_.load());
      }
    });
  }
  ~Progress() {
    done_ = true;
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

private:
  const ThroughputOptions& o_;
  std::string phase_;
  const std::atomic<std::uint64_t>& bytes_;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

struct StreamOutcome {
  std::uint64_t bytes = 0, micros = 0, retrans = 0;
  std::string error;
};

/// Runs one function per stream in its own thread; the first error is thrown after all end.
template <class Fn>
std::vector<StreamOutcome> run_streams(const ThroughputOptions& o, Fn fn) {
  std::vector<StreamOutcome> out(static_cast<std::size_t>(o.streams));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < out.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        out[i] = fn();
      } catch (const Error& e) {
        out[i].error = e.what();
      } catch (const std::exception& e) {
        out[i].error = fmt::format("stream to {}: {}", where(o), e.what());
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& s : out)
    if (!s.error.empty()) throw Error(Exit::unknown, s.error);
  return out;
}

TransferResult combine(const std::vector<StreamOutcome>& streams) {
  TransferResult r;
  std::uint64_t micros = 0;
  for (const auto& s : streams) {
    r.bytes += s.bytes;
    r.retransmits += s.retrans;
    micros = std::max(micros, s.micros);
  }
  r.seconds = static_cast<double>(micros) / 1e6;
  r.mbit_s = r.seconds > 0 ? static_cast<double>(r.bytes) * 8 / r.seconds / 1e6 : 0;
  return r;
}

TransferResult upload(const ThroughputOptions& o, std::uint32_t session) {
  std::atomic<std::uint64_t> sent{0};
  Progress progress(o, "upload", sent);
  return combine(run_streams(o, [&] {
    Conn c = open_stream(o, {'U', 0, session});
    std::vector<char> buf(wire::kChunk, 0);
    auto end = Clock::now() + o.duration;
    while (Clock::now() < end) {
      wire::write_all(c.fd, buf.data(), buf.size());
      sent += buf.size();
    }
    ::shutdown(c.fd, SHUT_WR);
    // The server answers once it has read everything, so all our segments are acked and
    // TCP_INFO's count is final.
    char reply[16];
    if (!wire::read_exact(c.fd, reply, sizeof reply)) throw std::runtime_error("the server closed without its count");
    return StreamOutcome{wire::get_u64(reply), wire::get_u64(reply + 8), wire::retransmits(c.fd), {}};
  }));
}

TransferResult download(const ThroughputOptions& o, std::uint32_t session) {
  std::atomic<std::uint64_t> received{0};
  TransferResult r;
  {
    Progress progress(o, "download", received);
    r = combine(run_streams(o, [&] {
      Conn c = open_stream(o, {'D', static_cast<std::uint32_t>(o.duration.count()), session});
      std::vector<char> buf(wire::kChunk);
      StreamOutcome s;
      Clock::time_point first{};
      while (true) {
        ssize_t n = ::recv(c.fd, buf.data(), buf.size(), 0);
        if (n == 0) break;
        if (n < 0) {
          if (errno == EINTR) continue;
          throw std::runtime_error(errno == EAGAIN ? "recv: stalled past the timeout" : std::strerror(errno));
        }
        if (s.bytes == 0) first = Clock::now();
        s.bytes += static_cast<std::uint64_t>(n);
        received += static_cast<std::uint64_t>(n);
      }
      if (s.bytes) s.micros = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - first).count());
      return s;
    }));
  }
  // The sender's retransmits are the server's to count.
  Conn c = open_stream(o, {'R', 0, session});
  char reply[8];
  if (wire::read_exact(c.fd, reply, sizeof reply)) r.retransmits = wire::get_u64(reply);
  return r;
}

} // namespace

ThroughputResult run_throughput(const ThroughputOptions& o) {
  if (o.streams < 1) throw Error(Exit::usage, "streams must be at least 1");
  std::uint32_t session = std::random_device{}();
  ThroughputResult r;
  Echo echo(o, session);
  r.idle = echo.run_for(o.idle_phase);
  if (o.upload) {
    echo.start();
    try {
      r.upload = upload(o, session);
    } catch (...) {
      echo.stop();
      throw;
    }
    r.under_upload = echo.stop();
  }
  if (o.download) {
    echo.start();
    try {
      r.download = download(o, session);
    } catch (...) {
      echo.stop();
      throw;
    }
    r.under_download = echo.stop();
  }
  return r;
}

} // namespace meshops::net
