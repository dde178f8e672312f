#pragma once
// Small text helpers the nginx module's parsers share (private to the module).
#include <string_view>

namespace meshops::nginx::text {

/// True when v is non-empty and only ASCII digits.
inline bool all_digits(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

} // namespace meshops::nginx::text
