#include "meshops/nginx/log_error.hpp"

#include "meshops/nginx/log_parse.hpp"
#include "meshops/sys/time.hpp"
#include "text.hpp"

#include <ctime>

namespace meshops::nginx {
namespace {

int two(std::string_view s, std::size_t i) {
  if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
  return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

bool read_int(std::string_view s, std::size_t& i, std::int64_t& out) {
  std::size_t start = i;
  out = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 18) out = out * 10 + (s[i++] - '0');
  return i > start;
}


std::string_view* context_slot(ErrorRecord& r, std::string_view key) {
  if (key == "client") return &r.client;
  if (key == "server") return &r.server;
  if (key == "request") return &r.request;
  if (key == "subrequest") return &r.subrequest;
  if (key == "upstream") return &r.upstream;
  if (key == "host") return &r.host;
  if (key == "referrer") return &r.referrer;
  return nullptr;
}

// nginx appends ", client: A, server: S, request: "R", ..." in a fixed order starting with
// client; everything before the first ", client: " is the message.
void split_context(ErrorRecord& r, std::string_view text) {
  std::size_t at = text.find(", client: ");
  if (at == std::string_view::npos) {
    r.message = text;
    return;
  }
  r.message = text.substr(0, at);
  std::size_t i = at + 2;
  while (i < text.size()) {
    std::size_t colon = text.find(": ", i);
    if (colon == std::string_view::npos) break;
    std::string_view key = text.substr(i, colon - i);
    std::string_view* slot = context_slot(r, key);
    std::size_t v = colon + 2;
    std::size_t end;
    if (v < text.size() && text[v] == '"') {
      std::size_t q = nginx::text::quoted_end(text, v + 1);
      if (q == std::string_view::npos) break;
      if (slot) *slot = text.substr(v + 1, q - v - 1);
      end = q + 1;
    } else {
      end = text.find(", ", v);
      if (end == std::string_view::npos) end = text.size();
      if (slot) *slot = text.substr(v, end - v);
    }
    if (end >= text.size() || text.substr(end, 2) != ", ") break;
    i = end + 2;
  }
}

std::string_view quoted_zone(std::string_view msg, std::size_t from) {
  std::size_t z = msg.find("zone \"", from);
  if (z == std::string_view::npos) return {};
  z += 6;
  std::size_t e = msg.find('"', z);
  return e == std::string_view::npos ? std::string_view{} : msg.substr(z, e - z);
}

} // namespace

bool parse_error_line(std::string_view line, ErrorRecord& r) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  r = ErrorRecord{};
  r.line = line;
  // 2024/05/01 13:00:00 [error] 12#12: ...
  if (line.size() < 28 || line[4] != '/' || line[7] != '/' || line[10] != ' ' || line[13] != ':' ||
      line[16] != ':' || line[19] != ' ' || line[20] != '[')
    return false;
  // The host's local time, read as if UTC (nginx writes no zone here).
  int y1 = two(line, 0), y2 = two(line, 2), mon = two(line, 5), day = two(line, 8), h = two(line, 11),
      mi = two(line, 14), sec = two(line, 17);
  if (y1 < 0 || y2 < 0 || mon < 0 || day < 0 || h < 0 || mi < 0 || sec < 0) return false;
  auto t = sys::time_from_civil(y1 * 100 + y2, static_cast<unsigned>(mon), static_cast<unsigned>(day),
                                static_cast<unsigned>(h), static_cast<unsigned>(mi), static_cast<unsigned>(sec));
  if (!t) return false;
  r.local_ms = t->unix_ms();
  std::size_t close = line.find(']', 21);
  if (close == std::string_view::npos) return false;
  auto level = parse_level(line.substr(21, close - 21));
  if (!level) return false;
  r.level = *level;
  std::size_t i = close + 1;
  if (i >= line.size() || line[i] != ' ') return false;
  ++i;
  if (!read_int(line, i, r.pid) || i >= line.size() || line[i] != '#') return false;
  ++i;
  if (!read_int(line, i, r.tid) || line.substr(i, 2) != ": ") return false;
  i += 2;
  if (i < line.size() && line[i] == '*') {
    std::size_t j = i + 1;
    std::int64_t c = 0;
    if (read_int(line, j, c) && j < line.size() && line[j] == ' ') {
      r.connection = static_cast<std::uint64_t>(c);
      i = j + 1;
    }
  }
  split_context(r, line.substr(i));
  const std::string_view m = r.message;
  if (m.rfind("limiting requests", 0) == 0) {
    r.limit = LimitEvent::req_rejected;
    r.zone = quoted_zone(m, 0);
  } else if (m.rfind("delaying request", 0) == 0) {
    r.limit = LimitEvent::req_delayed;
    r.zone = quoted_zone(m, 0);
  } else if (m.rfind("limiting connections", 0) == 0) {
    r.limit = LimitEvent::conn_rejected;
    r.zone = quoted_zone(m, 0);
  }
  return true;
}

ErrorEntry::ErrorEntry(const ErrorRecord& r) : line_(r.line), record_(r) {
  auto into_copy = [&](std::string_view& v) {
    if (v.empty()) v = {};
    else v = std::string_view(line_.data() + (v.data() - r.line.data()), v.size());
  };
  into_copy(record_.line);
  for (auto* v : {&record_.message, &record_.client, &record_.server, &record_.request, &record_.subrequest,
                  &record_.upstream, &record_.host, &record_.referrer, &record_.zone})
    into_copy(*v);
}

std::int64_t unix_ms_of_local(std::int64_t local_ms) {
  std::time_t secs = static_cast<std::time_t>(local_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm)) * 1000 + local_ms % 1000;
}

void ErrorSummary::add(const ErrorRecord& r) {
  ++entries;
  ++levels[r.level];
  if (r.limit != LimitEvent::none) {
    auto& z = zones[std::string(r.zone)];
    if (r.limit == LimitEvent::req_rejected) ++z.rejected;
    else if (r.limit == LimitEvent::req_delayed) ++z.delayed;
    else ++z.conn_rejected;
  }
  if (!first_local_ms || r.local_ms < *first_local_ms) first_local_ms = r.local_ms;
  if (!last_local_ms || r.local_ms > *last_local_ms) last_local_ms = r.local_ms;
}

} // namespace meshops::nginx
