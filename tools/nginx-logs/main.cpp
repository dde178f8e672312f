// nginx-logs: parse, filter, follow and summarise nginx access and error logs.
#include "commands.hpp"

#include "meshops/sys/time.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace {

// CLI11's own checks print the type's limits (300 digits for a double's range) and its
// unsigned conversion takes "-1" as a huge count; these say what the option wants.
CLI::Validator whole_number(unsigned long long min) {
  return CLI::Validator(
      [min](std::string& s) -> std::string {
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
          return fmt::format("'{}' is not a whole number", s);
        if (std::stoull(s) < min) return fmt::format("must be at least {}", min);
        return {};
      },
      fmt::format("N>={}", min));
}

CLI::Validator positive_seconds() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !std::isfinite(v)) return fmt::format("'{}' is not a number of seconds", s);
        if (v <= 0) return "must be more than 0 seconds";
        return {};
      },
      "SECONDS>0");
}

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  using nginx_logs::Options;
  cli::CommonOptions common;
  Options o;
  CLI::App* filter = nullptr;
  CLI::App* errors = nullptr;

  // The record filters: summary (also as the default verb, on the top level) and filter take
  // the same ones, so "top paths returning 5xx in the last hour" is one summary.
  auto add_record_filters = [&](CLI::App* app) {
    app->add_option("--status", o.status, "Status codes or classes: 5xx, 404, 2xx,304")->type_name("SPEC")->allow_extra_args(false);
    app->add_option("--host", o.hosts, "Host glob (case-insensitive)")->type_name("GLOB")->allow_extra_args(false);
    app->add_option("--path", o.paths, "Path glob, query stripped, \\xHH decoded")->type_name("GLOB")->allow_extra_args(false);
    app->add_option("--client", o.clients, "Client address or CIDR network")->type_name("CIDR")->allow_extra_args(false);
    app->add_option("--peer", o.peers, "Tailnet node by name: its addresses as --client (one tailscaled status call)")
        ->type_name("PEER")
        ->allow_extra_args(false);
    app->add_option("--method", o.methods, "Request method (GET, POST, ...)")->type_name("METHOD")->allow_extra_args(false);
    app->add_option("--min-time", o.min_time_s, "Only requests with $request_time >= SECONDS")->type_name("SECONDS");
    app->add_flag("--include-probes", o.include_probes, "Count meshops' own requests (User-Agent meshops-*: nginx-test's probes, ts-benchmark) too");
  };
  auto add_files = [&](CLI::App* app) {
    app->add_option("files", o.files, "Log files (plain or .gz; - for stdin; default: the config's nginx log)")
        ->type_name("FILE");
  };

  return cli::tool_main(
      {"nginx-logs", "Parse, filter, follow and summarise nginx access and error logs", /*socket=*/true, /*prom=*/true,
       /*follows=*/true, "0 the log was read, 3 a file, the config or tailscaled could not be read, 64 bad usage"},
      common, argc, argv,
      [&](CLI::App& app) {
        app.fallthrough();
        app.require_subcommand(0, 1);
        add_files(&app);
        app.add_option("--format", o.format, "Access log format: combined, common, json or a log_format string (default: the config's nginx.logFormat, combined)")
            ->type_name("FORMAT");
        app.add_option("--format-from", o.format_from, "Take the named log_format from an nginx config file")
            ->type_name("CONF:NAME");
        app.add_flag("-f,--follow", o.follow, "Follow the file across rotation, printing NDJSON with --json");
        app.add_flag("--from-start", o.from_start, "With --follow, read the file's existing lines first");
        app.add_option("--since", o.since, std::string("Only records at or after TIME: ") + meshops::sys::kTimeArgForms)->type_name("TIME");
        app.add_option("--until", o.until, "Only records before TIME (the same forms)")->type_name("TIME");
        app.add_option("--threads", o.threads, "Threads for a large file: 1 or 2 (default: 2 when it helps)")
            ->type_name("N")
            ->check(CLI::Range(1, 2));
        app.add_option("--top", o.top, "Rows in each top list and in the --by breakdown (default 10)")->type_name("N")->check(whole_number(1));
        app.add_option("--by", o.by, "Break the summary down by host, path, status, client or peer (tailnet node)")
            ->type_name("KEY")
            ->check(CLI::IsMember({"host", "path", "status", "client", "peer"}));
        app.add_option("--interval", o.interval_s, "With --follow, print a summary every SECONDS (default 10)")
            ->type_name("SECONDS")
            ->check(positive_seconds());
        add_record_filters(&app);
        auto* summary = app.add_subcommand("summary", "Count requests, statuses, paths, clients, hosts, times (the default)");
        add_files(summary);
        add_record_filters(summary);

        filter = app.add_subcommand("filter", "Print the access log records that match");
        add_files(filter);
        add_record_filters(filter);

        errors = app.add_subcommand("errors", "Summarise the error log: levels, limit_req rejections per zone, recent entries");
        add_files(errors);
        errors->add_option("--level", o.level, "Only entries at LEVEL or worse (debug ... emerg)")
            ->type_name("LEVEL")
            ->check(CLI::IsMember({"debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"}));
        errors->add_option("--last", o.last, "Entries to list (the most recent; default 20)")->type_name("N")->check(whole_number(0));
      },
      [&]() -> Exit {
        if (errors && errors->parsed()) return nginx_logs::run_errors(o, common);
        if (filter && filter->parsed()) return nginx_logs::run_filter(o, common);
        return nginx_logs::run_summary(o, common);
      });
}
