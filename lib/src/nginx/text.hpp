#pragma once
// Small text helpers the nginx module's parsers share (private to the module).
#include <cstddef>
#include <string_view>

namespace meshops::nginx::text {

/// True when v is non-empty and only ASCII digits.
inline bool all_digits(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

/// The index of the quote that closes a quoted string whose opening quote is at i - 1, a
/// backslash escaping the byte after it (nginx's error log values, escape=json strings); npos
/// when the string does not end.
inline std::size_t quoted_end(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
      continue;
    }
    if (s[i] == '"') return i;
    ++i;
  }
  return std::string_view::npos;
}

} // namespace meshops::nginx::text
