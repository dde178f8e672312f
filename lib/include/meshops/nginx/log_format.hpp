#pragma once
// nginx `log_format` strings compiled into a matcher: literals and typed fields, so that an
// access log line splits into field values with a handful of memchr calls and no allocation.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// The nginx variables whose values nginx-logs understands; any other `$var` is `other`, a
/// plain string field.
enum class Var : std::uint8_t {
  other,
  remote_addr,
  remote_user,
  time_local,
  time_iso8601,
  msec,
  request,
  request_method,
  request_uri,
  uri,
  status,
  body_bytes_sent,
  bytes_sent,
  request_time,
  upstream_response_time,
  host,
  http_host,
  server_name,
  http_referer,
  http_user_agent,
  count_  ///< number of variables, not a variable
};

/// How a variable's value is typed in NDJSON output and parsed by the aggregator.
enum class VarType : std::uint8_t { string, integer, seconds, seconds_list, time };

/// How nginx escaped the values (log_format's `escape=` parameter).
enum class Escape : std::uint8_t { default_, json, none };

/// The variable called name (without the `$`), or Var::other.
Var var_from_name(std::string_view name);
/// The nginx name of v (without the `$`); "" for Var::other.
std::string_view var_name(Var v);
/// The type of v's values.
VarType var_type(Var v);

/// One field of a compiled format: the variable and the literal text that follows it.
struct FormatField {
  Var var = Var::other;
  std::string name;       ///< the variable's name without `$`
  std::string following;  ///< literal between this field and the next (may be empty for the last)
  bool quoted = false;    ///< the field sits between double quotes: `\"` inside does not end it
};

/// A compiled log format.
struct LogFormat {
  std::string source;              ///< the log_format string it was compiled from ("json" for that mode)
  std::string leading;             ///< literal before the first field
  std::vector<FormatField> fields;
  Escape escape = Escape::default_;
  bool json_lines = false;         ///< each line is a JSON object whose keys name variables

  /// The index of the first field holding v, or -1.
  int index_of(Var v) const { return var_index[static_cast<int>(v)]; }
  bool has(Var v) const { return index_of(v) >= 0; }

  /// var -> index of its first field, -1 when absent (filled by the compiler).
  std::array<int, static_cast<int>(Var::count_)> var_index = no_fields();

private:
  static constexpr std::array<int, static_cast<int>(Var::count_)> no_fields() {
    std::array<int, static_cast<int>(Var::count_)> a{};
    for (auto& i : a) i = -1;
    return a;
  }
};

/// nginx's predefined `combined` format.
inline constexpr std::string_view kCombinedFormat =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")";
/// The Common Log Format (nginx's combined without referer and user agent).
inline constexpr std::string_view kCommonFormat =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent)";

/// Compiles an nginx log_format string ("$remote_addr - ..."); the names "combined",
/// "common" and "json" select the presets (json: one JSON object a line, keys naming
/// variables, as written with escape=json). Throws meshops::Error (Exit::usage) naming the
/// offending spot: no field at all, two fields with no literal between them, `${` unclosed.
LogFormat compile_log_format(std::string_view format, Escape escape = Escape::default_);

/// Finds `log_format NAME [escape=...] 'part' 'part' ...;` in nginx configuration text and
/// returns its compiled form (with its escape mode). Throws meshops::Error (Exit::usage) when
/// NAME is not defined there, naming `origin` (the file) and the name.
LogFormat log_format_from_conf(std::string_view conf_text, std::string_view name,
                               std::string_view origin);

} // namespace meshops::nginx
