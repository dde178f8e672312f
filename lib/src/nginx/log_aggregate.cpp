#include "meshops/nginx/log_aggregate.hpp"

#include "meshops/sys/calendar.hpp"
#include "meshops/sys/json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace meshops::nginx {

// Notes on the hot path. A summary of a GB-sized log is bound by the work per line, so:
// - a line is split into string_views (LineParser) and nothing is copied or allocated;
// - a key is hashed once and copied into the table's arena only the first time it is seen;
// - $time_local changes once a second at most, so the parsed value of the previous line's
//   timestamp is reused when the text is the same;
// - escapes are decoded only for the keys that make the report, never per line.

void MsHistogram::add(double ms) {
  if (!(ms >= 0)) return;
  auto v = static_cast<std::uint64_t>(ms + 0.5);
  if (v < kSmall) {
    if (small_.empty()) small_.assign(kSmall, 0);
    ++small_[v];
  } else {
    ++large_[v];
  }
  ++count_;
  max_ = std::max(max_, ms);
}

void MsHistogram::merge(const MsHistogram& o) {
  if (!o.small_.empty()) {
    if (small_.empty()) small_.assign(kSmall, 0);
    for (std::size_t i = 0; i < kSmall; ++i) small_[i] += o.small_[i];
  }
  for (const auto& [v, n] : o.large_) large_[v] += n;
  count_ += o.count_;
  max_ = std::max(max_, o.max_);
}

double MsHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < small_.size(); ++i) {
    seen += small_[i];
    if (seen >= rank) return static_cast<double>(i);
  }
  for (const auto& [v, n] : large_) {
    seen += n;
    if (seen >= rank) return static_cast<double>(v);
  }
  return max_;
}

Aggregator::Aggregator(const LogFormat& format, AggregateOptions options)
    : format_(&format), parser_(format, RawFields::skip), options_(std::move(options)), filtering_(!options_.filter.empty()) {}

void Aggregator::add_lines(std::string_view data, std::uint64_t line_no) {
  const char* p = data.data();
  const char* end = p + data.size();
  // The lines ahead are asked for early: the hardware prefetcher stops at each page's end.
  constexpr std::ptrdiff_t kAhead = 2048;
  while (p < end) {
    if (end - p > kAhead) __builtin_prefetch(p + kAhead);
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* le = nl ? nl : end;
    add_line(std::string_view(p, static_cast<std::size_t>(le - p)), line_no++);
    p = le + 1;
  }
}

void Aggregator::add_line(std::string_view line, std::uint64_t line_no) {
  ++lines_;
  if (!parser_.parse(line, rec_)) {
    ++malformed_;
    if (malformed_examples_.size() < options_.keep_malformed)
      malformed_examples_.push_back({line_no, std::string(line.substr(0, 4096))});
    return;
  }
  if (!rec_.unread.empty()) [[unlikely]] {
    if (!unread_lines_++) unread_example_ = MalformedLine{line_no, std::string(rec_.unread.substr(0, 4096))};
  }
  if (filtering_ && !options_.filter.matches(rec_, format_->escape)) {
    ++filtered_out_;
    return;
  }
  // After the filters: own_requests are the probes that would otherwise have been counted (one
  // outside --since is filtered_out like any other record).
  if (!options_.count_own && is_own_request(rec_)) {
    ++own_;
    return;
  }
  count(rec_);
}

void Aggregator::count(const Record& rec) {
  ++requests_;
  truncated_ += rec.truncated;
  int cls = 0;
  if (rec.status >= 0) {
    const int s = rec.status;
    ++status_[s];
    cls = s >= 100 && s < 600 ? s / 100 : 0;
  }
  const std::uint64_t bytes = rec.bytes;
  bytes_ += bytes;
  if (rec.status >= 0) status_bytes_[rec.status] += bytes;

  std::optional<std::int64_t> t;
  if (rec.has(Var::time_local)) {
    auto raw = rec.get(Var::time_local);
    if (raw.size() == time_cache_len_ && detail::same_bytes(raw.data(), time_cache_raw_, raw.size())) {
      t = time_cache_ms_;
    } else {
      t = parse_time_local(raw);
      if (raw.size() <= sizeof time_cache_raw_) {
        std::memcpy(time_cache_raw_, raw.data(), raw.size());
        time_cache_len_ = raw.size();
        time_cache_ms_ = t;
      }
    }
  } else {
    t = record_time(rec);
  }
  if (t) {
    if (!first_ms_ || *t < *first_ms_) first_ms_ = t;
    if (!last_ms_ || *t > *last_ms_) last_ms_ = t;
  }

  auto bump = [&](KeyStats& k) {
    ++k.requests;
    k.bytes += bytes;
    ++k.classes[cls];
  };
  std::string_view method, uri;
  if (rec.has(Var::request)) {
    RequestLine rl = parse_request_line(rec.get(Var::request));
    if (rl.valid) {
      method = rl.method;
      uri = rl.uri;
    } else {
      ++invalid_requests_;
    }
  }
  if (rec.has(Var::request_method)) method = rec.get(Var::request_method);
  if (uri.empty() && rec.has(Var::request_uri)) uri = rec.get(Var::request_uri);
  if (uri.empty() && rec.has(Var::uri)) uri = rec.get(Var::uri);
  if (!method.empty()) ++methods_.at(method);
  if (!uri.empty()) bump(paths_.at(strip_query(uri)));
  if (rec.has(Var::remote_addr)) bump(clients_.at(rec.get(Var::remote_addr)));
  if (auto host = record_host(rec); !host.empty()) bump(hosts_.at(host));
  if (rec.has(Var::http_user_agent)) bump(agents_.at(rec.get(Var::http_user_agent)));
  if (rec.has(Var::request_time))
    if (auto ms = parse_seconds_ms(rec.get(Var::request_time))) request_time_.add(*ms);
  if (rec.has(Var::upstream_response_time))
    if (auto ms = parse_seconds_list_ms(rec.get(Var::upstream_response_time))) upstream_time_.add(*ms);
}

namespace {

using ojson = nlohmann::ordered_json;

void merge_stats(KeyStats& into, const KeyStats& from) {
  into.requests += from.requests;
  into.bytes += from.bytes;
  for (int i = 0; i < 6; ++i) into.classes[i] += from.classes[i];
}

void merge_table(KeyTable<KeyStats>& into, const KeyTable<KeyStats>& from) {
  from.for_each([&](std::string_view key, const KeyStats& v) { merge_stats(into.at(key), v); });
}

/// Orders ROWS by requests, most first (ties by key), and keeps the first TOP (0: all).
void rank(std::vector<TopRow>& rows, std::size_t top) {
  auto order = [](const TopRow& a, const TopRow& b) {
    return a.stats.requests != b.stats.requests ? a.stats.requests > b.stats.requests : a.key < b.key;
  };
  if (top && rows.size() > top) {
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(top), rows.end(), order);
    rows.resize(top);
  } else {
    std::sort(rows.begin(), rows.end(), order);
  }
}

std::vector<TopRow> top_rows(const KeyTable<KeyStats>& table, std::size_t top, Escape escape) {
  std::vector<TopRow> rows;
  rows.reserve(table.size());
  bool decoded_any = false;
  table.for_each([&](std::string_view key, const KeyStats& v) {
    decoded_any = decoded_any || needs_decoding(key);
    TopRow row{display_key(key, escape), v, {}};
    if (row.key == key && needs_decoding(key)) row.bytes = decode_value(key, escape);  // kept raw: not UTF-8
    if (row.bytes == row.key) row.bytes.clear();
    rows.push_back(std::move(row));
  });
  if (decoded_any) {  // "/a%20b" logged two ways may decode to one key: merge them
    std::unordered_map<std::string, std::size_t> seen;
    std::vector<TopRow> merged;
    for (auto& r : rows) {
      auto [it, fresh] = seen.emplace(r.key, merged.size());
      if (fresh) merged.push_back(std::move(r));
      else merge_stats(merged[it->second].stats, r.stats);
    }
    rows.swap(merged);
  }
  rank(rows, top);
  return rows;
}

std::optional<Percentiles> percentiles(const MsHistogram& h) {
  if (h.count() == 0) return std::nullopt;
  return Percentiles{h.count(), h.quantile(0.5), h.quantile(0.9), h.quantile(0.99), h.max()};
}

const char* const kClassNames[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

ojson classes_json(const std::uint64_t (&c)[6]) {
  auto j = ojson::object();
  for (int i = 1; i < 6; ++i) j[kClassNames[i]] = c[i];
  if (c[0]) j["other"] = c[0];
  return j;
}

ojson percentiles_json(const std::optional<Percentiles>& p) {
  if (!p) return nullptr;
  return {{"count", p->count}, {"p50_ms", p->p50}, {"p90_ms", p->p90}, {"p99_ms", p->p99}, {"max_ms", p->max}};
}

ojson top_json(const std::vector<TopRow>& rows, const char* key_name) {
  auto a = ojson::array();
  for (const auto& r : rows) a.push_back({{key_name, r.key}, {"requests", r.stats.requests}, {"bytes_sent", r.stats.bytes}});
  return a;
}

const char* by_name(By by) {
  switch (by) {
    case By::host: return "host";
    case By::path: return "path";
    case By::status: return "status";
    case By::client: return "client";
    case By::peer: return "peer";
    case By::none: break;
  }
  return "none";
}

} // namespace

void Aggregator::merge(const Aggregator& o) {
  lines_ += o.lines_;
  requests_ += o.requests_;
  malformed_ += o.malformed_;
  invalid_requests_ += o.invalid_requests_;
  filtered_out_ += o.filtered_out_;
  truncated_ += o.truncated_;
  own_ += o.own_;
  bytes_ += o.bytes_;
  for (int i = 0; i < 1000; ++i) {
    status_[i] += o.status_[i];
    status_bytes_[i] += o.status_bytes_[i];
  }
  if (o.first_ms_ && (!first_ms_ || *o.first_ms_ < *first_ms_)) first_ms_ = o.first_ms_;
  if (o.last_ms_ && (!last_ms_ || *o.last_ms_ > *last_ms_)) last_ms_ = o.last_ms_;
  o.methods_.for_each([&](std::string_view key, std::uint64_t n) { methods_.at(key) += n; });
  merge_table(paths_, o.paths_);
  merge_table(clients_, o.clients_);
  merge_table(hosts_, o.hosts_);
  merge_table(agents_, o.agents_);
  request_time_.merge(o.request_time_);
  upstream_time_.merge(o.upstream_time_);
  for (const auto& m : o.malformed_examples_)
    if (malformed_examples_.size() < options_.keep_malformed) malformed_examples_.push_back(m);
  unread_lines_ += o.unread_lines_;
  if (!unread_example_) unread_example_ = o.unread_example_;
}

std::size_t Aggregator::memory() const {
  return methods_.memory() + paths_.memory() + clients_.memory() + hosts_.memory() + agents_.memory();
}

std::string display_key(std::string_view raw, Escape escape) {
  if (!needs_decoding(raw)) return std::string(raw);
  std::string decoded = decode_value(raw, escape);
  return valid_utf8(decoded) ? decoded : std::string(raw);
}

struct SummaryBuilder {
  static Summary build(const Aggregator& a, std::size_t top, By by) {
    Summary s;
    Escape esc = a.format_->escape;
    s.lines = a.lines_;
    s.requests = a.requests_;
    s.malformed = a.malformed_;
    s.invalid_requests = a.invalid_requests_;
    s.filtered_out = a.filtered_out_;
    s.truncated = a.truncated_;
    s.own_requests = a.own_;
    s.bytes_sent = a.bytes_;
    s.first_ms = a.first_ms_;
    s.last_ms = a.last_ms_;
    if (s.first_ms && s.last_ms && *s.last_ms > *s.first_ms)
      s.requests_per_second = static_cast<double>(s.requests) * 1000.0 / static_cast<double>(*s.last_ms - *s.first_ms);
    for (int i = 0; i < 1000; ++i) {
      if (!a.status_[i]) continue;
      s.status[i] = a.status_[i];
      s.status_class[i >= 100 && i < 600 ? i / 100 : 0] += a.status_[i];
    }
    s.rate_limited_429 = a.status_[429];
    s.rate_limited_503 = a.status_[503];
    a.methods_.for_each([&](std::string_view key, std::uint64_t n) { s.methods.emplace_back(display_key(key, esc), n); });
    std::sort(s.methods.begin(), s.methods.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    s.top_paths = top_rows(a.paths_, top, esc);
    s.top_clients = top_rows(a.clients_, top, esc);
    s.top_hosts = top_rows(a.hosts_, top, esc);
    s.top_user_agents = top_rows(a.agents_, top, esc);
    s.distinct_paths = a.paths_.size();
    s.distinct_clients = a.clients_.size();
    s.request_time = percentiles(a.request_time_);
    s.upstream_response_time = percentiles(a.upstream_time_);
    if (a.hosts_.size()) s.vhosts = top_rows(a.hosts_, 0, esc);
    s.by = by;
    switch (by) {
      case By::host: s.by_rows = top_rows(a.hosts_, top, esc); break;
      case By::path: s.by_rows = top_rows(a.paths_, top, esc); break;
      case By::client: s.by_rows = top_rows(a.clients_, top, esc); break;
      case By::peer: s.by_rows = top_rows(a.clients_, 0, esc); break;
      case By::status:
        for (const auto& [code, n] : s.status) {
          TopRow r{std::to_string(code), {}, {}};
          r.stats.requests = n;
          r.stats.bytes = a.status_bytes_[code];
          r.stats.classes[code >= 100 && code < 600 ? code / 100 : 0] = n;
          s.by_rows.push_back(std::move(r));
        }
        rank(s.by_rows, top);
        break;
      case By::none: break;
    }
    s.malformed_examples = a.malformed_examples_;
    s.unread_lines = a.unread_lines_;
    s.unread_example = a.unread_example_;
    return s;
  }
};

Summary summarize(const Aggregator& agg, std::size_t top, By by) { return SummaryBuilder::build(agg, top, by); }

ojson summary_to_json(const Summary& s, const ojson& stamp) {
  ojson j{{"schema", "meshops/nginx-logs/1"}};
  for (const auto& [k, v] : stamp.items()) j[k] = v;
  j["lines"] = s.lines;
  j["requests"] = s.requests;
  j["malformed"] = s.malformed;
  j["invalid_requests"] = s.invalid_requests;
  j["truncated"] = s.truncated;
  j["filtered_out"] = s.filtered_out;
  j["own_requests"] = s.own_requests;
  j["bytes_sent"] = s.bytes_sent;
  auto utc = [](std::int64_t ms) { return sys::format_utc_ms(ms); };
  j["first"] = sys::or_null(s.first_ms, utc);
  j["last"] = sys::or_null(s.last_ms, utc);
  j["duration_ms"] = s.first_ms && s.last_ms ? ojson(*s.last_ms - *s.first_ms) : ojson(nullptr);
  j["requests_per_second"] = s.requests_per_second;
  auto status = ojson::object();
  for (const auto& [code, n] : s.status) status[std::to_string(code)] = n;
  j["status"] = status;
  j["status_class"] = classes_json(s.status_class);
  auto methods = ojson::object();
  for (const auto& [m, n] : s.methods) methods[m] = n;
  j["methods"] = methods;
  j["top_paths"] = top_json(s.top_paths, "path");
  j["top_clients"] = top_json(s.top_clients, "addr");
  j["top_hosts"] = top_json(s.top_hosts, "host");
  j["top_user_agents"] = top_json(s.top_user_agents, "user_agent");
  j["distinct_paths"] = s.distinct_paths;
  j["distinct_clients"] = s.distinct_clients;
  j["rate_limited"] = {{"total", s.rate_limited_429 + s.rate_limited_503},
                       {"status_429", s.rate_limited_429},
                       {"status_503", s.rate_limited_503}};
  j["request_time"] = percentiles_json(s.request_time);
  j["upstream_response_time"] = percentiles_json(s.upstream_response_time);
  auto vhosts = ojson::array();
  for (const auto& r : s.vhosts)
    vhosts.push_back({{"host", r.key}, {"requests", r.stats.requests}, {"bytes_sent", r.stats.bytes},
                      {"status_class", classes_json(r.stats.classes)}});
  j["vhosts"] = vhosts;
  if (s.by != By::none) {
    auto rows = ojson::array();
    for (const auto& r : s.by_rows)
      rows.push_back({{"key", r.key}, {"requests", r.stats.requests}, {"bytes_sent", r.stats.bytes},
                      {"status_class", classes_json(r.stats.classes)}});
    j["by"] = {{"key", by_name(s.by)}, {"rows", rows}};
  }
  auto mal = ojson::array();
  for (const auto& m : s.malformed_examples) mal.push_back({{"line", m.line_no}, {"text", m.text}});
  j["malformed_examples"] = mal;
  j["unread_lines"] = s.unread_lines;
  j["unread_example"] = s.unread_example ? ojson{{"line", s.unread_example->line_no}, {"text", s.unread_example->text}}
                                         : ojson(nullptr);
  return j;
}

ojson summary_to_json(const Summary& s) { return summary_to_json(s, ojson::object()); }

} // namespace meshops::nginx
