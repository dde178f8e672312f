#include "meshops/sys/follow.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace meshops::sys {

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
  return true;
}

std::size_t Follower::drain(Source& s, const std::function<void(std::string_view)>& on_line) {
  if (s.fd < 0) return 0;
  struct stat st {};
  // copytruncate: the file is now shorter than what we read, so it was truncated and
  // written again from the start. Whatever was appended between our last read and the
  // truncation is in the copy, not here; that gap is inherent to copytruncate.
  if (::fstat(s.fd, &st) == 0 && static_cast<long long>(st.st_size) < s.offset) {
    s.offset = 0;
    s.pending.clear();
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
    while (!chunk.empty()) {
      std::size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        s.pending.append(chunk);
        break;
      }
      if (s.pending.empty()) {
        on_line(chunk.substr(0, nl));
      } else {
        s.pending.append(chunk.substr(0, nl));
        on_line(s.pending);
        s.pending.clear();
      }
      ++delivered;
      chunk.remove_prefix(nl + 1);
    }
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
