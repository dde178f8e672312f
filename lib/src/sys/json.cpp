#include "meshops/sys/json.hpp"

#include <fmt/format.h>

#include <cmath>

namespace meshops::sys {
namespace {

using json = nlohmann::json;

/// The offset of the bracket that opens level kJsonMaxDepth + 1, or npos. A lexical scan
/// (strings and their escapes skipped), so a deep document is refused before nlohmann builds it
/// and before any recursive reader walks it.
std::size_t too_deep_at(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kJsonMaxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

/// Where nlohmann stopped on an error that carries no position (a number it cannot hold is
/// an out_of_range, not a parse_error): a SAX pass that only remembers where the parser failed.
class ErrorLocator : public json::json_sax_t {
public:
  std::size_t byte = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    byte = position;
    return false;
  }
};

[[noreturn]] void fail(std::string_view text, std::string_view origin, JsonError::Kind kind, std::size_t byte,
                       std::string reason) {
  std::size_t line = 1, col = 1;
  for (std::size_t k = 0; k < byte && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  auto what = fmt::format("{}{}{}:{}: not valid JSON: {}", origin, origin.empty() ? "" : ":", line, col, reason);
  throw JsonError(what, kind, byte, line, col, std::move(reason));
}

std::string shown(const json& j) {
  if (j.is_number() || j.is_boolean() || j.is_null()) return j.dump();
  return j.type_name();
}

} // namespace

json parse_json(std::string_view text, std::string_view origin) {
  if (auto deep = too_deep_at(text); deep != std::string_view::npos)
    fail(text, origin, JsonError::Kind::depth, deep, fmt::format("nested deeper than {} levels", kJsonMaxDepth));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    std::size_t byte = 0;
    auto kind = JsonError::Kind::syntax;
    if (const auto* pe = dynamic_cast<const json::parse_error*>(&e)) {
      byte = pe->byte;
    } else {
      kind = JsonError::Kind::number_range;
      ErrorLocator where;
      json::sax_parse(text, &where, json::input_format_t::json, /*strict=*/true);
      byte = where.byte;
      // The parser stops after the number: point at its first character.
      while (byte > 1 && std::string_view("0123456789+-.eE").find(text[byte - 2]) != std::string_view::npos) --byte;
    }
    // nlohmann's message starts with "[json.exception.X.N]" and may repeat its own position;
    // keep only the reason.
    std::string why = e.what();
    if (auto p = why.find("syntax error"); p != std::string::npos) why = why.substr(p);
    else if (auto q = why.find("] "); q != std::string::npos) why = why.substr(q + 2);
    fail(text, origin, kind, byte ? byte - 1 : 0, std::move(why));
  }
}

std::int64_t json_integer(const json& j, std::string_view where, std::int64_t lo, std::int64_t hi) {
  auto bad = [&]() -> Error {
    return Error(Exit::unknown, fmt::format("{}: expected an integer from {} to {}, got {}", where, lo, hi, shown(j)));
  };
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(hi) || (hi < 0)) throw bad();
    return static_cast<std::int64_t>(v);
  }
  if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v < lo || v > hi) throw bad();
    return v;
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    // A whole number written as a float (3.0, 1e3) is that integer; the bounds are compared
    // as doubles first, so 1e30 never reaches the cast.
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi) ||
        d >= 9.2233720368547758e18)
      throw bad();
    auto v = static_cast<std::int64_t>(d);
    if (v < lo || v > hi) throw bad();
    return v;
  }
  throw bad();
}

double json_number(const json& j, std::string_view where, double lo, double hi) {
  if (j.is_number()) {
    double d = j.get<double>();
    if (std::isfinite(d) && d >= lo && d <= hi) return d;
  }
  throw Error(Exit::unknown, fmt::format("{}: expected a number from {} to {}, got {}", where, lo, hi, shown(j)));
}

} // namespace meshops::sys
