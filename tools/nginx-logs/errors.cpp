// `nginx-logs errors`: the error log's entries per level, limit_req/limit_conn rejections per
// zone, and the most recent entries; NDJSON per entry when following.
#include "commands.hpp"
#include "input.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/cli/table.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_parse.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/follow.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/sys/time.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <deque>

namespace nginx_logs {
namespace {

using meshops::Exit;
namespace nginx = meshops::nginx;
namespace cli = meshops::cli;

// nginx writes the error log in the host's local time, without an offset; the host we read it
// on is normally the host that wrote it, so its zone converts it.
std::int64_t local_to_unix_ms(std::int64_t local_ms) {
  std::time_t secs = static_cast<std::time_t>(local_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm)) * 1000 + local_ms % 1000;
}

nlohmann::json str_or_null(std::string_view s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(s)); }

nlohmann::json entry_json(const nginx::ErrorRecord& r) {
  nlohmann::json j;
  j["event"] = "error";
  j["ts"] = meshops::sys::format_utc_ms(local_to_unix_ms(r.local_ms));
  j["level"] = std::string(nginx::level_name(r.level));
  j["pid"] = r.pid;
  j["tid"] = r.tid;
  j["connection"] = r.connection ? nlohmann::json(*r.connection) : nlohmann::json(nullptr);
  j["message"] = std::string(r.message);
  j["client"] = str_or_null(r.client);
  j["server"] = str_or_null(r.server);
  j["request"] = str_or_null(r.request);
  j["upstream"] = str_or_null(r.upstream);
  j["host"] = str_or_null(r.host);
  j["referrer"] = str_or_null(r.referrer);
  static const char* const kLimit[] = {nullptr, "limit_req_rejected", "limit_req_delayed", "limit_conn_rejected"};
  j["limit"] = r.limit == nginx::LimitEvent::none ? nlohmann::json(nullptr) : nlohmann::json(kLimit[static_cast<int>(r.limit)]);
  j["zone"] = str_or_null(r.zone);
  return j;
}

} // namespace

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

  nginx::ErrorSummary sum;
  std::deque<std::string> recent;  // copies: the lines' buffers do not outlive the read
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
    const auto t = local_to_unix_ms(r.local_ms);
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
        if (json) cli::print_ndjson(entry_json(r));
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
      recent.emplace_back(line);
      if (recent.size() > o.last) recent.pop_front();
    });

  auto metrics = [&] {
    cli::Metric levels{"meshops_nginx_logs_error_entries", "Error log entries per level", "gauge", {}};
    for (const auto& [l, n] : sum.levels) levels.samples.push_back({{{"level", std::string(nginx::level_name(l))}}, static_cast<double>(n)});
    cli::Metric rejected{"meshops_nginx_logs_limit_req_rejected", "Requests rejected by limit_req, per zone", "gauge", {}};
    for (const auto& [z, n] : sum.zones) rejected.samples.push_back({{{"zone", z}}, static_cast<double>(n.rejected)});
    return std::vector<cli::Metric>{levels, rejected};
  };
  auto json_view = [&] {
    nlohmann::json j;
    j["schema"] = "meshops/nginx-logs/1";
    j["lines"] = sum.lines;
    j["entries"] = sum.entries;
    j["malformed"] = sum.malformed;
    j["filtered_out"] = sum.filtered_out;
    j["first"] = sum.first_local_ms ? nlohmann::json(meshops::sys::format_utc_ms(local_to_unix_ms(*sum.first_local_ms))) : nlohmann::json(nullptr);
    j["last"] = sum.last_local_ms ? nlohmann::json(meshops::sys::format_utc_ms(local_to_unix_ms(*sum.last_local_ms))) : nlohmann::json(nullptr);
    auto levels = nlohmann::json::object();
    for (const auto& [l, n] : sum.levels) levels[std::string(nginx::level_name(l))] = n;
    j["levels"] = levels;
    std::uint64_t rejected = 0;
    auto zones = nlohmann::json::array();
    for (const auto& [z, n] : sum.zones) {
      rejected += n.rejected;
      zones.push_back({{"zone", z}, {"limit_req_rejected", n.rejected}, {"limit_req_delayed", n.delayed},
                       {"limit_conn_rejected", n.conn_rejected}});
    }
    j["limit_req_rejected"] = rejected;
    j["zones"] = zones;
    auto records = nlohmann::json::array();
    for (const auto& line : recent)
      if (nginx::parse_error_line(line, r)) records.push_back(entry_json(r));
    j["records"] = records;
    j["generated_at"] = meshops::sys::format_utc(std::chrono::system_clock::now());
    cli::print_json(j, c.output);
  };
  auto text_view = [&] {
    std::string out;
    cli::Table entries({{"TIME"}, {"LEVEL"}, {"CLIENT"}, {"MESSAGE", cli::Align::left, /*elastic=*/true}});
    for (const auto& line : recent) {
      if (!nginx::parse_error_line(line, r)) continue;
      auto style = r.level <= nginx::Level::error ? cli::Style::bad : r.level == nginx::Level::warn ? cli::Style::warn : cli::Style::none;
      std::string msg(r.message);
      if (!r.request.empty()) msg += fmt::format(" [{}]", r.request);
      entries.add_row({meshops::sys::format_utc_ms(local_to_unix_ms(r.local_ms)), cli::Cell(std::string(nginx::level_name(r.level)), style),
                       std::string(r.client), msg});
    }
    if (entries.rows()) out += entries.render(c.output) + "\n";
    out += fmt::format("{} {} in {} line{}", sum.entries, sum.entries == 1 ? "entry" : "entries", sum.lines, sum.lines == 1 ? "" : "s");
    if (sum.malformed) out += fmt::format(", {} not entries", sum.malformed);
    if (sum.filtered_out) out += fmt::format(", {} filtered out", sum.filtered_out);
    out += "\n";
    for (const auto& [l, n] : sum.levels) out += fmt::format("  {:<8}{}\n", nginx::level_name(l), n);
    if (!sum.zones.empty()) {
      cli::Table zones({{"ZONE"}, {"REJECTED", cli::Align::right}, {"DELAYED", cli::Align::right}, {"CONN REJECTED", cli::Align::right}});
      for (const auto& [z, n] : sum.zones)
        zones.add_row({z, std::to_string(n.rejected), std::to_string(n.delayed), std::to_string(n.conn_rejected)});
      out += "\n" + zones.render(c.output);
    }
    cli::write_stdout(out);
  };
  auto words = [&] { return cli::Summary{fmt::format("{} error log entries in {} lines", sum.entries, sum.lines), {}}; };
  cli::emit(c, Exit::ok, {json_view, text_view, metrics, words});
  return Exit::ok;
}

} // namespace nginx_logs
