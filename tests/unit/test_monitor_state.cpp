// ts-monitor's state file: round trip, atomic save, clear errors on a bad file.
#include "meshops/error.hpp"
#include "meshops/monitor/state_file.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace meshops::monitor;
using namespace std::chrono_literals;

TEST_CASE("The state survives a save and a load unchanged", "[monitor][state]") {
  auto dir = std::filesystem::temp_directory_path() / ("meshops-state-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = state_path((dir / "sub").string());
  CHECK_FALSE(load_state(path));
  MonitorState st;
  st.mode = Mode::failover;
  st.exit_node = "other-server";
  st.consecutive_failures = 1;
  st.primary_healthy_streak = 2;
  st.checks = 42;
  st.failed_checks = 7;
  st.unknown_checks = 3;
  st.last_health = Health::failed;
  st.last_reason = "kernelcore: no reply";
  st.last_check = Clock::time_point(1800000000123ms);
  st.transitions.push_back({Clock::time_point(1800000000000ms), Mode::primary, Mode::failover, "kernelcore", "other-server", "why"});
  save_state(path, st);
  auto back = load_state(path);
  REQUIRE(back);
  CHECK(back->mode == Mode::failover);
  CHECK(back->exit_node == "other-server");
  CHECK(back->primary_healthy_streak == 2);
  CHECK(back->checks == 42);
  CHECK(back->unknown_checks == 3);
  CHECK(back->last_health == Health::failed);
  CHECK(back->last_check == st.last_check);
  CHECK_FALSE(back->last_restore_probe);
  REQUIRE(back->transitions.size() == 1);
  CHECK(back->transitions[0].to_exit_node == "other-server");
  CHECK(state_to_json(*back) == state_to_json(st));
  CHECK(meshops::sys::format_utc(*st.last_check) == "2027-01-15T08:00:00.123Z");
  std::filesystem::remove_all(dir);
}

TEST_CASE("A damaged state file is an error naming the file and the key", "[monitor][state]") {
  CHECK_THROWS_WITH(state_from_json("{"), Catch::StartsWith("not JSON"));
  CHECK_THROWS_WITH(state_from_json("{\"schema\":\"other\"}"), Catch::Contains("schema"));
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","mode":"sideways"})"),
                    Catch::Contains("mode: unknown mode"));
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","checks":"many"})"),
                    Catch::Contains("checks: expected an integer"));
  // Numbers and times out of their range are errors naming the key, never wrapped (issue 18):
  // 1e30 failures were shown as -2147483648.
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","consecutive_failures":1e30})"),
                    "consecutive_failures: expected an integer from -2147483648 to 2147483647, got 1e+30");
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","checks":-1})"),
                    Catch::StartsWith("checks: expected an integer from 0 to"));
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","last_check":"9999-12-31T00:00:00Z"})"),
                    "last_check: 9999-12-31T00:00:00Z is out of range (1678 to 2261)");
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","checks":1e999})"),
                    Catch::Contains("not valid JSON: number overflow parsing '1e999'"));
  CHECK_THROWS_WITH(state_from_json(R"({"schema":"meshops/ts-monitor-state/1","last_check":"yesterday"})"),
                    Catch::Contains("last_check"));
  auto path = (std::filesystem::temp_directory_path() / ("meshops-bad-state-" + std::to_string(::getpid()))).string();
  meshops::sys::write_file_atomic(path, "garbage");
  try {
    load_state(path);
    FAIL("no error");
  } catch (const meshops::Error& e) {
    CHECK(std::string(e.what()).find(path) == 0);
    CHECK(e.code() == meshops::Exit::unknown);
  }
  std::filesystem::remove(path);
}
