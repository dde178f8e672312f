#include "meshops/cli/escape.hpp"

namespace meshops::cli {

std::string terminal_safe_keep_backslash(std::string_view s) {
  // terminal_safe on each stretch between backslashes, the backslashes put back as they were.
  // Splitting there cannot cut a UTF-8 sequence: '\' (0x5C) is never one of its bytes.
  std::string out;
  out.reserve(s.size());
  while (true) {
    auto slash = s.find('\\');
    out += terminal_safe(s.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    out += '\\';
    s.remove_prefix(slash + 1);
  }
}

} // namespace meshops::cli
