// `nginx-logs summary`: one pass over the files (two threads over two halves of a big file),
// or a running summary printed every --interval while following.
#include "commands.hpp"
#include "input.hpp"
#include "peers.hpp"
#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_parse.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/follow.hpp"
#include "meshops/sys/stop.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <thread>

namespace nginx_logs {
namespace {

using meshops::Exit;
namespace nginx = meshops::nginx;

// From this size on a second thread saves more than it costs (start, merging the tables):
// bench/nginx-logs-threads on the 2-core CI machine, two runs, t1/t2 per size: 16 MB 0.98 and
// 1.01, 32 MB 1.27 and 1.30, 64 MB 1.11 and 1.57, 128 MB 1.43 and 1.40 (docs/ARCHITECTURE.md).
constexpr std::uint64_t kSplitAbove = 32'000'000;

nginx::By parse_by(const std::string& by) {
  if (by == "host") return nginx::By::host;
  if (by == "path") return nginx::By::path;
  if (by == "status") return nginx::By::status;
  if (by == "client") return nginx::By::client;
  if (by == "peer") return nginx::By::peer;
  return nginx::By::none;
}

void feed(nginx::Aggregator& agg, std::string_view block) { agg.add_lines(block, agg.lines() + 1); }

/// threads: 0 to choose by size; set to the number used.
std::unique_ptr<nginx::Aggregator> summarize_file(const std::string& path, const nginx::LogFormat& lf,
                                                  const nginx::AggregateOptions& ao, int& threads) {
  auto first = std::make_unique<nginx::Aggregator>(lf, ao);
  std::uint64_t size = 0;
  if (!splittable(path, size)) {
    read_blocks(path, [&](std::string_view b) { feed(*first, b); });
    threads = 1;
    return first;
  }
  if (threads == 0) threads = size >= kSplitAbove && std::thread::hardware_concurrency() >= 2 ? 2 : 1;
  if (threads == 1) {
    read_range(path, 0, size, [&](std::string_view b) { feed(*first, b); });
    return first;
  }
  const std::uint64_t mid = next_line_start(path, size / 2, size);
  nginx::Aggregator second(lf, ao);
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      read_range(path, mid, size, [&](std::string_view b) { feed(second, b); });
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    read_range(path, 0, mid, [&](std::string_view b) { feed(*first, b); });
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (error) std::rethrow_exception(error);
  second.shift_line_numbers(first->lines());
  first->merge(second);
  return first;
}

void report_malformed(const nginx::Summary& s, const std::string& file, const meshops::cli::CommonOptions& c) {
  if (c.verbose <= 0) return;
  for (const auto& m : s.malformed_examples)
    meshops::cli::warn(kTool, fmt::format("{}:{}: malformed: {}", file, m.line_no, m.text));
}

/// The summary of agg as the options ask; with --by peer its client rows named from book.
nginx::Summary summary_of(const nginx::Aggregator& agg, const Options& o, const PeerBook& book) {
  auto s = nginx::summarize(agg, o.top, parse_by(o.by));
  if (s.by == nginx::By::peer) rows_by_peer(s.by_rows, book, o.top);
  return s;
}

void print(const nginx::Summary& s, const meshops::cli::CommonOptions& c) {
  meshops::cli::emit(c, {},
                     {[&] {
                        nlohmann::ordered_json stamp{{"generated_at", meshops::sys::format_utc(std::chrono::system_clock::now())}};
                        meshops::cli::print_json(nginx::summary_to_json(s, stamp), c.output);
                      },
                      [&] { meshops::cli::write_stdout(to_text(s, c.output)); },
                      [&] { return to_prom(s); },
                      [&] { return ok_text(s); }});
}

Exit follow_summary(const std::string& path, const nginx::LogFormat& lf, const nginx::AggregateOptions& ao,
                    const Options& o, const meshops::cli::CommonOptions& c, const std::string& origin,
                    const PeerBook& book) {
  meshops::sys::catch_stop_signals();
  nginx::Aggregator agg(lf, ao);
  meshops::sys::Follower follower(path, {.from_start = o.from_start});
  std::uint64_t line_no = 0;
  const auto interval = std::chrono::milliseconds(static_cast<long long>(o.interval_s * 1000));
  auto next = std::chrono::steady_clock::now() + interval;
  bool unread_told = false;
  auto emit = [&] {
    auto s = summary_of(agg, o, book);
    if (s.unread_example && !unread_told) {
      warn_unread(path, s.unread_lines, *s.unread_example, origin);
      unread_told = true;
    }
    meshops::cli::emit(c, {},
                       {[&] {
                          nlohmann::ordered_json stamp{
                              {"event", "summary"}, {"ts", meshops::sys::format_utc(std::chrono::system_clock::now())}};
                          meshops::cli::print_ndjson(nginx::summary_to_json(s, stamp));
                        },
                        [&] { meshops::cli::write_stdout(to_text(s, c.output)); },
                        [&] { return to_prom(s); },
                        [&] { return ok_text(s); }});
    std::fflush(stdout);
  };
  while (!meshops::sys::stop_requested()) {
    follower.poll([&](std::string_view line) { agg.add_line(line, ++line_no); }, std::chrono::milliseconds(200));
    if (std::chrono::steady_clock::now() >= next) {
      emit();
      next += interval;
    }
  }
  emit();
  return Exit::ok;
}

} // namespace

Exit run_summary(const Options& o, const meshops::cli::CommonOptions& c) {
  // A plugin prints one result and exits; a follow prints one per interval until stopped.
  if (o.follow && c.plugin) throw meshops::Error(Exit::usage, "summary --follow prints a summary every interval, --plugin one");
  const auto cfg = meshops::config::load(c.config_path);
  const nginx::LogFormat lf = load_format(o, cfg);
  nginx::AggregateOptions ao;
  // One status call for --peer and --by peer alike; a follow keeps the book.
  const PeerBook book = peer_book_for(o, /*by_peer=*/o.by == "peer", c, cfg);
  ao.filter = make_filter(with_peer_clients(o, book), lf, /*with_time=*/true);
  ao.count_own = o.include_probes;
  const auto files = input_files(o, cfg, /*error_log=*/false);
  if (o.follow) return follow_summary(followed_file(files), lf, ao, o, c, format_origin(o, cfg), book);
  std::unique_ptr<nginx::Aggregator> total;
  bool unread_told = false;
  for (const auto& f : files) {
    int threads = o.threads;
    auto agg = summarize_file(f, lf, ao, threads);
    if (c.verbose > 1) meshops::cli::warn(kTool, fmt::format("{}: read with {}", f, meshops::cli::plural(threads, "thread")));
    auto own = nginx::summarize(*agg, 1, nginx::By::none);
    report_malformed(own, f, c);
    if (own.unread_example && !unread_told) {
      warn_unread(f, own.unread_lines, *own.unread_example, format_origin(o, cfg));
      unread_told = true;
    }
    if (!total) total = std::move(agg);
    else total->merge(*agg);
  }
  if (c.verbose > 1) meshops::cli::warn(kTool, fmt::format("tables hold {} KiB", total->memory() / 1024));
  print(summary_of(*total, o, book), c);
  return Exit::ok;
}

} // namespace nginx_logs
