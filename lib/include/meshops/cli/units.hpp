#pragma once
// Human units for the text view (JSON keeps raw numbers).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshops::cli {

/// 0 -> "0 B", 1536 -> "1.5 KiB", 5'000'000 -> "4.8 MiB".
std::string human_bytes(std::uint64_t bytes);

/// A past duration as "45s", "5m", "3h", "2d" (the unit that reads best, rounded down).
std::string human_age(std::chrono::seconds age);

/// Milliseconds with sensible precision: 0.23 -> "0.23ms", 12.5 -> "12.5ms", 1520 -> "1.52s".
std::string human_ms(double ms);

/// A count and its noun: (1, "finding") -> "1 finding", (3, "finding") -> "3 findings".
std::string plural(std::uint64_t n, std::string_view noun);

} // namespace meshops::cli
