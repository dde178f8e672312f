// sys: running programs without a shell, with deadlines; atomic writes; stop signals; text;
// the permission hint.
#include "meshops/error.hpp"
#include "meshops/sys/access.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/process.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/sys/text.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

using namespace meshops;
using namespace std::chrono_literals;

TEST_CASE("run captures stdout, stderr and the exit code", "[sys][process]") {
  auto r = sys::run({"sh", "-c", "echo out; echo err >&2; exit 7"});
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK(r.exit_code == 7);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("run passes arguments verbatim, never through a shell", "[sys][process]") {
  auto r = sys::run({"printf", "%s|", "a b", "$(id)", ";rm -rf /"});
  CHECK(r.out == "a b|$(id)|;rm -rf /|");
}

TEST_CASE("run feeds stdin and adds environment entries", "[sys][process]") {
  sys::RunOptions o;
  o.input = "hello\n";
  o.env = {"MESHOPS_TEST_VAR=42"};
  CHECK(sys::run({"cat"}, o).out == "hello\n");
  CHECK(sys::run({"sh", "-c", "echo $MESHOPS_TEST_VAR"}, o).out == "42\n");
}

TEST_CASE("run survives a program that exits before reading its input", "[sys][process]") {
  // The test binary keeps SIGPIPE's default (tools ignore it): a write into the closed pipe must
  // be EPIPE, not the signal that killed this binary now and then under load.
  REQUIRE(std::signal(SIGPIPE, SIG_DFL) != SIG_ERR);
  sys::RunOptions o;
  o.input.assign(1 << 20, 'x');  // more than a pipe holds: the write is still going when true exits
  for (int i = 0; i < 20; ++i) {
    auto r = sys::run({"true"}, o);
    CHECK(r.exit_code == 0);
  }
  sigset_t pending;
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));
}

TEST_CASE("run kills a program at its deadline", "[sys][process]") {
  sys::RunOptions o;
  o.timeout = 200ms;
  auto r = sys::run({"sleep", "30"}, o);
  CHECK(r.timed_out);
  CHECK(r.term_signal == SIGTERM);
  CHECK(r.elapsed < 5s);
}

TEST_CASE("run kills a program at its deadline after it closed its output", "[sys][process]") {
  // Its pipes closed long before it ends (a daemon detaching, a hang after the last word):
  // the deadline still holds, not only while output can come.
  sys::RunOptions o;
  o.timeout = 200ms;
  auto r = sys::run({"sh", "-c", "echo bye; exec >&- 2>&-; exec sleep 10"}, o);
  CHECK(r.timed_out);
  CHECK(r.term_signal == SIGTERM);
  CHECK(r.out == "bye\n");
}

TEST_CASE("run reports a program that does not exist", "[sys][process]") {
  CHECK_THROWS_AS(sys::run({"meshops-no-such-program"}), Error);
  CHECK_THROWS_WITH(sys::run({"meshops-no-such-program"}), "meshops-no-such-program: not found or not executable");
}

TEST_CASE("write_file_atomic replaces the file and leaves no temporary behind", "[sys][file]") {
  auto dir = std::filesystem::temp_directory_path() / ("meshops-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "metrics.prom").string();
  sys::write_file_atomic(path, "a 1\n");
  sys::write_file_atomic(path, "a 2\n");
  CHECK(sys::read_file(path) == "a 2\n");
  CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  CHECK_THROWS_WITH(sys::write_file_atomic((dir / "no/such/dir/x").string(), "x"),
                    Catch::Contains("cannot create a temporary file beside it"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("UTC calendar arithmetic by hand, past 2262 and before 1970", "[sys][calendar]") {
  CHECK(sys::format_utc_ms(0) == "1970-01-01T00:00:00Z");
  CHECK(sys::format_utc_ms(1764091544123) == "2025-11-25T17:25:44.123Z");
  CHECK(sys::format_utc_ms(1764091544123, /*with_millis=*/false) == "2025-11-25T17:25:44Z");
  CHECK(sys::format_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(sys::format_utc_ms(951868799000) == "2000-02-29T23:59:59Z");
  // Beyond what std::chrono::system_clock (nanoseconds) can hold: the fuzzer's $msec input
  // (date -u -d @175358799808 agrees).
  CHECK(sys::format_utc_ms(175358799808000) == "7526-11-25T17:43:28Z");
  CHECK(sys::format_utc_ms(253402300799999) == "9999-12-31T23:59:59.999Z");
  // A clock reading is floored to the millisecond, before 1970 too.
  using std::chrono::system_clock;
  CHECK(sys::format_utc(system_clock::time_point(std::chrono::milliseconds(1764091544123))) == "2025-11-25T17:25:44.123Z");
  CHECK(sys::format_utc(system_clock::time_point(std::chrono::milliseconds(1764091544123)), false) == "2025-11-25T17:25:44Z");
  CHECK(sys::format_utc(system_clock::time_point(std::chrono::microseconds(1764091544123999))) == "2025-11-25T17:25:44.123Z");
  CHECK(sys::format_utc(system_clock::time_point(std::chrono::microseconds(-1))) == "1969-12-31T23:59:59.999Z");
  for (std::int64_t d : {-719468LL, -1LL, 0LL, 11016LL, 2932896LL}) {
    auto c = sys::civil_from_days(d);
    CHECK(sys::days_from_civil(c.year, c.month, c.day) == d);
  }
}

TEST_CASE("lower folds ASCII only, whatever the bytes", "[sys][text]") {
  CHECK(sys::lower("Transfer-Encoding: CHUNKED") == "transfer-encoding: chunked");
  CHECK(sys::lower("laptop.TAIL1234.ts.net.") == "laptop.tail1234.ts.net.");
  CHECK(sys::lower("") == "");
  // UTF-8 (here "Ä" and "É") and other bytes above 0x7f pass unchanged.
  CHECK(sys::lower("\xc3\x84PFEL-\xc3\x89") == "\xc3\x84pfel-\xc3\x89");
  CHECK(sys::lower(std::string_view("A\0B", 3)) == std::string("a\0b", 3));
}

TEST_CASE("a stop signal sets the one flag a loop watches", "[sys][stop]") {
  sys::catch_stop_signals();
  REQUIRE_FALSE(sys::stop_requested());
  REQUIRE_FALSE(sys::stop_flag().load());
  // The handler, not the default action: the test process is still here afterwards.
  REQUIRE(std::raise(SIGTERM) == 0);
  CHECK(sys::stop_requested());
  CHECK(sys::stop_flag().load());
  CHECK(&sys::stop_flag() == &sys::stop_flag());
}

// Ids 4141, 4242 and 4343 are in no passwd or group database here, so their names are "uid
// 4141", "uid 4242" and "gid 4343" wherever the test runs; 0 is root everywhere.
TEST_CASE("the permission hint names who has the permission, each once", "[sys][access]") {
  using sys::Access, sys::Owner;
  auto read = [](Owner o) { return sys::permission_sentence(4141, "/var/log/x.log", Access::read, o); };
  const std::string head = "user uid 4141 lacks read permission on /var/log/x.log ";
  CHECK(read({0, 0, 0100600}) == head + "(root:root 0600): run as root");
  CHECK(read({0, 0, 0100640}) == head + "(root:root 0640): run as root");
  CHECK(read({0, 4343, 0100640}) == head + "(root:gid 4343 0640): run as root or as a member of gid 4343");
  CHECK(read({4242, 4343, 0100640}) == head + "(uid 4242:gid 4343 0640): run as root, as uid 4242 or as a member of gid 4343");
  CHECK(read({4242, 0, 0100640}) == head + "(uid 4242:root 0640): run as root or as uid 4242");
  CHECK(read({4242, 4343, 0100600}) == head + "(uid 4242:gid 4343 0600): run as root or as uid 4242");
  CHECK(read({4242, 4343, 0100040}) == head + "(uid 4242:gid 4343 0040): run as root or as a member of gid 4343");
  CHECK(read({0, 0, 0100644}) ==
        head + "(root:root 0644): its mode grants that to everyone, so an ACL or a security module refuses it");
  CHECK(sys::permission_sentence(4141, "/srv/x.log", Access::read, std::nullopt) ==
        "user uid 4141 may not search a directory above /srv/x.log: run as root or as a user who may");
}

TEST_CASE("the permission hint names a directory once, without its trailing slash", "[sys][access]") {
  using sys::Access, sys::Owner;
  auto write = [](const std::string& dir, Owner o) { return sys::permission_sentence(4141, dir, Access::write, o); };
  CHECK(write("/var/lib/meshops/", {0, 0, 040755}) ==
        "user uid 4141 lacks write permission on /var/lib/meshops (directory, root:root 0755): run as root");
  CHECK(write("/", {0, 0, 040755}) == "user uid 4141 lacks write permission on / (directory, root:root 0755): run as root");
  CHECK(write("prom//", {4242, 4343, 040775}) == "user uid 4141 lacks write permission on prom (directory, uid 4242:gid 4343 "
                                                 "0775): run as root, as uid 4242 or as a member of gid 4343");
  // Writing into a directory takes w and x: a group with w alone (0760) or x alone (0750) cannot.
  CHECK(write("/srv/d", {4242, 4343, 040760}) ==
        "user uid 4141 lacks write permission on /srv/d (directory, uid 4242:gid 4343 0760): run as root or as uid 4242");
  CHECK(write("/srv/d", {4242, 4343, 040350}) ==
        "user uid 4141 lacks write permission on /srv/d (directory, uid 4242:gid 4343 0350): run as root or as uid 4242");
  CHECK(sys::permission_hint(EROFS, "/mnt/ro/", Access::write) == "/mnt/ro is on a read-only file system: choose a writable place");
}

TEST_CASE("the permission hint stats the real path, and is empty for other errors", "[sys][access]") {
  auto path = (std::filesystem::temp_directory_path() / ("meshops-access-" + std::to_string(::getpid()))).string();
  sys::write_file_atomic(path, "x", 0600);
  const passwd* me = ::getpwuid(::geteuid());
  REQUIRE(me != nullptr);
  CHECK_THAT(sys::permission_hint(EACCES, path, sys::Access::read),
             Catch::StartsWith(fmt::format("user {} lacks read permission on {} ({}:", me->pw_name, path, me->pw_name)) &&
                 Catch::Contains(" 0600): run as root"));
  CHECK(sys::permission_hint(ENOENT, path, sys::Access::read).empty());
  std::filesystem::remove(path);
}
