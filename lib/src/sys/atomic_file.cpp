#include "meshops/sys/atomic_file.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/access.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace meshops::sys {
namespace {

/// HINT_PATH: the file or directory whose permission a refusal is about ("" for none).
[[noreturn]] void fail(const std::string& path, const char* what, int err, const std::string& hint_path = {},
                       Access access = Access::read) {
  throw Error(Exit::unknown, fmt::format("{}: {}: {}", path, what, std::strerror(err)),
              hint_path.empty() ? std::string() : permission_hint(err, hint_path, access));
}

} // namespace

void write_file_atomic(const std::string& path, std::string_view content, unsigned mode) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // A leading dot keeps node_exporter's textfile collector (which reads *.prom) off the temp file.
  std::string tmp = dir + (slash == std::string::npos ? "/" : "") + "." + base + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, "cannot create a temporary file beside it", errno, dir, Access::write);
  auto abandon = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what, err);
  };
  if (::fchmod(fd, mode) != 0) abandon("chmod");
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) abandon("write");
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) abandon("fsync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "close", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "rename", err, dir, Access::write);
  }
}

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open", errno, path, Access::read);
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      ::close(fd);
      fail(path, "cannot read", err);
    }
    if (r == 0) break;
    data.append(buf, static_cast<std::size_t>(r));
  }
  ::close(fd);
  return data;
}

} // namespace meshops::sys
