#include "meshops/sys/time.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <cmath>

namespace meshops::sys {
namespace {

/// The value of n decimal digits at s[i], or -1 when one is not a digit (or s is too short).
int digits(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return -1;
  int v = 0;
  for (std::size_t k = i; k < i + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return -1;
    v = v * 10 + (s[k] - '0');
  }
  return v;
}

bool leap(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

[[noreturn]] void not_a_time(std::string_view text) {
  throw Error(Exit::usage, fmt::format("'{}' is not a time", text), std::string("use ") + kTimeArgForms);
}

} // namespace

std::optional<Time> Time::from_unix_seconds(std::int64_t seconds, std::int64_t nanos) {
  // Compared in seconds first, so a count near the ends of int64 never reaches the multiply.
  if (seconds < kTimeMinMs / 1000 - 1 || seconds > kTimeMaxMs / 1000 + 1) return std::nullopt;
  return from_unix_ms(seconds * 1000 + floor_div(nanos, 1000000));
}

Time Time::from_system(std::chrono::system_clock::time_point t) {
  return Time(std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

Time Time::now() { return from_system(std::chrono::system_clock::now()); }

std::optional<std::chrono::system_clock::time_point> Time::to_system() const {
  using D = std::chrono::system_clock::duration;
  // system_clock's ends in milliseconds, rounded inward.
  constexpr auto lo = std::chrono::duration_cast<std::chrono::milliseconds>(D::min()).count() + 1;
  constexpr auto hi = std::chrono::duration_cast<std::chrono::milliseconds>(D::max()).count() - 1;
  if (ms_ < lo || ms_ > hi) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<D>(std::chrono::milliseconds(ms_)));
}

Time operator+(Time t, std::chrono::milliseconds d) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(t.ms_, d.count(), &out)) return d.count() < 0 ? Time::min() : Time::max();
  if (out < kTimeMinMs) return Time::min();
  if (out > kTimeMaxMs) return Time::max();
  return Time(out);
}

Time operator-(Time t, std::chrono::milliseconds d) {
  if (d.count() == INT64_MIN) return Time::max();
  return t + std::chrono::milliseconds(-d.count());
}

std::optional<Time> time_from_civil(std::int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                                    unsigned second, unsigned millis, std::int64_t offset_s) {
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60 || millis > 999 || offset_s < -86400 || offset_s > 86400)
    return std::nullopt;
  if (second == 60) second = 59;  // a leap second: the last second of its minute
  std::int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return Time::from_unix_ms(secs * 1000 + millis);
}

std::optional<Time> parse_rfc3339(std::string_view v) {
  // 2000-10-10T13:55:36-07:00, 2000-10-10T13:55:36.123456789Z
  if (v.size() < 20 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != 't' && v[10] != ' ') || v[13] != ':' ||
      v[16] != ':')
    return std::nullopt;
  int year = digits(v, 0, 4), mon = digits(v, 5, 2), day = digits(v, 8, 2), h = digits(v, 11, 2), mi = digits(v, 14, 2),
      sec = digits(v, 17, 2);
  if (year < 0 || mon < 0 || day < 0 || h < 0 || mi < 0 || sec < 0) return std::nullopt;
  std::size_t i = 19;
  unsigned ms = 0;
  if (v[i] == '.') {
    unsigned scale = 100;
    std::size_t first = ++i;
    for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
      ms += static_cast<unsigned>(v[i] - '0') * scale;
      scale /= 10;
    }
    if (i == first) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (i < v.size() && (v[i] == 'Z' || v[i] == 'z')) {
    ++i;
  } else if (i + 6 == v.size() && (v[i] == '+' || v[i] == '-') && v[i + 3] == ':') {
    int oh = digits(v, i + 1, 2), om = digits(v, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (v[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != v.size()) return std::nullopt;
  return time_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day), static_cast<unsigned>(h),
                         static_cast<unsigned>(mi), static_cast<unsigned>(sec), ms, offset);
}

Time parse_time_arg(std::string_view text, Time now) {
  if (text == "now") return now;
  // A duration back from now: digits, an optional fraction, one unit letter.
  if (text.size() >= 2) {
    std::int64_t unit_ms = 0;
    switch (text.back()) {
    case 's': unit_ms = 1000; break;
    case 'm': unit_ms = 60 * 1000; break;
    case 'h': unit_ms = 3600 * 1000; break;
    case 'd': unit_ms = 86400 * 1000; break;
    case 'w': unit_ms = 7 * 86400 * 1000; break;
    default: break;
    }
    auto count = text.substr(0, text.size() - 1);
    auto dot = count.find('.');
    auto whole = count.substr(0, dot), frac = dot == std::string_view::npos ? std::string_view{} : count.substr(dot + 1);
    auto all_digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
    if (unit_ms && !whole.empty() && all_digits(whole) && all_digits(frac) && (dot == std::string_view::npos || !frac.empty())) {
      // More than 10,000 years of any unit reaches before year 0000: said so, not wrapped.
      double ago = 0;
      for (char c : whole) ago = ago * 10 + (c - '0');
      double scale = 0.1;
      for (char c : frac) {
        ago += (c - '0') * scale;
        scale /= 10;
      }
      ago *= static_cast<double>(unit_ms);
      double at = static_cast<double>(now.unix_ms()) - ago;
      if (!(at >= static_cast<double>(kTimeMinMs)))
        throw Error(Exit::usage, fmt::format("'{}' is too long ago to be a time", text), "the earliest time is 0000-01-01");
      return now - std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ago)));
    }
  }
  if (auto t = parse_rfc3339(text)) return *t;
  // A date, or a date and a time without zone: UTC.
  if (text.size() != 10 && text.size() != 16 && text.size() != 19) not_a_time(text);
  if (text[4] != '-' || text[7] != '-') not_a_time(text);
  int year = digits(text, 0, 4), mon = digits(text, 5, 2), day = digits(text, 8, 2), h = 0, mi = 0, sec = 0;
  if (text.size() > 10) {
    if ((text[10] != 'T' && text[10] != ' ') || text[13] != ':') not_a_time(text);
    h = digits(text, 11, 2);
    mi = digits(text, 14, 2);
    if (text.size() == 19) {
      if (text[16] != ':') not_a_time(text);
      sec = digits(text, 17, 2);
    }
  }
  if (year < 0 || mon < 0 || day < 0 || h < 0 || mi < 0 || sec < 0) not_a_time(text);
  auto t = time_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day), static_cast<unsigned>(h),
                           static_cast<unsigned>(mi), static_cast<unsigned>(sec));
  if (!t) not_a_time(text);
  return *t;
}

} // namespace meshops::sys
