#pragma once
// UTC calendar arithmetic by hand: no gmtime_r/strftime (glibc's read /etc/localtime on every
// call) and no std::chrono::system_clock::time_point (nanoseconds, which end in 2262, while a
// log line may say 9999).
#include <chrono>
#include <cstdint>
#include <string>

namespace meshops::sys {

struct CivilDate {
  std::int64_t year;
  unsigned month;  ///< 1..12
  unsigned day;    ///< 1..31
};

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

/// The date of a day count since 1970-01-01; the inverse of days_from_civil.
CivilDate civil_from_days(std::int64_t days);

/// RFC 3339 in UTC from milliseconds since the epoch: "2026-11-25T17:25:44Z", with ".123"
/// before the Z when with_millis is set and the milliseconds are not zero.
std::string format_utc_ms(std::int64_t unix_ms, bool with_millis = true);

/// format_utc_ms of a clock reading (floored to the millisecond): for "now" and times from
/// tailscaled, which system_clock holds; a log line's time goes through format_utc_ms.
std::string format_utc(std::chrono::system_clock::time_point t, bool with_millis = true);

} // namespace meshops::sys
