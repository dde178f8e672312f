#include "input.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/access.hpp"
#include "meshops/sys/fd.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace nginx_logs {
namespace {

using meshops::Error;
using meshops::Exit;

// Large enough that mmap/munmap and page-table work vanish next to parsing, small enough
// that the resident set stays far under the 64 MB budget with two threads.
constexpr std::uint64_t kWindow = 16u << 20;

[[noreturn]] void fail(const std::string& path, const char* what) {
  int err = errno;
  throw Error(Exit::unknown, fmt::format("{}: {}: {}", path, what, std::strerror(err)),
              meshops::sys::permission_hint(err, path, meshops::sys::Access::read));
}


bool is_gzip(int fd) {
  unsigned char magic[2];
  return ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// Feeds blocks read by `read_some` (returns bytes read, 0 at the end) as whole lines.
void stream_blocks(const std::function<long(char*, std::size_t)>& read_some, const BlockFn& on_block) {
  std::vector<char> buf(4u << 20);
  std::size_t have = 0;
  while (true) {
    if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    long n = read_some(buf.data() + have, buf.size() - have);
    if (n == 0) break;
    // The bytes kept from before hold no newline: only the new ones are searched, so a line
    // of any length costs one pass (searching it all after each read was quadratic).
    std::string_view fresh(buf.data() + have, static_cast<std::size_t>(n));
    std::size_t nl_in_fresh = fresh.rfind('\n');
    have += static_cast<std::size_t>(n);
    std::string_view view(buf.data(), have);
    if (nl_in_fresh == std::string_view::npos) continue;
    std::size_t last_nl = static_cast<std::size_t>(fresh.data() - buf.data()) + nl_in_fresh;
    on_block(view.substr(0, last_nl + 1));
    std::size_t rest = have - last_nl - 1;
    std::memmove(buf.data(), buf.data() + last_nl + 1, rest);
    have = rest;
  }
  if (have) on_block(std::string_view(buf.data(), have));
}

} // namespace

bool splittable(const std::string& path, std::uint64_t& size) {
  if (path == "-") return false;
  meshops::sys::Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.get() < 0) fail(path, "open");
  struct stat st {};
  if (::fstat(f.get(), &st) != 0) fail(path, "stat");
  if (!S_ISREG(st.st_mode) || is_gzip(f.get())) return false;
  size = static_cast<std::uint64_t>(st.st_size);
  return true;
}

std::uint64_t next_line_start(const std::string& path, std::uint64_t offset, std::uint64_t size) {
  if (offset == 0) return 0;
  meshops::sys::Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.get() < 0) fail(path, "open");
  char buf[1 << 16];
  std::uint64_t pos = offset - 1;  // the line starts at offset if the byte before ends one
  while (pos < size) {
    ssize_t n = ::pread(f.get(), buf, sizeof buf, static_cast<off_t>(pos));
    if (n < 0) fail(path, "read");
    if (n == 0) break;
    if (const void* nl = std::memchr(buf, '\n', static_cast<std::size_t>(n)))
      return pos + static_cast<std::uint64_t>(static_cast<const char*>(nl) - buf) + 1;
    pos += static_cast<std::uint64_t>(n);
  }
  return size;
}

void read_range(const std::string& path, std::uint64_t begin, std::uint64_t end, const BlockFn& on_block) {
  meshops::sys::Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.get() < 0) fail(path, "open");
  const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::uint64_t window = kWindow;
  std::uint64_t pos = begin;
  while (pos < end) {
    std::uint64_t map_off = pos & ~(page - 1);
    std::uint64_t len = std::min(window, end - map_off);
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f.get(), static_cast<off_t>(map_off));
    if (m == MAP_FAILED) fail(path, "mmap");
    std::string_view view(static_cast<const char*>(m) + (pos - map_off), map_off + len - pos);
    std::uint64_t consumed = view.size();
    if (map_off + len < end) {
      std::size_t last_nl = view.rfind('\n');
      if (last_nl == std::string_view::npos) {  // one line longer than the window
        ::munmap(m, len);
        window *= 2;
        continue;
      }
      consumed = last_nl + 1;
    }
    on_block(view.substr(0, consumed));
    ::munmap(m, len);
    pos += consumed;
  }
}

void read_blocks(const std::string& path, const BlockFn& on_block) {
  if (path == "-") {
    stream_blocks([](char* p, std::size_t n) -> long {
      while (true) {
        ssize_t r = ::read(0, p, n);
        if (r >= 0) return r;
        if (errno != EINTR) fail("-", "read");
      }
    }, on_block);
    return;
  }
  std::uint64_t size = 0;
  if (splittable(path, size)) {
    read_range(path, 0, size, on_block);
    return;
  }
  meshops::sys::Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.get() < 0) fail(path, "open");
  if (!is_gzip(f.get())) {  // a pipe or device: plain reads
    stream_blocks([&](char* p, std::size_t n) -> long {
      while (true) {
        ssize_t r = ::read(f.get(), p, n);
        if (r >= 0) return r;
        if (errno != EINTR) fail(path, "read");
      }
    }, on_block);
    return;
  }
  gzFile gz = ::gzdopen(::dup(f.get()), "rb");
  if (!gz) fail(path, "gzdopen");
  ::gzbuffer(gz, 1u << 20);
  try {
    stream_blocks([&](char* p, std::size_t n) -> long {
      int r = ::gzread(gz, p, static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30)));
      if (r < 0) {
        int code = 0;
        const char* msg = ::gzerror(gz, &code);
        throw Error(Exit::unknown, fmt::format("{}: gzip: {}", path, msg ? msg : "read error"));
      }
      return r;
    }, on_block);
  } catch (...) {
    ::gzclose(gz);
    throw;
  }
  ::gzclose(gz);
}

void for_each_line(const std::string& path, const std::function<void(std::string_view, std::uint64_t)>& on_line) {
  std::uint64_t line_no = 0;
  read_blocks(path, [&](std::string_view block) {
    while (!block.empty()) {
      std::size_t nl = block.find('\n');
      std::string_view line = block.substr(0, nl);
      on_line(line, ++line_no);
      if (nl == std::string_view::npos) break;
      block.remove_prefix(nl + 1);
    }
  });
}

} // namespace nginx_logs
