// `nginx-logs errors`: the error log's entries per level, limit_req/limit_conn rejections per
// zone, and the most recent entries; NDJSON per entry when following. Each line is parsed once.
#include "commands.hpp"
#include "input.hpp"
#include "view.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_parse.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/follow.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/sys/time.hpp"

#include <fmt/format.h>

#include <chrono>

namespace nginx_logs {

using meshops::Exit;
namespace nginx = meshops::nginx;
namespace cli = meshops::cli;

Exit run_errors(const Options& o, const cli::CommonOptions& c) {
  if (has_record_filters(o))
    throw meshops::Error(Exit::usage, "errors reads the error log: --status, --host, --path, --client, --method, --min-time "
                                      "and --include-probes filter access log records",
                         "errors takes --level, --last, --since and --until");
  const auto now = meshops::sys::Time::now();
  std::optional<std::int64_t> since, until;
  if (!o.since.empty()) since = meshops::sys::parse_time_arg(o.since, now).unix_ms();
  if (!o.until.empty()) until = meshops::sys::parse_time_arg(o.until, now).unix_ms();
  const auto min_level = o.level.empty() ? nginx::Level::debug : *nginx::parse_level(o.level);

  ErrorsReport report;
  auto& sum = report.summary;
  nginx::ErrorRecord r;
  // Returns whether the line is an entry that passes the filters.
  auto take = [&](std::string_view line, std::uint64_t line_no) {
    ++sum.lines;
    if (!nginx::parse_error_line(line, r)) {
      ++sum.malformed;
      if (sum.malformed <= 5 && c.verbose > 0)
        cli::warn(kTool, fmt::format("line {}: not an error log entry: {}", line_no, line.substr(0, 4096)));
      return false;
    }
    const auto t = nginx::unix_ms_of_local(r.local_ms);
    if (r.level > min_level || (since && t < *since) || (until && t >= *until)) {
      ++sum.filtered_out;
      return false;
    }
    sum.add(r);
    return true;
  };
  const auto files = input_files(o, meshops::config::load(c.config_path), /*error_log=*/true);
  if (o.follow) {
    if (c.wants_result()) throw meshops::Error(Exit::usage, "errors --follow prints entries, not metrics");
    meshops::sys::catch_stop_signals();
    meshops::sys::Follower follower(followed_file(files), {.from_start = o.from_start});
    std::uint64_t n = 0;
    const bool json = c.output.format == cli::Format::json;
    while (!meshops::sys::stop_requested())
      follower.poll([&](std::string_view line) {
        if (!take(line, ++n)) return;
        if (json) cli::print_ndjson(to_json(r));
        else {
          cli::write_stdout(cli::terminal_safe_keep_backslash(line) + "\n");  // nginx's \xHH kept single
          std::fflush(stdout);
        }
      }, std::chrono::milliseconds(500));
    return Exit::ok;
  }
  for (const auto& f : files)
    for_each_line(f, [&](std::string_view line, std::uint64_t n) {
      if (!take(line, n) || o.last == 0) return;
      report.recent.emplace_back(r);  // a copy of the line: its buffer does not outlive the read
      if (report.recent.size() > o.last) report.recent.pop_front();
    });

  cli::emit(c, {},
            {[&] { cli::print_json(to_json(report, meshops::sys::format_utc(std::chrono::system_clock::now())), c.output); },
             [&] { cli::write_stdout(to_text(report, c.output)); }, [&] { return to_prom(report); },
             [&] { return ok_text(report); }});
  return Exit::ok;
}

} // namespace nginx_logs
