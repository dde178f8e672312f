#pragma once
// Wall-clock time as every parser of meshops reads it: one type, milliseconds since the Unix
// epoch, held to the years 0000..9999 that RFC 3339 writes. std::chrono::system_clock counts
// nanoseconds and ends in 2262 (and begins in 1677), while a key may expire 9999-12-31 and a
// log line may say year 0000: a parser that went through system_clock wrapped such a time into
// another century. A Time is never outside its range, so arithmetic on it cannot overflow.
//
// The forms --since and --until take (parse_time_arg), the same in every tool:
//   a duration back from now   N followed by s, m, h, d or w; N may have a fraction: 90s, 1.5h, 2d
//   RFC 3339                   2026-05-01T13:00:00Z, 2026-05-01T13:00:00.250+02:00
//   a date and time, UTC       2026-05-01, 2026-05-01T13:00, '2026-05-01 13:00', '2026-05-01 13:00:30'
//   now                        now
#include "meshops/sys/calendar.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshops::sys {

/// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in milliseconds since the epoch.
inline constexpr std::int64_t kTimeMinMs = -62167219200000;
inline constexpr std::int64_t kTimeMaxMs = 253402300799999;

/// A point in UTC to the millisecond, from year 0000 to 9999.
class Time {
public:
  /// The Unix epoch.
  constexpr Time() = default;
  /// The time unix_ms after the epoch, or nullopt outside 0000..9999.
  static constexpr std::optional<Time> from_unix_ms(std::int64_t unix_ms) {
    if (unix_ms < kTimeMinMs || unix_ms > kTimeMaxMs) return std::nullopt;
    return Time(unix_ms);
  }
  /// The time seconds (and nanos more) after the epoch, or nullopt outside 0000..9999.
  static std::optional<Time> from_unix_seconds(std::int64_t seconds, std::int64_t nanos = 0);
  /// The time on a clock reading, floored to the millisecond (system_clock always fits).
  static Time from_system(std::chrono::system_clock::time_point t);
  /// The time now.
  static Time now();
  /// The earliest and latest Time.
  static constexpr Time min() { return Time(kTimeMinMs); }
  static constexpr Time max() { return Time(kTimeMaxMs); }

  /// Milliseconds since the epoch (negative before 1970).
  constexpr std::int64_t unix_ms() const { return ms_; }
  /// Seconds since the epoch, floored.
  constexpr std::int64_t unix_seconds() const { return ms_ >= 0 ? ms_ / 1000 : -((-ms_ + 999) / 1000); }
  /// The clock reading of this time, or nullopt outside what system_clock holds (1678..2261).
  std::optional<std::chrono::system_clock::time_point> to_system() const;

  friend constexpr bool operator==(Time a, Time b) { return a.ms_ == b.ms_; }
  friend constexpr auto operator<=>(Time a, Time b) { return a.ms_ <=> b.ms_; }
  /// How long from b to a (negative when a is earlier); never overflows: both are in range.
  friend constexpr std::chrono::milliseconds operator-(Time a, Time b) { return std::chrono::milliseconds(a.ms_ - b.ms_); }
  /// t moved by d, held at min() and max() when it would leave the range.
  friend Time operator+(Time t, std::chrono::milliseconds d);
  friend Time operator-(Time t, std::chrono::milliseconds d);

private:
  constexpr explicit Time(std::int64_t ms) : ms_(ms) {}
  std::int64_t ms_ = 0;
};

/// The time of a civil date and clock in UTC minus offset_s (the zone's offset east of UTC),
/// or nullopt for a field out of its range (month 13, 31 April, 29 February of 2025, hour 24,
/// second 61; a leap second 60 reads as 59) or a result outside 0000..9999.
std::optional<Time> time_from_civil(std::int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                                    unsigned second, unsigned millis = 0, std::int64_t offset_s = 0);

/// Reads RFC 3339 (ISO 8601 as tailscaled, nginx's $time_iso8601 and our own JSON write it):
/// YYYY-MM-DDTHH:MM:SS, an optional fraction of any length (cut to milliseconds), then Z or
/// +HH:MM/-HH:MM; 't', 'z' and a space for the T are accepted. nullopt when it is not one.
std::optional<Time> parse_rfc3339(std::string_view text);

/// RFC 3339 in UTC, as format_utc_ms (calendar.hpp) writes every time of ours:
/// "2026-11-25T17:25:44Z", ".123" before the Z when with_millis is set and there are millis.
inline std::string format_utc(Time t, bool with_millis = true) { return format_utc_ms(t.unix_ms(), with_millis); }

/// A --since/--until argument in one of the forms at the top of this file, relative to now.
/// Throws meshops::Error (Exit::usage) naming the argument and listing the forms when it is
/// none, or when the duration reaches before year 0000.
Time parse_time_arg(std::string_view text, Time now);

/// The forms parse_time_arg takes, one line, for a flag's help text.
inline constexpr const char* kTimeArgForms =
    "a duration ago (90s, 30m, 1.5h, 2d, 1w), RFC 3339 (2026-05-01T13:00:00+02:00), or a UTC date and time "
    "(2026-05-01, '2026-05-01 13:00')";

} // namespace meshops::sys
