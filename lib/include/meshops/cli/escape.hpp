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

/// The number of terminal columns s takes (code points; s must already be terminal_safe).
std::size_t display_width(std::string_view s);

} // namespace meshops::cli
