// ts-monitor-logs: tailscaled's log and what it means, from the journal, a log file, or its
// own LocalAPI streams; each line classified (category, level, peer), derived events (peer
// online/offline, direct<->relay, DERP home, backend state, exit node), filters, -f follows.
#include "sources.hpp"
#include "view.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/journal/reader.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace {

/// ts-monitor-logs' own flags (the common ones are cli::CommonOptions): where to read, and
/// the filters as given, checked in run.
struct Options {
  ts_monitor_logs::SourceOptions sources;  ///< --unit, --file, -f (the rest from the config)
  std::string source = "auto";             ///< --source: auto, journal, file or localapi
  std::vector<std::string> categories;     ///< --category
  std::string level = "info";              ///< --level
  std::string peer;                        ///< --peer
  std::string grep;                        ///< --grep
  std::string since;                       ///< --since
};

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  using namespace ts_monitor_logs;
  cli::CommonOptions common;
  Options o;
  SourceOptions& so = o.sources;

  return cli::tool_main(
      {"ts-monitor-logs", "Show tailscaled's log classified, with the events it means", /*socket=*/true, /*prom=*/false,
       /*follows=*/true, "0 the input ended or the output was closed, 3 tailscaled, the journal or the file unreadable, 64 bad usage"},
      common, argc, argv,
      [&](CLI::App& app) {
        app.add_option("--source", o.source, "Where to read: auto, journal, file or localapi")
            ->check(CLI::IsMember({"auto", "journal", "file", "localapi"}))->type_name("SOURCE");
        app.add_option("--unit", so.unit, "systemd unit whose journal to read (default tailscaled.service)")->type_name("UNIT");
        app.add_option("--file", so.file, "Read this log file (or journal file with --source journal)")->type_name("PATH");
        app.add_flag("-f,--follow", so.follow, "Keep reading as lines come");
        app.add_option("--category", o.categories, "Only these categories (repeatable or comma-separated)")
            ->delimiter(',')->type_name("CAT");
        app.add_option("--level", o.level, "Lowest level shown: debug, info, warning, error")
            ->check(CLI::IsMember({"debug", "info", "warning", "warn", "error"}))->type_name("LEVEL");
        app.add_option("--peer", o.peer, "Only lines and events about this peer")->type_name("PEER");
        app.add_option("--grep", o.grep, "Only messages matching this regular expression")->type_name("REGEX");
        app.add_option("--since", o.since, std::string("Only from this time: ") + sys::kTimeArgForms)->type_name("TIME");
      },
      [&]() -> Exit {
        Filters f;
        for (const auto& c : o.categories) {
          auto cat = tailscale::parse_log_category(c);
          if (!cat) {
            std::vector<std::string> names;
            for (auto known : tailscale::all_log_categories()) names.push_back(tailscale::to_string(known));
            throw Error(Exit::usage, fmt::format("--category: unknown category \"{}\"", c),
                        fmt::format("one of: {}", fmt::join(names, " ")));
          }
          f.categories.insert(*cat);
        }
        f.min_level = *tailscale::parse_log_level(o.level);
        f.peer = o.peer;
        if (!o.grep.empty()) {
          try {
            f.grep = std::regex(o.grep, std::regex::ECMAScript | std::regex::icase);
          } catch (const std::regex_error& e) {
            throw Error(Exit::usage, fmt::format("--grep: not a regular expression: {}", e.what()));
          }
        }
        if (!o.since.empty()) {
          try {
            f.since = sys::parse_time_arg(o.since, sys::Time::now());
          } catch (const Error& e) {
            throw Error(e.code(), fmt::format("--since: {}", e.what()), e.hint());
          }
        }
        so.since = f.since;
        auto cfg = config::load(common.config_path);
        so.socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        so.timeout = common.timeout();
        so.warn = [](const std::string& m) { cli::warn("ts-monitor-logs", m); };
        bool json = common.output.format == cli::Format::json;
        auto out = common.output;
        Sink sink = [&](const Record& r) {
          if (!keep(r, f)) return;
          if (json) cli::print_ndjson(to_json(r));
          else {
            cli::write_stdout(to_text(r, out));
            std::fflush(stdout);
          }
        };
        std::string source = o.source;
        if (source == "auto") {
          if (!so.file.empty()) source = "file";
          else source = journal::Reader::unit_has_entries(so.unit) ? "journal" : "localapi";
        }
        if (source == "file") {
          if (so.file.empty()) throw Error(Exit::usage, "--source file needs --file PATH");
          read_file_source(so, sink);
        } else if (source == "journal") {
          read_journal_source(so, sink);
        } else {
          read_localapi_source(so, sink);
        }
        return Exit::ok;
      });
}
