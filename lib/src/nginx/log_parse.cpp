#include "meshops/nginx/log_parse.hpp"

#include "meshops/sys/time.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace meshops::nginx {
namespace {

// Whether the byte at h is escaped by an odd run of backslashes after `from`.
bool escaped_at(std::string_view s, std::size_t from, std::size_t h) {
  std::size_t n = 0;
  while (h > from && s[h - 1] == '\\') { --h; ++n; }
  return n & 1u;
}

std::uint64_t load64(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// The first occurrence of lit in s at or after pos; inside a quoted field an escaped quote
// (\") does not count, so a user agent written by a proxy that escapes that way stays whole.
std::size_t find_literal(std::string_view s, std::size_t pos, const LineParser::Literal& lit) {
  const std::size_t size = lit.text.size();
  std::size_t p = pos;
  while (p < s.size()) {
    const void* hit = std::memchr(s.data() + p, lit.text[0], s.size() - p);
    if (!hit) return std::string_view::npos;
    const auto h = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    p = h + 1;
    if (lit.escape_aware && escaped_at(s, pos, h)) continue;
    if (size == 1) return h;
    if (h + size > s.size()) continue;
    if (h + 8 <= s.size()) {  // literals are a few bytes (" [", "\" \""): one word compare
      if (((load64(s.data() + h) ^ lit.head) & lit.head_mask) == 0 &&
          (size <= 8 || s.substr(h + 8, size - 8) == lit.text.substr(8)))
        return h;
    } else if (s.substr(h, size) == lit.text) {
      return h;
    }
  }
  return std::string_view::npos;
}

// Where line, cut short, ends inside the literal after a field that starts at pos
// ("GET / HTTP/1.1"" cut before the space): the first unescaped occurrence of the literal's
// first byte, when the rest of the line from there begins the literal; else npos.
std::size_t literal_cut_at_end(std::string_view line, std::size_t pos, const LineParser::Literal& lit) {
  std::size_t h = line.find(lit.text[0], pos);
  while (h != std::string_view::npos && lit.escape_aware && escaped_at(line, pos, h)) h = line.find(lit.text[0], h + 1);
  if (h == std::string_view::npos) return h;
  const std::size_t rest = line.size() - h;
  return rest < lit.text.size() && line.substr(h) == lit.text.substr(0, rest) ? h : std::string_view::npos;
}

// A last field with nothing after it in the format ends at the first space, so text appended
// after it is ignored, except for values that hold spaces themselves.
bool last_field_runs_to_end(Var v) {
  switch (v) {
    case Var::request: case Var::http_user_agent: case Var::http_referer: case Var::time_local:
    case Var::upstream_response_time: case Var::other:
      return true;
    default:
      return false;
  }
}

// A byte count: whether v is all digits, with its value in n (0 past 19 digits, which could
// overflow).
bool read_count(std::string_view v, std::uint64_t& n) {
  if (v.empty()) return false;
  std::uint64_t x = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    x = x * 10 + static_cast<std::uint64_t>(c - '0');
  }
  n = v.size() <= 19 ? x : 0;
  return true;
}

// Checks and reads the typed fields every line needs: $status, the byte counts.
bool valid_typed(Record& rec) {
  rec.status = rec.has(Var::status) ? parse_status(rec.get(Var::status)) : -1;
  if (rec.has(Var::status) && rec.status < 0) return false;
  std::uint64_t body = 0, all = 0;
  if (rec.has(Var::body_bytes_sent) && !read_count(rec.get(Var::body_bytes_sent), body)) return false;
  if (rec.has(Var::bytes_sent) && !read_count(rec.get(Var::bytes_sent), all)) return false;
  rec.bytes = rec.has(Var::body_bytes_sent) ? body : all;
  return true;
}

void set_var(Record& rec, Var v, std::string_view value) {
  const int i = static_cast<int>(v);
  if (v == Var::other || rec.has(v)) return;  // the first occurrence wins
  rec.vars[i] = value;
  rec.present |= 1u << i;
}

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}


// The end of a JSON value that is not a string: a number, literal, or nested object/array.
std::size_t json_scalar_end(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = text::quoted_end(s, i + 1);
      if (i == std::string_view::npos) return i;
      ++i;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      --depth;
    } else if (c == ',' && depth == 0) return i;
    ++i;
  }
  return depth == 0 ? i : std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) out += static_cast<char>(cp);
  else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Reads exactly n digits at s[i..]; -1 when they are not all digits.
int digits(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return -1;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

} // namespace

LineParser::LineParser(const LogFormat& format, RawFields fields)
    : format_(&format), keep_fields_(fields == RawFields::keep) {
  // The fields that make a request; a line cut short after them still is one. A format with
  // none of them has its $status stand in; with neither, no line may be cut short.
  int last = -1;
  for (Var v : {Var::remote_addr, Var::time_local, Var::time_iso8601, Var::msec, Var::request})
    last = std::max(last, format.index_of(v));
  if (last < 0) last = format.index_of(Var::status);
  tail_from_ = last < 0 ? format.fields.size() : static_cast<std::size_t>(last + 1);
  std::uint32_t seen = 0;
  for (const FormatField& field : format.fields) {
    Literal lit;
    lit.text = field.following;
    const auto bit = std::uint32_t{1} << static_cast<int>(field.var);
    if (field.var != Var::other && !(seen & bit)) {  // the first field with a variable sets it
      lit.var_slot = static_cast<std::uint8_t>(field.var);
      lit.var_bit = bit;
      seen |= bit;
    }
    if (!lit.text.empty()) {
      const std::size_t n = std::min<std::size_t>(lit.text.size(), 8);
      const char ones[8] = {'\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF', '\xFF'};
      std::memcpy(&lit.head, lit.text.data(), n);  // both in memory order, as the compare loads
      std::memcpy(&lit.head_mask, ones, n);
      lit.escape_aware = field.quoted && lit.text[0] == '"';
    }
    literals_.push_back(lit);
  }
}

bool LineParser::parse(std::string_view line, Record& rec) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  rec.line = line;
  rec.present = 0;  // nothing of the previous line may show through
  rec.truncated = false;
  rec.unread = {};
  rec.status = -1;
  rec.bytes = 0;
  return format_->json_lines ? parse_json(line, rec) : parse_fields(line, rec);
}

bool LineParser::parse_fields(std::string_view line, Record& rec) const {
  const LogFormat& f = *format_;
  std::size_t pos = 0;
  if (!f.leading.empty()) {
    if (line.substr(0, f.leading.size()) != f.leading) return false;
    pos = f.leading.size();
  }
  const std::size_t n = f.fields.size();
  if (keep_fields_ && rec.fields.size() != n) rec.fields.resize(n);
  // Each value goes to its variable's slot (Var::other's slot, 0, is a sink never read).
  auto store = [&](std::size_t i, std::string_view value) {
    const Literal& lit = literals_[i];
    rec.vars[lit.var_slot] = value;
    rec.present |= lit.var_bit;
    if (keep_fields_) rec.fields[i] = RawField{f.fields[i].name, value, f.fields[i].var};
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Literal& lit = literals_[i];
    if (pos > line.size()) return false;
    std::size_t end;
    if (!lit.text.empty()) {
      end = find_literal(line, pos, lit);
      if (end == std::string_view::npos) {
        // A line cut short (a crash, a full disk) after the fields that make a request is
        // still that request, as GoAccess counts it. Cut inside the literal after a field
        // ("GET / HTTP/1.1"), the field is whole; cut inside a quoted field, the field takes
        // the rest; a line that ends right where an unquoted field would start has it absent.
        const bool quoted = f.fields[i].quoted;
        const std::size_t cut = literal_cut_at_end(line, pos, lit);
        if (cut != std::string_view::npos && i + 1 >= tail_from_) {
          store(i, line.substr(pos, cut - pos));
        } else {
          if (i < tail_from_ || (!quoted && pos < line.size())) return false;
          if (quoted) store(i, line.substr(pos));
        }
        if (keep_fields_) rec.fields.resize(cut != std::string_view::npos || quoted ? i + 1 : i);
        rec.truncated = true;
        break;
      }
    } else if (f.fields[i].quoted || last_field_runs_to_end(f.fields[i].var)) {
      end = line.size();
    } else {
      end = line.find(' ', pos);
      if (end == std::string_view::npos) end = line.size();
    }
    store(i, line.substr(pos, end - pos));
    pos = end + lit.text.size();
  }
  if (pos < line.size() && !rec.truncated) rec.unread = line.substr(pos);
  return valid_typed(rec);
}

bool LineParser::parse_json(std::string_view line, Record& rec) const {
  rec.fields.clear();
  std::size_t i = skip_ws(line, 0);
  if (i >= line.size() || line[i] != '{') return false;
  i = skip_ws(line, i + 1);
  if (i < line.size() && line[i] == '}') return valid_typed(rec);
  std::size_t keys = 0;
  while (i < line.size()) {
    if (line[i] != '"' || ++keys > kMaxJsonKeys) return false;
    std::size_t kend = text::quoted_end(line, i + 1);
    if (kend == std::string_view::npos) return false;
    std::string_view key = line.substr(i + 1, kend - i - 1);
    i = skip_ws(line, kend + 1);
    if (i >= line.size() || line[i] != ':') return false;
    i = skip_ws(line, i + 1);
    if (i >= line.size()) return false;
    std::string_view value;
    if (line[i] == '"') {
      std::size_t vend = text::quoted_end(line, i + 1);
      if (vend == std::string_view::npos) return false;
      value = line.substr(i + 1, vend - i - 1);
      i = vend + 1;
    } else {
      std::size_t vend = json_scalar_end(line, i);
      if (vend == std::string_view::npos) return false;
      value = line.substr(i, vend - i);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (value.empty()) return false;
      i = vend;
    }
    std::string_view name = key;
    if (!name.empty() && name.front() == '$') name.remove_prefix(1);
    Var v = var_from_name(name);
    // A summary or a filter's first pass reads only the variables: no field a key.
    if (keep_fields_) rec.fields.push_back(RawField{name, value, v});
    set_var(rec, v, value);
    i = skip_ws(line, i);
    if (i < line.size() && line[i] == ',') {
      i = skip_ws(line, i + 1);
      continue;
    }
    if (i < line.size() && line[i] == '}') return valid_typed(rec);
    return false;
  }
  return false;
}

RequestLine parse_request_line(std::string_view request) {
  RequestLine r;
  std::size_t sp = 0;  // the method: A-Z, '_' and '-' up to the first space
  while (sp < request.size() && ((request[sp] >= 'A' && request[sp] <= 'Z') || request[sp] == '_' || request[sp] == '-'))
    ++sp;
  if (sp == 0 || sp == request.size() || request[sp] != ' ') return r;
  std::string_view method = request.substr(0, sp);
  std::string_view rest = request.substr(sp + 1);
  std::size_t sp2 = rest.rfind(' ');
  std::string_view uri = rest, protocol;
  if (sp2 != std::string_view::npos && rest.substr(sp2 + 1).substr(0, 5) == "HTTP/") {
    uri = rest.substr(0, sp2);
    protocol = rest.substr(sp2 + 1);
  }
  if (uri.empty()) return r;
  r.method = method;
  r.uri = uri;
  r.protocol = protocol;
  r.valid = true;
  return r;
}

std::string_view strip_query(std::string_view uri) {
  std::size_t q = uri.find('?');
  return q == std::string_view::npos ? uri : uri.substr(0, q);
}

int parse_status(std::string_view v) {
  if (v.size() != 3) return -1;
  int s = digits(v, 0, 3);
  return s;
}

std::optional<std::uint64_t> parse_uint(std::string_view v) {
  if (v.empty() || v.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

std::optional<double> parse_seconds_ms(std::string_view v) {
  if (v.empty() || v.size() > 24) return std::nullopt;
  std::uint64_t whole = 0, frac = 0, scale = 1;
  std::size_t i = 0;
  bool any = false;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
    // 10^12 s is 31,700 years: more is no duration or time nginx wrote, and would wrap whole.
    if (i >= 12) return std::nullopt;
    whole = whole * 10 + static_cast<std::uint64_t>(v[i] - '0');
    any = true;
  }
  if (i < v.size() && v[i] == '.') {
    for (++i; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
      if (scale < 1000000000) {
        frac = frac * 10 + static_cast<std::uint64_t>(v[i] - '0');
        scale *= 10;
      }
      any = true;
    }
  }
  if (!any || i != v.size()) return std::nullopt;
  return static_cast<double>(whole) * 1000.0 + static_cast<double>(frac) * 1000.0 / static_cast<double>(scale);
}

std::optional<double> parse_seconds_list_ms(std::string_view v) {
  double sum = 0;
  bool any = false;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == ',' || v[i] == ':')) ++i;
    std::size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != ',' && v[j] != ':') ++j;
    if (j > i) {
      if (auto ms = parse_seconds_ms(v.substr(i, j - i))) {
        sum += *ms;
        any = true;
      } else if (v.substr(i, j - i) != "-") {
        return std::nullopt;
      }
    }
    i = j;
  }
  if (!any) return std::nullopt;
  return sum;
}

std::optional<std::int64_t> parse_time_local(std::string_view v) {
  // 10/Oct/2000:13:55:36 -0700
  if (v.size() != 26 || v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' || v[17] != ':' ||
      v[20] != ' ' || (v[21] != '+' && v[21] != '-'))
    return std::nullopt;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::size_t mpos = kMonths.find(v.substr(3, 3));
  if (mpos == std::string_view::npos || mpos % 3 != 0) return std::nullopt;
  unsigned mon = static_cast<unsigned>(mpos / 3 + 1);
  int day = digits(v, 0, 2), year = digits(v, 7, 4), h = digits(v, 12, 2), mi = digits(v, 15, 2),
      sec = digits(v, 18, 2), oh = digits(v, 22, 2), om = digits(v, 24, 2);
  if (day < 0 || year < 0 || h < 0 || mi < 0 || sec < 0 || oh < 0 || om < 0 || om > 59) return std::nullopt;
  std::int64_t offset = (oh * 3600 + om * 60) * (v[21] == '-' ? -1 : 1);
  // sys::Time holds it, so year 0000 with a -0700 zone or 9999 with +1400 is no wrapped value.
  auto t = sys::time_from_civil(year, mon, static_cast<unsigned>(day), static_cast<unsigned>(h), static_cast<unsigned>(mi),
                                static_cast<unsigned>(sec), 0, offset);
  if (!t) return std::nullopt;
  return t->unix_ms();
}

std::optional<std::int64_t> parse_msec(std::string_view v) {
  auto ms = parse_seconds_ms(v);  // at most 12 digits of seconds: exact in a double
  if (!ms) return std::nullopt;
  auto t = sys::Time::from_unix_ms(static_cast<std::int64_t>(*ms + 0.5));
  if (!t) return std::nullopt;
  return t->unix_ms();
}

std::optional<std::int64_t> record_time(const Record& rec) {
  if (rec.has(Var::time_local)) return parse_time_local(rec.get(Var::time_local));
  if (rec.has(Var::time_iso8601)) {
    auto t = sys::parse_rfc3339(rec.get(Var::time_iso8601));
    if (!t) return std::nullopt;
    return t->unix_ms();
  }
  if (rec.has(Var::msec)) return parse_msec(rec.get(Var::msec));
  return std::nullopt;
}


std::string decode_value(std::string_view raw, Escape escape) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size() || escape == Escape::none) {
      out += c;
      continue;
    }
    char n = raw[i + 1];
    if (escape == Escape::default_) {
      const bool room = i + 3 < raw.size();
      int hi = room ? hex_value(raw[i + 2]) : -1;
      int lo = room ? hex_value(raw[i + 3]) : -1;
      if (n == 'x' && hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
      } else if (n == '"' || n == '\\') {  // written that way by other producers
        out += n;
        i += 1;
      } else {
        out += c;
      }
      continue;
    }
    // escape=json
    switch (n) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        std::uint32_t cp = 0;
        bool ok = i + 5 < raw.size();
        for (std::size_t k = 2; ok && k < 6; ++k) {
          int h = hex_value(raw[i + k]);
          if (h < 0) ok = false;
          else cp = cp * 16 + static_cast<std::uint32_t>(h);
        }
        if (!ok) {
          out += c;
          continue;
        }
        append_utf8(out, cp);
        i += 5;
        continue;
      }
      default: out += c; continue;
    }
    i += 1;
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

} // namespace meshops::nginx
