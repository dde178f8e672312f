// sys: running programs without a shell, with deadlines; atomic writes.
#include "meshops/error.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>

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

TEST_CASE("run kills a program at its deadline", "[sys][process]") {
  sys::RunOptions o;
  o.timeout = 200ms;
  auto r = sys::run({"sleep", "30"}, o);
  CHECK(r.timed_out);
  CHECK(r.term_signal == SIGTERM);
  CHECK(r.elapsed < 5s);
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
