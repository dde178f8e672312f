#pragma once
// Access log lines split by a compiled LogFormat into raw field values (string_views into the
// line: no copy, no allocation), plus the typed readings of those values: status, byte counts,
// seconds, times, the request line, nginx's \xHH and escape=json escapes.
#include "meshops/nginx/log_format.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// One field of a parsed line: its variable name and its raw (still escaped) value.
struct RawField {
  std::string_view name;
  std::string_view value;
  Var var = Var::other;
};

/// A parsed line. Views point into the line (and the format's names): valid while both live.
struct Record {
  std::string_view line;  ///< the line without its newline (and without a trailing \r)
  std::array<std::string_view, static_cast<int>(Var::count_)> vars{};
  std::uint32_t present = 0;  ///< bit (1 << Var) set when the line has that variable
  std::vector<RawField> fields;  ///< every field in order (custom variables included)
  bool truncated = false;        ///< the line ended before the format did (see LineParser::parse)
  /// Text after the format's last field: the log is written in a longer format than the one
  /// it is read with ($host, $request_time appended), so those fields go unread. Empty when
  /// the format took the whole line.
  std::string_view unread;
  int status = -1;               ///< $status as a number, -1 without one (set when the line matched)
  std::uint64_t bytes = 0;       ///< $body_bytes_sent, else $bytes_sent, as a number (0 without)

  bool has(Var v) const { return (present >> static_cast<int>(v)) & 1u; }
  std::string_view get(Var v) const { return vars[static_cast<int>(v)]; }
};

/// Whether LineParser fills Record::fields (every field in order, for NDJSON output) or only
/// the known variables (all a summary or a filter reads: less work a line).
enum class RawFields { keep, skip };

/// The most keys a JSON line (format json) may hold; a line with more is malformed. nginx
/// writes the keys its log_format names, a few dozen; a line of millions of keys is no log
/// line, and kept as fields for NDJSON it took 7 bytes of memory for every byte of it.
inline constexpr std::size_t kMaxJsonKeys = 1000;

/// Splits lines according to one format. Reusable across lines; holds no per-line state.
class LineParser {
public:
  /// Keeps a pointer to format, which must outlive the parser (a temporary is refused).
  explicit LineParser(const LogFormat& format, RawFields fields = RawFields::keep);
  explicit LineParser(LogFormat&&, RawFields = RawFields::keep) = delete;

  /// Parses line (without its '\n'; a trailing '\r' is ignored) into rec, reusing rec's
  /// storage. Returns false when the line does not match the format: a literal is missing,
  /// $status is not three digits, a byte count is not a number, or (json) it is not an object
  /// or holds more than kMaxJsonKeys keys.
  /// Text after the format's last literal is not parsed; it is left in rec.unread. A line cut short after the fields that
  /// make a request ($remote_addr, the time, $request) is accepted with rec.truncated set and
  /// the later fields absent, as GoAccess counts it: cut inside a quoted field (which takes
  /// the rest), inside the literal after a field, or where an unquoted field would start.
  bool parse(std::string_view line, Record& rec) const;

  const LogFormat& format() const { return *format_; }

  /// The literal after a field, ready for the search, and where the field's value goes.
  struct Literal {
    std::string_view text;        ///< empty after a last field that nothing follows
    std::uint64_t head = 0;       ///< text's first (up to 8) bytes as one word
    std::uint64_t head_mask = 0;  ///< the bytes of head that belong to text
    bool escape_aware = false;    ///< closes a quoted field at a '"', which \" does not
    std::uint8_t var_slot = 0;    ///< Record::vars index; 0 (Var::other, never read) for none
    std::uint32_t var_bit = 0;    ///< Record::present bit; 0 for none
  };

private:
  bool parse_fields(std::string_view line, Record& rec) const;
  bool parse_json(std::string_view line, Record& rec) const;
  const LogFormat* format_;
  bool keep_fields_;
  std::size_t tail_from_ = 0;      // fields from this index on may be cut off
  std::vector<Literal> literals_;  // one per field
};

/// The request line `METHOD URI PROTOCOL` split; valid is false for what is not one (a TLS
/// handshake sent to the HTTP port, an empty request "", a bare garbage string).
struct RequestLine {
  std::string_view method;
  std::string_view uri;
  std::string_view protocol;
  bool valid = false;
};

/// Splits a raw $request value.
RequestLine parse_request_line(std::string_view request);

/// The path of a URI: everything before '?'.
std::string_view strip_query(std::string_view uri);

/// The three-digit status, or -1 when value is not three digits.
int parse_status(std::string_view value);

/// A non-negative integer ($body_bytes_sent); nullopt for "-" or anything not all digits.
std::optional<std::uint64_t> parse_uint(std::string_view value);

/// Seconds ("0.005", at most 12 digits before the point) as milliseconds; nullopt for "-", ""
/// or junk.
std::optional<double> parse_seconds_ms(std::string_view value);

/// $upstream_response_time, a list like "0.010, 0.004 : 0.002" (one entry per upstream tried,
/// ':' after an internal redirect): the sum in milliseconds; nullopt when no entry is a number.
std::optional<double> parse_seconds_list_ms(std::string_view value);

// Times are read into sys::Time (years 0000..9999, never wrapped) and handed on as its
// milliseconds since the epoch; $time_iso8601 is sys::parse_rfc3339's.
/// $time_local ("10/Oct/2000:13:55:36 -0700") as Unix milliseconds; nullopt when malformed.
std::optional<std::int64_t> parse_time_local(std::string_view value);
/// $msec ("1700000000.123") as Unix milliseconds.
std::optional<std::int64_t> parse_msec(std::string_view value);
/// The record's time from whichever time variable it has, in Unix milliseconds.
std::optional<std::int64_t> record_time(const Record& rec);

/// A raw value with the format's escapes undone: \xHH (default escaping), or \" \\ \n \uXXXX
/// (escape=json). The result may hold any bytes, including invalid UTF-8.
std::string decode_value(std::string_view raw, Escape escape);

/// Whether raw needs decoding at all (has a backslash); lets hot paths skip the copy.
inline bool needs_decoding(std::string_view raw) {
  return raw.find('\\') != std::string_view::npos;
}

/// Whether s is valid UTF-8.
bool valid_utf8(std::string_view s);

} // namespace meshops::nginx
