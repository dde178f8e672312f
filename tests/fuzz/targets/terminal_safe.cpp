// cli::terminal_safe and its keep-backslash twin: whatever comes in, what goes out is valid
// UTF-8 with no control byte (C0, DEL, C1) and no invisible or bidi formatting character;
// the same holds for Prometheus label values.
#include "../fuzz_target.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/prom.hpp"

#include <string>

namespace {

/// Whether s is valid UTF-8 holding no control or hidden code point.
bool clean(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    char32_t cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    if (meshops::cli::hidden_code_point(cp)) return false;
    i += len;
  }
  return true;
}

} // namespace

MESHOPS_FUZZ_TARGET(terminal_safe) {
  auto text = meshops_fuzz::text(data, size);
  auto safe = meshops::cli::terminal_safe(text);
  MESHOPS_FUZZ_CHECK(clean(safe));
  MESHOPS_FUZZ_CHECK(clean(meshops::cli::terminal_safe_keep_backslash(text)));
  // Escaping is idempotent on what it produced, but for the backslashes it doubles.
  MESHOPS_FUZZ_CHECK(meshops::cli::terminal_safe_keep_backslash(safe) == safe);
  (void)meshops::cli::display_width(safe);
  std::string prom = meshops::cli::render_prom({{"meshops_fuzz", "Fuzz.", "gauge", {{{{"l", std::string(text)}}, 1}}}});
  for (char c : prom) MESHOPS_FUZZ_CHECK(c == '\n' || static_cast<unsigned char>(c) >= 0x20);
  return 0;
}
