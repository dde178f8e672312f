#include "meshops/cli/escape.hpp"

#include <fmt/format.h>

namespace meshops::cli {
namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  // Overlong 3- and 4-byte forms, surrogates and code points past U+10FFFF.
  if (len == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;
  if (len == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;
  if (len == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;
  if (len == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;
  return len;
}

/// Code points that are printable yet let a string lie about itself on a terminal: zero-width
/// characters, bidirectional overrides and isolates (a peer name that reads backwards), line and
/// paragraph separators, the byte-order mark.
bool deceptive(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0xFEFF;
}

char32_t decode3(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[k])); };
  return ((b(i) & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
}

} // namespace

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (c) {
    case '\n': out += "\\n"; ++i; continue;
    case '\t': out += "\\t"; ++i; continue;
    case '\r': out += "\\r"; ++i; continue;
    case 0x1B: out += "\\e"; ++i; continue;
    default: break;
    }
    if (c >= 0x80) {
      std::size_t len = utf8_sequence(s, i);
      // C1 controls (U+0080..U+009F) are as dangerous as ESC on many terminals.
      bool c1 = len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
      if (len == 3 && deceptive(decode3(s, i))) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(decode3(s, i)));
        i += 3;
        continue;
      }
      if (len && !c1) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
      if (c1) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
        i += 2;
        continue;
      }
    }
    out += fmt::format("\\x{:02x}", c);
    ++i;
  }
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}

} // namespace meshops::cli
