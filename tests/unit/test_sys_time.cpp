// sys::Time: one bounded time for every parser (issue 18, issue 14): years 0000..9999 read and
// written exactly, nothing outside them wraps, and one set of --since/--until forms.
#include "meshops/error.hpp"
#include "meshops/sys/time.hpp"

#include <catch2/catch.hpp>

using namespace meshops;
using namespace meshops::sys;
using namespace std::chrono_literals;

TEST_CASE("parse_rfc3339 reads every form tailscaled, nginx and we write, to the millisecond", "[sys][time]") {
  struct Case {
    const char* in;
    std::int64_t ms;
  };
  const Case good[] = {
      {"2000-10-10T13:55:36-07:00", 971211336000},
      {"2000-10-10T20:55:36.250Z", 971211336250},
      {"2026-11-25T17:25:44.123456789Z", 1795627544123},
      {"2026-11-25t17:25:44z", 1795627544000},
      {"2026-11-25 17:25:44+00:00", 1795627544000},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"0000-01-01T00:00:00Z", kTimeMinMs},
      {"9999-12-31T23:59:59.999Z", kTimeMaxMs},
      {"1600-02-29T00:00:00Z", -11670998400000},
      {"2016-12-31T23:59:60Z", 1483228799000},  // a leap second reads as the second before
  };
  for (const auto& c : good) {
    DYNAMIC_SECTION(c.in) {
      auto t = parse_rfc3339(c.in);
      REQUIRE(t);
      CHECK(t->unix_ms() == c.ms);
    }
  }
  for (const char* bad : {"", "2026-11-25", "2026-11-25T17:25:44", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T17:25:44.Z",
                          "2026-11-25T17:25:44+25:00", "2026-11-25T17:25:44Zjunk", "-001-01-01T00:00:00Z",
                          "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01"}) {
    DYNAMIC_SECTION("refused: " << bad) { CHECK_FALSE(parse_rfc3339(bad)); }
  }
}

TEST_CASE("Times past 2262 and before 1678 are written as they were read", "[sys][time]") {
  // system_clock's nanoseconds end in 2262: a key expiry of 9999 read through it showed 1816.
  auto far = parse_rfc3339("9999-12-31T23:59:59Z");
  REQUIRE(far);
  CHECK(format_utc(*far) == "9999-12-31T23:59:59Z");
  CHECK_FALSE(far->to_system());
  auto old = parse_rfc3339("1200-06-01T12:00:00.5Z");
  REQUIRE(old);
  CHECK(format_utc(*old) == "1200-06-01T12:00:00.500Z");
  auto now = Time::now();
  REQUIRE(now.to_system());
  CHECK(Time::from_system(*now.to_system()) == now);
  CHECK(*far - now > 24h * 365 * 7000);
}

TEST_CASE("Time arithmetic and conversions stay in 0000..9999", "[sys][time]") {
  CHECK(Time::max() + 1ms == Time::max());
  CHECK(Time::min() - 1ms == Time::min());
  CHECK(Time::max() + std::chrono::milliseconds::max() == Time::max());
  CHECK(Time::min() - std::chrono::milliseconds::max() == Time::min());
  CHECK(Time::min() - std::chrono::milliseconds::min() == Time::max());
  CHECK_FALSE(Time::from_unix_ms(kTimeMaxMs + 1));
  CHECK_FALSE(Time::from_unix_seconds(INT64_MAX));
  CHECK_FALSE(Time::from_unix_seconds(INT64_MIN));
  CHECK(Time::from_unix_seconds(1, 999999999)->unix_ms() == 1999);
  CHECK(Time::from_unix_seconds(-1)->unix_seconds() == -1);
  CHECK(Time::from_unix_ms(-1)->unix_seconds() == -1);
  CHECK_FALSE(time_from_civil(10000, 1, 1, 0, 0, 0));
  CHECK(time_from_civil(2024, 2, 29, 0, 0, 0));
  CHECK_FALSE(time_from_civil(2023, 2, 29, 0, 0, 0));
}

TEST_CASE("--since and --until take one set of forms in every tool", "[sys][time][cli]") {
  const Time now = *Time::from_unix_ms(1'800'000'000'000);
  CHECK(parse_time_arg("now", now) == now);
  CHECK(parse_time_arg("90s", now) == now - 90s);
  CHECK(parse_time_arg("10m", now) == now - 600s);
  CHECK(parse_time_arg("1.5h", now) == now - 5400s);
  CHECK(parse_time_arg("2d", now) == now - 48h);
  CHECK(parse_time_arg("1w", now) == now - 168h);
  CHECK(parse_time_arg("0.5s", now) == now - 500ms);
  CHECK(parse_time_arg("2000-10-10", now).unix_ms() == 971136000000);
  CHECK(parse_time_arg("2000-10-10 20:55", now).unix_ms() == 971211300000);
  CHECK(parse_time_arg("2000-10-10T20:55", now).unix_ms() == 971211300000);
  CHECK(parse_time_arg("2000-10-10 20:55:36", now).unix_ms() == 971211336000);
  CHECK(parse_time_arg("2000-10-10T13:55:36-07:00", now).unix_ms() == 971211336000);
  CHECK(parse_time_arg("9999-12-31", now).unix_ms() == 253402214400000);
  // Nothing wraps: a duration that reaches before year 0000 is an error, not the future.
  CHECK_THROWS_WITH(parse_time_arg("300000000d", now), Catch::Contains("too long ago"));
  CHECK_THROWS_WITH(parse_time_arg("99999999999999999999999h", now), Catch::Contains("too long ago"));
  CHECK(parse_time_arg("700000d", now) > Time::min());
  for (const char* bad : {"", "yesterday", "10 minutes", "-5m", "5", "m", "1.m", ".5m", "5x", "2000-13-01",
                          "2000-10-10 25:00", "2000-10-10T20", "1e3s", "0x10s"}) {
    DYNAMIC_SECTION("bad usage: '" << bad << "'") {
      try {
        parse_time_arg(bad, now);
        FAIL("accepted");
      } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
        CHECK(std::string(e.what()).find("is not a time") != std::string::npos);
        CHECK(e.hint().find("1.5h") != std::string::npos);
      }
    }
  }
}
