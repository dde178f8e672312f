// Splitting the dump and tokenising one file. The tokeniser follows ngx_conf_read_token's
// rules as far as the model needs them: whitespace separates words, '#' at the start of a word
// comments out the rest of the line, quotes group, a backslash escapes, "${" does not open a
// block, and ';', '{', '}' end or nest directives.
#include "meshops/nginx/conf.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

namespace meshops::nginx {
namespace {

constexpr std::string_view kHeader = "# configuration file ";
// Blocks nested deeper than this are no configuration (nginx's own are 4-6 deep): every
// reader of the tree walks it recursively, and 100,000 levels overflowed the stack.
constexpr std::size_t kMaxBlockDepth = 100;

struct Token {
  std::string text;
  int line = 0;
};

class Lexer {
public:
  explicit Lexer(const DumpedFile& file) : file_(file), s_(file.text) {}

  std::vector<Directive> parse() {
    std::vector<std::vector<Directive>*> stack;
    std::vector<Directive> root;
    stack.push_back(&root);
    std::vector<Token> words;
    while (true) {
      skip_space_and_comments();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == ';' || c == '{') {
        if (words.empty()) fail(fmt::format("unexpected \"{}\"", c));
        ++i_;
        Directive d = make_directive(words);
        words.clear();
        if (c == ';') {
          stack.back()->push_back(std::move(d));
        } else {
          d.has_block = true;
          stack.back()->push_back(std::move(d));
          if (stack.size() > kMaxBlockDepth) fail(fmt::format("blocks nested deeper than {}", kMaxBlockDepth));
          stack.push_back(&stack.back()->back().block);
        }
      } else if (c == '}') {
        if (!words.empty()) fail(fmt::format("directive \"{}\" is not terminated by \";\"", words.front().text));
        if (stack.size() == 1) fail("unexpected \"}\"");
        ++i_;
        stack.pop_back();
      } else {
        words.push_back(read_word());
      }
    }
    if (!words.empty()) fail(fmt::format("unexpected end of file, expecting \";\" or \"}}\" after \"{}\"", words.front().text));
    if (stack.size() != 1) fail("unexpected end of file, expecting \"}\"");
    return root;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(Exit::unknown, fmt::format("{}:{}: {}", file_.path, line_, what));
  }

  Directive make_directive(std::vector<Token>& words) const {
    Directive d;
    d.name = std::move(words.front().text);
    d.at = Place{file_.path, words.front().line};
    for (std::size_t k = 1; k < words.size(); ++k) d.args.push_back(std::move(words[k].text));
    return d;
  }

  void skip_space_and_comments() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        return;
      }
    }
  }

  // The character a backslash escape stands for, nginx's set; others keep the backslash.
  static bool unescape(char next, std::string& out) {
    switch (next) {
      case '"': case '\'': case '\\': out += next; return true;
      case 't': out += '\t'; return true;
      case 'r': out += '\r'; return true;
      case 'n': out += '\n'; return true;
      default: return false;
    }
  }

  Token read_word() {
    Token t;
    t.line = line_;
    char quote = 0;
    if (s_[i_] == '"' || s_[i_] == '\'') quote = s_[i_++];
    bool after_dollar = false;
    while (true) {
      if (i_ >= s_.size()) {
        if (quote) fail("unexpected end of file inside a quoted string");
        return t;
      }
      char c = s_[i_];
      if (quote) {
        if (c == quote) {
          ++i_;
          return t;
        }
      } else {
        bool ends = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || (c == '{' && !after_dollar);
        if (ends) return t;
      }
      if (c == '\\' && i_ + 1 < s_.size()) {
        char next = s_[i_ + 1];
        if (next == '\n') ++line_;
        if (!unescape(next, t.text)) {
          t.text += c;
          t.text += next;
        }
        i_ += 2;
        after_dollar = false;
        continue;
      }
      if (c == '\n') ++line_;
      after_dollar = c == '$';
      t.text += c;
      ++i_;
    }
  }

  const DumpedFile& file_;
  std::string_view s_;
  std::size_t i_ = 0;
  int line_ = 1;
};

} // namespace

std::vector<DumpedFile> split_dump(std::string_view dump) {
  // A file's own text could hold a line that looks like a header; nginx's dump format gives no
  // way to tell, so such a comment would split the file (harmless: it is a comment).
  std::vector<DumpedFile> files;
  std::size_t pos = 0;
  while (pos < dump.size()) {
    auto nl = dump.find('\n', pos);
    auto line = dump.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.substr(0, kHeader.size()) == kHeader && line.size() > kHeader.size() + 1 && line.back() == ':') {
      files.push_back({std::string(line.substr(kHeader.size(), line.size() - kHeader.size() - 1)), {}});
    } else if (!files.empty()) {
      files.back().text.append(line);
      files.back().text += '\n';
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  // nginx writes one newline after each file's text: drop it so line counts stay exact.
  for (auto& f : files)
    if (f.text.size() >= 2 && f.text.compare(f.text.size() - 2, 2, "\n\n") == 0) f.text.pop_back();
  return files;
}

std::vector<Directive> parse_file(const DumpedFile& file) { return Lexer(file).parse(); }

std::string to_string(const Place& p) { return fmt::format("{}:{}", p.file, p.line); }

} // namespace meshops::nginx
