#include "meshops/sys/follow.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace meshops::sys {
namespace {

// How many bytes before the offset are remembered to recognise the file's content. Enough to
// span a timestamp and a request in any log line, so a refill rarely reproduces them.
constexpr std::size_t kTailBytes = 128;

void remember_tail(std::string& tail, std::string_view read) {
  if (read.size() >= kTailBytes) {
    tail.assign(read.substr(read.size() - kTailBytes));
    return;
  }
  tail.append(read);
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
}

} // namespace

Follower::Follower(std::string path, Options options) : path_(std::move(path)), options_(options) {
  open_current(!options_.from_start);
}

Follower::~Follower() {
  if (cur_.fd >= 0) ::close(cur_.fd);
  if (old_.fd >= 0) ::close(old_.fd);
}

bool Follower::open_current(bool at_end) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw Error(Exit::unknown, fmt::format("{}: {}", path_, std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(fd, &st);
  cur_ = Source{};
  cur_.fd = fd;
  cur_.dev = st.st_dev;
  cur_.ino = st.st_ino;
  cur_.offset = at_end ? static_cast<long long>(st.st_size) : 0;
  if (cur_.offset > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<long long>(cur_.offset, kTailBytes));
    cur_.tail.resize(n);
    ssize_t got = ::pread(fd, cur_.tail.data(), n, cur_.offset - static_cast<long long>(n));
    cur_.tail.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  }
  return true;
}

// copytruncate cuts the file to 0 and the writer (nginx, with O_APPEND) goes on writing from
// the start. When we look only after it has written more than we had read, the size alone
// cannot tell. So we remember the last bytes before our offset and read them again: if they
// changed, the file was rewritten under us, and we start over at 0. (The same file name and
// inode, and a size/mtime that only grow, make inode+size+mtime heuristics blind to this.)
// A refill that reproduces those exact 128 bytes at the exact same place goes unnoticed;
// for log lines carrying timestamps and request data that does not happen in practice.
bool Follower::rewritten(Source& s, long long size) const {
  if (size < s.offset) return true;
  if (s.tail.empty()) return false;
  std::string now(s.tail.size(), '\0');
  ssize_t got = ::pread(s.fd, now.data(), now.size(), s.offset - static_cast<long long>(now.size()));
  return got != static_cast<ssize_t>(now.size()) || now != s.tail;
}

// Splits what was read into lines. A line longer than max_line is delivered as its first
// max_line bytes (bounding memory for a file that never writes a newline), and the rest of it
// is dropped up to its newline.
void Follower::take(Source& s, std::string_view chunk, const std::function<void(std::string_view)>& on_line,
                    std::size_t& delivered) {
  const std::size_t max = options_.max_line;
  while (!chunk.empty()) {
    std::size_t nl = chunk.find('\n');
    std::string_view piece = chunk.substr(0, nl);
    if (s.skipping) {
      if (nl == std::string_view::npos) return;
      s.skipping = false;
    } else if (s.pending.empty() && nl != std::string_view::npos && piece.size() <= max) {
      on_line(piece);
      ++delivered;
    } else if (s.pending.size() + piece.size() > max) {
      s.pending.append(piece.substr(0, max - s.pending.size()));
      on_line(s.pending);
      s.pending.clear();
      ++delivered;
      ++truncated_lines_;
      s.skipping = nl == std::string_view::npos;
    } else {
      s.pending.append(piece);
      if (nl == std::string_view::npos) return;
      on_line(s.pending);
      s.pending.clear();
      ++delivered;
    }
    if (nl == std::string_view::npos) return;
    chunk.remove_prefix(nl + 1);
  }
}

std::size_t Follower::drain(Source& s, const std::function<void(std::string_view)>& on_line) {
  if (s.fd < 0) return 0;
  struct stat st {};
  // copytruncate: the file was cut and written again from the start. Whatever was appended
  // between our last read and the truncation is in the copy, not here; that gap is inherent
  // to copytruncate.
  if (::fstat(s.fd, &st) == 0 && rewritten(s, static_cast<long long>(st.st_size))) {
    s.offset = 0;
    s.pending.clear();
    s.skipping = false;
    s.tail.clear();
    ++rotations_;
  }
  std::size_t delivered = 0;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::pread(s.fd, buf, sizeof buf, s.offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Exit::unknown, fmt::format("{}: read: {}", path_, std::strerror(errno)));
    }
    if (n == 0) break;
    s.offset += n;
    std::string_view chunk(buf, static_cast<std::size_t>(n));
    remember_tail(s.tail, chunk);
    take(s, chunk, on_line, delivered);
  }
  return delivered;
}

void Follower::check_rotation() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return;  // renamed away, new one not there yet: keep reading the old
  if (cur_.fd >= 0 && static_cast<unsigned long long>(st.st_dev) == cur_.dev &&
      static_cast<unsigned long long>(st.st_ino) == cur_.ino)
    return;
  // A new file under the name: the one we have becomes the old one, read until quiet.
  if (old_.fd >= 0) ::close(old_.fd);
  old_ = std::move(cur_);
  cur_ = Source{};
  old_quiet_since_ = std::chrono::steady_clock::now();
  if (old_.fd >= 0) ++rotations_;
  open_current(/*at_end=*/false);
}

void Follower::poll(const std::function<void(std::string_view)>& on_line, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    std::size_t got = 0;
    if (cur_.fd < 0) open_current(/*at_end=*/false);
    if (old_.fd >= 0) {
      std::size_t n = drain(old_, on_line);
      auto now = std::chrono::steady_clock::now();
      if (n) old_quiet_since_ = now;
      else if (now - old_quiet_since_ >= options_.drain) {
        if (!old_.pending.empty()) on_line(old_.pending);  // a last line without '\n'
        ::close(old_.fd);
        old_ = Source{};
      }
      got += n;
    }
    got += drain(cur_, on_line);
    check_rotation();
    if (old_.fd >= 0 && cur_.fd >= 0) got += drain(cur_, on_line);
    if (got || std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(options_.poll);
  }
}

} // namespace meshops::sys
