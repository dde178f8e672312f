// sys::stop_all_runs, in a binary of its own: it is irreversible for the process, so no other
// test may run after it here.
#include "meshops/error.hpp"
#include "meshops/sys/process.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

using namespace meshops;
using namespace std::chrono_literals;

namespace {

/// The state letter of process PID in /proc (R, S, Z...), "gone" when there is none.
std::string state_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string id, comm, st;
  return stat >> id >> comm >> st ? st : std::string("gone");
}

} // namespace

TEST_CASE("stop_all_runs kills the programs run() waits for, and no other starts", "[sys][process]") {
  auto pid_file = std::filesystem::temp_directory_path() / ("meshops-stop-runs-" + std::to_string(::getpid()));
  std::filesystem::remove(pid_file);
  // A program that would run for 60 s, its own deadline later still, with a child in its group
  // (what a hanging `nginx -t` and a worker of it look like); it writes both pids.
  sys::RunOptions options;
  options.timeout = 120s;
  sys::RunResult result;
  std::thread t([&] {
    result = sys::run({"sh", "-c", "sleep 60 & echo $$ $! >\"$1.tmp\" && mv \"$1.tmp\" \"$1\"; wait", "sh", pid_file.string()},
                      options);
  });
  pid_t leader = 0, child = 0;
  for (auto until = std::chrono::steady_clock::now() + 10s; !child && std::chrono::steady_clock::now() < until;) {
    std::ifstream in(pid_file);
    if (!(in >> leader >> child)) std::this_thread::sleep_for(10ms);
  }
  REQUIRE(child > 0);
  REQUIRE(state_of(leader) != "gone");
  REQUIRE(state_of(child) != "gone");

  CHECK(sys::stop_all_runs() == 1);
  // Returned only once run() reaped what it started: no zombie of ours is left.
  CHECK(state_of(leader) == "gone");
  t.join();
  CHECK(result.term_signal == SIGKILL);
  CHECK_FALSE(result.timed_out);  // ended by the stop, not by its own deadline
  // Its child went with its group (init reaps it: gone, or a zombie a moment before).
  for (auto until = std::chrono::steady_clock::now() + 10s;
       state_of(child) != "gone" && state_of(child) != "Z" && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(10ms);
  CHECK((state_of(child) == "gone" || state_of(child) == "Z"));

  CHECK_THROWS_WITH(sys::run({"true"}), "true: not started: this process is ending");
  CHECK(sys::stop_all_runs() == 0);
  std::filesystem::remove(pid_file);
}
