#include "meshops/nginx/log_format.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>

#include <cctype>

namespace meshops::nginx {
namespace {

struct VarInfo {
  std::string_view name;
  Var var;
  VarType type;
};

constexpr VarInfo kVars[] = {
    {"remote_addr", Var::remote_addr, VarType::string},
    {"remote_user", Var::remote_user, VarType::string},
    {"time_local", Var::time_local, VarType::time},
    {"time_iso8601", Var::time_iso8601, VarType::time},
    {"msec", Var::msec, VarType::time},
    {"request", Var::request, VarType::string},
    {"request_method", Var::request_method, VarType::string},
    {"request_uri", Var::request_uri, VarType::string},
    {"uri", Var::uri, VarType::string},
    {"status", Var::status, VarType::integer},
    {"body_bytes_sent", Var::body_bytes_sent, VarType::integer},
    {"bytes_sent", Var::bytes_sent, VarType::integer},
    {"request_time", Var::request_time, VarType::seconds},
    {"upstream_response_time", Var::upstream_response_time, VarType::seconds_list},
    {"host", Var::host, VarType::string},
    {"http_host", Var::http_host, VarType::string},
    {"server_name", Var::server_name, VarType::string},
    {"http_referer", Var::http_referer, VarType::string},
    {"http_user_agent", Var::http_user_agent, VarType::string},
};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

void index_fields(LogFormat& f) {
  for (std::size_t i = 0; i < f.fields.size(); ++i) {
    int& slot = f.var_index[static_cast<int>(f.fields[i].var)];
    if (slot < 0) slot = static_cast<int>(i);
  }
}

// One token of nginx configuration: a word or a quoted string (quotes removed, escapes
// resolved), or one of the punctuation characters ; { }.
struct ConfToken {
  std::string text;
  bool punct = false;
};

std::vector<ConfToken> tokenize_conf(std::string_view s) {
  std::vector<ConfToken> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == ';' || c == '{' || c == '}') {
      out.push_back({std::string(1, c), true});
      ++i;
      continue;
    }
    ConfToken t;
    if (c == '"' || c == '\'') {
      char q = c;
      ++i;
      while (i < s.size() && s[i] != q) {
        // nginx resolves \" \' \\ \t \r \n inside quoted strings and keeps other backslashes.
        if (s[i] == '\\' && i + 1 < s.size()) {
          char n = s[i + 1];
          if (n == q || n == '\\') { t.text += n; i += 2; continue; }
          if (n == 't') { t.text += '\t'; i += 2; continue; }
          if (n == 'n') { t.text += '\n'; i += 2; continue; }
          if (n == 'r') { t.text += '\r'; i += 2; continue; }
        }
        t.text += s[i++];
      }
      ++i;  // closing quote
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != ';' &&
             s[i] != '{' && s[i] != '}')
        t.text += s[i++];
    }
    out.push_back(std::move(t));
  }
  return out;
}

} // namespace

Var var_from_name(std::string_view name) {
  for (const auto& v : kVars)
    if (v.name == name) return v.var;
  return Var::other;
}

std::string_view var_name(Var var) {
  for (const auto& v : kVars)
    if (v.var == var) return v.name;
  return {};
}

VarType var_type(Var var) {
  for (const auto& v : kVars)
    if (v.var == var) return v.type;
  return VarType::string;
}

LogFormat compile_log_format(std::string_view format, Escape escape) {
  if (format == "combined") return compile_log_format(kCombinedFormat, escape);
  if (format == "common") return compile_log_format(kCommonFormat, escape);
  LogFormat f;
  f.source = std::string(format);
  f.escape = escape;
  if (format == "json") {
    f.json_lines = true;
    f.escape = Escape::json;
    return f;
  }
  std::string literal;
  std::size_t i = 0;
  while (i < format.size()) {
    char c = format[i];
    if (c != '$') {
      literal += c;
      ++i;
      continue;
    }
    std::size_t start = i + 1;
    std::string name;
    if (start < format.size() && format[start] == '{') {
      std::size_t close = format.find('}', start);
      if (close == std::string_view::npos)
        throw Error(Exit::usage, fmt::format("log format: unclosed '${{' at offset {}", i));
      name = std::string(format.substr(start + 1, close - start - 1));
      i = close + 1;
    } else {
      std::size_t j = start;
      while (j < format.size() && is_name_char(format[j])) ++j;
      name = std::string(format.substr(start, j - start));
      i = j;
    }
    if (name.empty()) {  // a lone '$' is literal text, as in nginx
      literal += '$';
      continue;
    }
    if (f.fields.empty()) {
      f.leading = literal;
    } else {
      if (literal.empty())
        throw Error(Exit::usage,
                    fmt::format("log format: ${} and ${} have no text between them, so their values cannot be told apart",
                                f.fields.back().name, name),
                    "put a separator (a space, a quote) between the two variables");
      f.fields.back().following = literal;
    }
    FormatField field;
    field.var = var_from_name(name);
    field.name = name;
    field.quoted = !literal.empty() && literal.back() == '"';
    f.fields.push_back(std::move(field));
    literal.clear();
  }
  if (f.fields.empty())
    throw Error(Exit::usage, fmt::format("log format: no $variable in '{}'", format),
                "use combined, common, json or an nginx log_format string");
  f.fields.back().following = literal;
  index_fields(f);
  return f;
}

LogFormat log_format_from_conf(std::string_view conf_text, std::string_view name,
                               std::string_view origin) {
  auto tokens = tokenize_conf(conf_text);
  std::vector<std::string> defined;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    bool at_directive = i == 0 || tokens[i - 1].punct;
    if (!at_directive || tokens[i].punct || tokens[i].text != "log_format") continue;
    std::vector<std::string> args;
    std::size_t j = i + 1;
    for (; j < tokens.size() && !tokens[j].punct; ++j) args.push_back(tokens[j].text);
    if (args.empty()) continue;
    defined.push_back(args[0]);
    if (args[0] != name) continue;
    Escape escape = Escape::default_;
    std::string format;
    for (std::size_t k = 1; k < args.size(); ++k) {
      if (k == 1 && args[k].rfind("escape=", 0) == 0) {
        auto mode = std::string_view(args[k]).substr(7);
        if (mode == "json") escape = Escape::json;
        else if (mode == "none") escape = Escape::none;
        else if (mode == "default") escape = Escape::default_;
        else
          throw Error(Exit::usage, fmt::format("{}: log_format {}: unknown escape mode '{}'", origin, name, mode));
        continue;
      }
      format += args[k];
    }
    return compile_log_format(format, escape);
  }
  // nginx predefines combined; a config may use it without defining it.
  if (name == "combined") return compile_log_format(kCombinedFormat);
  std::string known;
  for (const auto& d : defined) known += (known.empty() ? "" : ", ") + d;
  throw Error(Exit::usage, fmt::format("{}: no log_format named '{}'", origin, name),
              known.empty() ? "the file defines no log_format (combined is built in: --format combined)"
                            : fmt::format("formats defined there: {}", known));
}

} // namespace meshops::nginx
