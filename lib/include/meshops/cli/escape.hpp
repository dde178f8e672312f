#pragma once
// Terminal-safe text: every string that came from the network, a log or a file (peer names,
// user agents, paths) goes through here before it reaches a terminal or stderr.
#include <string>
#include <string_view>

namespace meshops::cli {

/// Returns s with control characters (C0, DEL, C1) written as \n, \t, \r, \e, \xHH or
/// \u00HH, a backslash doubled, bytes that are not valid UTF-8 written as \xHH, and zero-width
/// and bidirectional-override characters written as \uHHHH. Other printable UTF-8 passes. The result never moves the cursor or changes the terminal's state.
std::string terminal_safe(std::string_view s);

/// terminal_safe for text that is already escaped by its writer, such as nginx's log lines
/// (a quote or a byte >= 0x80 written as \xHH): control characters and invalid bytes are
/// escaped the same way, but a backslash is left alone, so the writer's escapes are not doubled.
std::string terminal_safe_keep_backslash(std::string_view s);

/// True for the code points no output of ours writes raw: DEL, the C1 controls (U+0080..U+009F,
/// U+009B being an 8-bit CSI), and the invisible and bidirectional formatting characters that let
/// a string lie about itself (zero-width spaces and joiners, U+2060 word joiner, bidi embeddings,
/// overrides and isolates, the byte-order mark, tag characters).
bool hidden_code_point(char32_t cp);

/// A dumped JSON document (valid UTF-8, as nlohmann writes it with error_handler_t::replace)
/// with every hidden_code_point written as a \uXXXX escape (a surrogate pair above U+FFFF).
/// Such characters only occur inside strings, so the document means the same.
std::string json_escape_hidden(std::string dumped);

/// The number of terminal columns s takes (code points; s must already be terminal_safe).
std::size_t display_width(std::string_view s);

} // namespace meshops::cli
