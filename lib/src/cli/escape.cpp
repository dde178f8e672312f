#include "meshops/cli/escape.hpp"

#include <fmt/format.h>

namespace meshops::cli {
namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  // Lead bytes: C2..DF two bytes, E0..EF three, F0..F4 four; 80..C1 and F5..FF lead nothing.
  std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
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

/// The code point of the valid sequence of len bytes at s[i].
char32_t decode(std::string_view s, std::size_t i, std::size_t len) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (len) {
  case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

} // namespace

bool hidden_code_point(char32_t cp) {
  return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||             // DEL, C1 controls (0x9B is CSI)
         cp == 0x00AD || cp == 0x034F || cp == 0x061C ||          // soft hyphen, grapheme joiner, Arabic letter mark
         cp == 0x115F || cp == 0x1160 || cp == 0x180E ||          // Hangul fillers, Mongolian vowel separator
         (cp >= 0x200B && cp <= 0x200F) ||                        // zero-width space/joiners, LRM, RLM
         (cp >= 0x2028 && cp <= 0x202E) ||                        // line/paragraph separators, bidi embeddings and overrides
         (cp >= 0x2060 && cp <= 0x206F) ||                        // word joiner, invisible operators, bidi isolates, deprecated formats
         cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 ||          // Hangul filler, byte-order mark, halfwidth filler
         (cp >= 0xFFF9 && cp <= 0xFFFB) ||                        // interlinear annotation
         (cp >= 0x1D173 && cp <= 0x1D17A) ||                      // musical formatting
         (cp >= 0xE0000 && cp <= 0xE007F);                        // tag characters
}

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
      if (std::size_t len = utf8_sequence(s, i)) {
        char32_t cp = decode(s, i, len);
        if (hidden_code_point(cp)) out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
        else out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    out += fmt::format("\\x{:02x}", c);
    ++i;
  }
  return out;
}

std::string json_escape_hidden(std::string dumped) {
  std::size_t i = 0;
  while (i < dumped.size() && static_cast<unsigned char>(dumped[i]) < 0x7F) ++i;
  if (i == dumped.size()) return dumped;  // ASCII without DEL: the common case, untouched
  std::string out(dumped, 0, i);
  out.reserve(dumped.size() + 16);
  auto escape = [&](unsigned u) { out += fmt::format("\\u{:04x}", u); };
  while (i < dumped.size()) {
    auto c = static_cast<unsigned char>(dumped[i]);
    std::size_t len = c < 0x80 ? 1 : utf8_sequence(dumped, i);
    if (len == 0) {  // not from nlohmann's replace mode; kept as it came
      out += dumped[i++];
      continue;
    }
    char32_t cp = len == 1 ? c : decode(dumped, i, len);
    if (!hidden_code_point(cp)) {
      out.append(dumped, i, len);
    } else if (cp > 0xFFFF) {
      escape(0xD800 + ((cp - 0x10000) >> 10));
      escape(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      escape(cp);
    }
    i += len;
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
