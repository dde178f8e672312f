// `nginx-logs filter`: the matching records, as the original lines or NDJSON.
#include "commands.hpp"
#include "peers.hpp"
#include "input.hpp"

#include "meshops/cli/escape.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_record_json.hpp"
#include "meshops/sys/follow.hpp"
#include "meshops/sys/stop.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace nginx_logs {

using meshops::Exit;
namespace nginx = meshops::nginx;

Exit run_filter(const Options& o, const meshops::cli::CommonOptions& c) {
  if (c.wants_result())
    throw meshops::Error(Exit::usage, "filter prints records, not metrics: use summary --prom or --plugin");
  const auto cfg = meshops::config::load(c.config_path);
  const nginx::LogFormat lf = load_format(o, cfg);
  const nginx::Filter flt =
      make_filter(with_peer_clients(o, peer_book_for(o, /*by_peer=*/false, c, cfg)), lf, /*with_time=*/true);
  // Most lines do not match: they are split only into the variables the filter reads, and a
  // match is split again into every field when NDJSON shows them all.
  const nginx::LineParser matcher(lf, nginx::RawFields::skip);
  const nginx::LineParser parser(lf);
  const bool json = c.output.format == meshops::cli::Format::json;
  // Lines are foreign bytes: escaped for a terminal, passed through untouched into a pipe.
  // nginx already wrote quotes and bytes >= 0x80 as \xHH: its backslashes stay single.
  const bool escape_lines = ::isatty(1);
  nginx::Record rec;
  std::uint64_t malformed = 0;
  bool unread_told = false;
  std::string file;
  std::string out;
  auto on_line = [&](std::string_view line, std::uint64_t line_no, bool flush) {
    if (!matcher.parse(line, rec)) {
      if (++malformed <= 5 && c.verbose > 0)
        meshops::cli::warn(kTool, fmt::format("line {}: malformed: {}", line_no, line.substr(0, 4096)));
      return;
    }
    if (!rec.unread.empty() && !unread_told) {  // once: the format is the same for every line
      warn_unread(file, 0, {line_no, std::string(rec.unread)}, format_origin(o, cfg));
      unread_told = true;
    }
    if (!o.include_probes && nginx::is_own_request(rec)) return;
    if (!flt.matches(rec, lf.escape)) return;
    if (json) {
      parser.parse(line, rec);
      out = meshops::cli::dump_json(nginx::record_to_json(rec, lf.escape), false);
    } else {
      out = escape_lines ? meshops::cli::terminal_safe_keep_backslash(rec.line) : std::string(rec.line);
    }
    out += '\n';
    meshops::cli::write_stdout(out);
    if (flush) std::fflush(stdout);
  };
  const auto files = input_files(o, cfg, /*error_log=*/false);
  if (o.follow) {
    meshops::sys::catch_stop_signals();
    file = followed_file(files);
    meshops::sys::Follower follower(file, {.from_start = o.from_start});
    std::uint64_t n = 0;
    while (!meshops::sys::stop_requested())
      follower.poll([&](std::string_view line) { on_line(line, ++n, true); }, std::chrono::milliseconds(500));
    return Exit::ok;
  }
  for (const auto& f : files) {
    file = f;
    for_each_line(f, [&](std::string_view line, std::uint64_t n) { on_line(line, n, false); });
  }
  if (malformed && c.verbose > 0) meshops::cli::warn(kTool, fmt::format("{} malformed lines skipped", malformed));
  return Exit::ok;
}

} // namespace nginx_logs
