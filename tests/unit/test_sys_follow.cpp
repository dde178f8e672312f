// sys::Follower on real files in a temp directory: rename + reopen, copytruncate refilled
// past the old offset before the next poll, a partial line, and a line with no newline.
#include "meshops/sys/follow.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using meshops::sys::Follower;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/meshops-follow-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Appends like nginx does (O_APPEND on every write).
void append(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(fd);
}

std::string numbered(const std::string& prefix, int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

std::vector<std::string> expected(const std::string& prefix, int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i <= to; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

// Polls until `want` lines arrived or 5 s passed (then what arrived is compared, and fails).
std::vector<std::string> collect(Follower& f, std::size_t want) {
  std::vector<std::string> got;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (got.size() < want && std::chrono::steady_clock::now() < deadline)
    f.poll([&](std::string_view line) { got.emplace_back(line); }, 50ms);
  return got;
}

Follower::Options fast() {
  Follower::Options o;
  o.from_start = true;
  o.poll = 5ms;
  o.drain = 100ms;
  return o;
}

} // namespace

TEST_CASE("Rename + reopen: the old file is read to its end, then the new one from its start", "[sys][follow]") {
  TempDir d;
  const std::string log = d.path + "/access.log";
  append(log, numbered("a", 1, 3));
  Follower f(log, fast());
  CHECK(collect(f, 3) == expected("a", 1, 3));

  std::filesystem::rename(log, log + ".1");
  append(log + ".1", numbered("a", 4, 5));  // a worker writing to the old file before it reopens
  append(log, numbered("b", 1, 4));
  auto got = collect(f, 6);
  std::vector<std::string> want = expected("a", 4, 5);
  auto b = expected("b", 1, 4);
  want.insert(want.end(), b.begin(), b.end());
  CHECK(got == want);
  CHECK(f.rotations() == 1);

  // The old file is let go once quiet; the new one goes on.
  append(log, numbered("b", 5, 6));
  CHECK(collect(f, 2) == expected("b", 5, 6));
}

TEST_CASE("copytruncate refilled past the old offset before the next poll is still noticed", "[sys][follow]") {
  TempDir d;
  const std::string log = d.path + "/access.log";
  append(log, numbered("old line ", 1, 5));
  Follower f(log, fast());
  REQUIRE(collect(f, 5) == expected("old line ", 1, 5));

  // Truncate, then more is written than was there before, all between two polls.
  std::filesystem::resize_file(log, 0);
  append(log, numbered("new line ", 1, 40));
  REQUIRE(std::filesystem::file_size(log) > numbered("old line ", 1, 5).size());
  CHECK(collect(f, 40) == expected("new line ", 1, 40));
  CHECK(f.rotations() == 1);

  SECTION("and a plain shrink still is") {
    std::filesystem::resize_file(log, 0);
    append(log, "x\n");
    CHECK(collect(f, 1) == std::vector<std::string>{"x"});
    CHECK(f.rotations() == 2);
  }
}

TEST_CASE("A follower started at the end notices a copytruncate refill too", "[sys][follow]") {
  TempDir d;
  const std::string log = d.path + "/access.log";
  append(log, numbered("before ", 1, 3));
  Follower::Options o = fast();
  o.from_start = false;
  Follower f(log, o);
  std::filesystem::resize_file(log, 0);
  append(log, numbered("after ", 1, 10));
  CHECK(collect(f, 10) == expected("after ", 1, 10));
  CHECK(f.rotations() == 1);
}

TEST_CASE("Partial lines wait for their newline; a line without one is bounded", "[sys][follow]") {
  TempDir d;
  const std::string log = d.path + "/access.log";
  Follower::Options o = fast();
  o.max_line = 16;
  append(log, "short\npart");
  Follower f(log, o);
  CHECK(collect(f, 1) == std::vector<std::string>{"short"});
  append(log, "ial\n");
  CHECK(collect(f, 1) == std::vector<std::string>{"partial"});
  CHECK(f.truncated_lines() == 0);

  // 40 bytes and no newline: delivered as its first 16 bytes, counted, the rest dropped.
  append(log, std::string(40, 'x'));
  CHECK(collect(f, 1) == std::vector<std::string>{std::string(16, 'x')});
  CHECK(f.truncated_lines() == 1);
  append(log, std::string(30, 'y') + "\nnext\n");
  CHECK(collect(f, 1) == std::vector<std::string>{"next"});

  // Exactly max_line bytes is a whole line, not a truncated one.
  append(log, std::string(16, 'z') + "\n");
  CHECK(collect(f, 1) == std::vector<std::string>{std::string(16, 'z')});
  CHECK(f.truncated_lines() == 1);
}
