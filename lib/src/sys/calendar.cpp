#include "meshops/sys/calendar.hpp"

#include <fmt/format.h>

namespace meshops::sys {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

std::string format_utc_ms(std::int64_t unix_ms, bool with_millis) {
  // Floor division, so times before 1970 land on the right day and second.
  std::int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
  std::int64_t millis = unix_ms - secs * 1000;
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rest = secs - days * 86400;
  auto date = civil_from_days(days);
  auto s = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month, date.day, rest / 3600, rest / 60 % 60,
                       rest % 60);
  if (with_millis && millis) s += fmt::format(".{:03}", millis);
  return s + "Z";
}

std::string format_utc(std::chrono::system_clock::time_point t, bool with_millis) {
  return format_utc_ms(std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count(), with_millis);
}

} // namespace meshops::sys
