#pragma once
// The access log summary: counts per status, class, method, path, client, host and user agent,
// bytes, time range, $request_time/$upstream_response_time percentiles, malformed lines.
// Fed chunks of whole lines; memory grows with the distinct keys, never with the lines, so
// a multi-GB log summarises in a few MB. Two aggregators over two halves of a file merge.
#include "meshops/nginx/log_filter.hpp"
#include "meshops/nginx/log_key_table.hpp"
#include "meshops/nginx/log_parse.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// Requests, bytes and status classes under one key (a path, a client, a host...).
struct KeyStats {
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
  std::uint64_t classes[6] = {};  ///< [0] other, [1..5] 1xx..5xx
};

/// Millisecond histogram for exact-to-the-millisecond percentiles in bounded memory.
class MsHistogram {
public:
  void add(double ms);
  void merge(const MsHistogram& other);
  std::uint64_t count() const { return count_; }
  /// The smallest value v such that at least q of the samples are <= v (q in [0,1]).
  double quantile(double q) const;
  double max() const { return max_; }

private:
  static constexpr std::size_t kSmall = 1 << 16;
  std::vector<std::uint64_t> small_;  // allocated on first add
  std::map<std::uint64_t, std::uint64_t> large_;
  std::uint64_t count_ = 0;
  double max_ = 0;
};

/// The dimension `--by` breaks the summary down by.
/// peer: by client, every row (the tool names tailnet clients and keeps the top ones).
enum class By { none, host, path, status, client, peer };

/// One line that did not match the format.
struct MalformedLine {
  std::uint64_t line_no = 0;
  std::string text;
};

/// What the aggregator should count, beyond the defaults.
struct AggregateOptions {
  Filter filter;                     ///< records outside it are skipped (lines still counted)
  bool count_own = false;            ///< count meshops' own requests (is_own_request) like any other
  std::size_t keep_malformed = 5;    ///< how many malformed lines to keep as examples
};

/// Counts of one share of the input.
class Aggregator {
public:
  /// Parses with format, which must outlive the aggregator (a temporary is refused).
  Aggregator(const LogFormat& format, AggregateOptions options);
  Aggregator(LogFormat&&, AggregateOptions) = delete;

  /// Counts every line of data (lines end with '\n'; a last line without one counts too).
  /// first_line_no is the number of data's first line in the whole input (from 1).
  void add_lines(std::string_view data, std::uint64_t first_line_no);
  /// Counts one line (without its '\n').
  void add_line(std::string_view line, std::uint64_t line_no);
  /// Adds other's counts to these (other covered the input after this one).
  void merge(const Aggregator& other);

  /// Adds n to the line numbers of the kept malformed lines: for a share that was counted
  /// from line 1 before the lines ahead of it were known.
  void shift_line_numbers(std::uint64_t n) {
    for (auto& m : malformed_examples_) m.line_no += n;
    if (unread_example_) unread_example_->line_no += n;
  }

  std::uint64_t lines() const { return lines_; }
  /// Bytes held by the tables (bounded by distinct keys).
  std::size_t memory() const;

  friend struct SummaryBuilder;

private:
  void count(const Record& rec);

  const LogFormat* format_;
  LineParser parser_;
  AggregateOptions options_;
  bool filtering_;
  Record rec_;

  std::uint64_t lines_ = 0, requests_ = 0, malformed_ = 0, invalid_requests_ = 0, filtered_out_ = 0, truncated_ = 0;
  std::uint64_t own_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t status_[1000] = {};
  std::uint64_t status_bytes_[1000] = {};  ///< $body_bytes_sent per status, for --by status
  std::optional<std::int64_t> first_ms_, last_ms_;
  char time_cache_raw_[32] = {};
  std::size_t time_cache_len_ = 0;
  std::optional<std::int64_t> time_cache_ms_;
  KeyTable<std::uint64_t> methods_;
  KeyTable<KeyStats> paths_, clients_, hosts_, agents_;
  MsHistogram request_time_, upstream_time_;
  std::vector<MalformedLine> malformed_examples_;
  std::uint64_t unread_lines_ = 0;
  std::optional<MalformedLine> unread_example_;  // the first line with text the format left unread
};

/// One row of a top list: the key as shown (decoded), and its stats.
struct TopRow {
  std::string key;  ///< display_key: decoded, or as nginx wrote it (\xHH) when not valid UTF-8
  KeyStats stats;
  std::string bytes;  ///< when key was kept as nginx wrote it: the decoded bytes; else empty

  /// The key for a terminal: the decoded bytes, so that terminal_safe (Table) escapes an
  /// invalid byte once, rather than escaping nginx's own \xHH a second time.
  const std::string& shown() const { return bytes.empty() ? key : bytes; }
};

/// Percentiles of a duration, in ms.
struct Percentiles {
  std::uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

/// The finished summary: a model for the text view, JSON and Prometheus.
struct Summary {
  std::uint64_t lines = 0, requests = 0, malformed = 0, invalid_requests = 0, filtered_out = 0;
  std::uint64_t truncated = 0;  ///< requests whose line was cut short (counted, fields missing)
  /// meshops' own requests (probes, benchmarks), left out of every count unless count_own.
  std::uint64_t own_requests = 0;
  std::uint64_t bytes_sent = 0;
  std::optional<std::int64_t> first_ms, last_ms;
  double requests_per_second = 0;
  std::map<int, std::uint64_t> status;
  std::uint64_t status_class[6] = {};
  std::vector<std::pair<std::string, std::uint64_t>> methods;  ///< by count, descending
  std::vector<TopRow> top_paths, top_clients, top_hosts, top_user_agents;
  std::uint64_t rate_limited_429 = 0, rate_limited_503 = 0;
  std::optional<Percentiles> request_time, upstream_response_time;
  std::vector<TopRow> vhosts;  ///< every host (when the format has one), by requests
  By by = By::none;
  std::vector<TopRow> by_rows;  ///< the --by breakdown
  std::vector<MalformedLine> malformed_examples;
  /// Lines with text after the format's last field (Record::unread), and the first of them
  /// (its text: the unread part).
  std::uint64_t unread_lines = 0;
  std::optional<MalformedLine> unread_example;
  std::size_t distinct_paths = 0, distinct_clients = 0;
};

/// Builds the summary from one aggregator (after merging): top lists cut to top entries,
/// keys decoded (\xHH, escape=json) and merged when they decode to the same text.
Summary summarize(const Aggregator& agg, std::size_t top, By by);

/// The summary as the `meshops/nginx-logs/1` JSON document (see nginx-logs(1), OUTPUT):
/// schema first, then stamp's keys (generated_at; event and ts while following), then the
/// counts in the order the page lists them.
nlohmann::ordered_json summary_to_json(const Summary& s, const nlohmann::ordered_json& stamp);
/// The document without a stamp.
nlohmann::ordered_json summary_to_json(const Summary& s);

/// How a key is shown: decoded when that gives valid UTF-8, else as nginx wrote it.
std::string display_key(std::string_view raw, Escape escape);

} // namespace meshops::nginx
