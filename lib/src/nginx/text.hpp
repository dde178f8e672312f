#pragma once
// Small text helpers the nginx module's parsers share (private to the module).
#include <string>
#include <string_view>

namespace meshops::nginx::text {

/// True when v is non-empty and only ASCII digits.
inline bool all_digits(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

/// ASCII lower case (nginx's server names and directive names compare case-insensitively).
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace meshops::nginx::text
