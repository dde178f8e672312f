#pragma once
// Reading JSON that another program or a person wrote: one parse for every reader, so that
// no nlohmann exception (a number too large for a double, a nesting that would exhaust the
// stack of a recursive reader) escapes a reader documented to throw meshops::Error.
#include "meshops/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace meshops::sys {

/// How deep arrays and objects may nest in a document parse_json accepts. Real documents
/// (nft rulesets, tailscaled's replies) stay below 20; readers walk values recursively.
inline constexpr std::size_t kJsonMaxDepth = 128;

/// A document parse_json rejected, with where it stopped (exit code UNKNOWN).
class JsonError : public Error {
public:
  enum class Kind { syntax, number_range, depth };
  JsonError(const std::string& what, Kind kind, std::size_t byte, std::size_t line, std::size_t column, std::string reason)
      : Error(Exit::unknown, what), kind_(kind), byte_(byte), line_(line), column_(column), reason_(std::move(reason)) {}
  Kind kind() const { return kind_; }
  std::size_t byte() const { return byte_; }      ///< 0-based offset where the parse stopped
  std::size_t line() const { return line_; }      ///< 1-based
  std::size_t column() const { return column_; }  ///< 1-based, in bytes
  /// Why, without position: "syntax error while parsing value - ...", "number overflow parsing
  /// '1e999'", "nested deeper than 128 levels".
  const std::string& reason() const { return reason_; }

private:
  Kind kind_;
  std::size_t byte_, line_, column_;
  std::string reason_;
};

/// Parses text as one JSON document nested at most kJsonMaxDepth deep. Throws JsonError, its
/// message "ORIGIN:LINE:COLUMN: not valid JSON: REASON" (no "ORIGIN:" when origin is empty).
nlohmann::json parse_json(std::string_view text, std::string_view origin = {});

/// j as an integer from lo to hi. Throws Error (UNKNOWN) "WHERE: expected an integer from LO
/// to HI, got X" for a fraction, a value out of range or another type.
std::int64_t json_integer(const nlohmann::json& j, std::string_view where, std::int64_t lo, std::int64_t hi);

/// json_integer over the whole range of T.
template <typename T>
T json_integer(const nlohmann::json& j, std::string_view where) {
  static_assert(std::is_integral_v<T> && sizeof(T) <= sizeof(std::int64_t));
  constexpr auto hi = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  return static_cast<T>(json_integer(j, where, static_cast<std::int64_t>(std::numeric_limits<T>::min()),
                                     hi > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(hi)));
}

/// j as a finite number from lo to hi (an integer or a fraction). Throws Error (UNKNOWN)
/// "WHERE: expected a number from LO to HI, got X".
double json_number(const nlohmann::json& j, std::string_view where, double lo, double hi);

/// JSON nulls, written one way in every document: v's value, or null when it has none. Json
/// is the document's type (ordered_json for the schema-first documents).
template <typename Json = nlohmann::ordered_json, typename T>
Json or_null(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

/// f(*v), or null when v has none: a time written as RFC 3339, a struct as its object.
template <typename Json = nlohmann::ordered_json, typename T, typename F>
Json or_null(const std::optional<T>& v, F&& f) {
  return v ? Json(f(*v)) : Json(nullptr);
}

/// s, or null when it is empty: an exit node, peer or log field that is not there.
template <typename Json = nlohmann::ordered_json>
Json or_null(std::string_view s) {
  return s.empty() ? Json(nullptr) : Json(std::string(s));
}

} // namespace meshops::sys
