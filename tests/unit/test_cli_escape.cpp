// cli::terminal_safe_keep_backslash: for lines already escaped by nginx (\xHH), controls and
// invalid bytes escaped as terminal_safe does, backslashes kept as written.
#include "meshops/cli/escape.hpp"

#include <catch2/catch.hpp>

using meshops::cli::terminal_safe;
using meshops::cli::terminal_safe_keep_backslash;

TEST_CASE("terminal_safe_keep_backslash leaves nginx's escapes alone", "[cli][escape]") {
  struct Case {
    const char* name;
    std::string in, want;
  };
  const Case cases[] = {
      {"plain", "GET / HTTP/1.1", "GET / HTTP/1.1"},
      {"nginx's own escape kept", R"(GET /a\xFFb HTTP/1.1 "agent \x22q\x22")", R"(GET /a\xFFb HTTP/1.1 "agent \x22q\x22")"},
      {"a lone and a trailing backslash", R"(a\b\)", R"(a\b\)"},
      {"two backslashes stay two", R"(\\)", R"(\\)"},
      {"escape sequence", "x\x1b]0;owned\x07y", R"(x\e]0;owned\x07y)"},
      {"controls next to a backslash", "\\\n\\\t", R"(\\n\\t)"},
      {"invalid UTF-8", "a\xff\\b", R"(a\xff\b)"},
      {"a UTF-8 sequence cut by a backslash is invalid", "\xc3\\\xa9", R"(\xc3\\xa9)"},
      {"valid UTF-8 passes", "caf\xc3\xa9 \\x", "caf\xc3\xa9 \\x"},
      {"C1 control", "a\xc2\x9b" "b", R"(a\u009bb)"},
      {"empty", "", ""},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) { CHECK(terminal_safe_keep_backslash(c.in) == c.want); }
  }
}

TEST_CASE("terminal_safe_keep_backslash differs from terminal_safe only in backslashes", "[cli][escape]") {
  const std::string in = "p\\q\x1b[31m\xfe";
  CHECK(terminal_safe(in) == R"(p\\q\e[31m\xfe)");
  CHECK(terminal_safe_keep_backslash(in) == R"(p\q\e[31m\xfe)");
}
