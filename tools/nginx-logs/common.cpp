#include "commands.hpp"

#include "meshops/cli/units.hpp"
#include "meshops/config/config.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/time.hpp"

#include <fmt/format.h>

#include <chrono>

namespace nginx_logs {

using meshops::Error;
using meshops::Exit;
namespace nginx = meshops::nginx;

nginx::LogFormat load_format(const Options& o, const meshops::config::Config& cfg) {
  if (o.format_from.empty() && o.format.empty()) {
    // The config's format is the config's error: exit 3 naming the key, as for any other key.
    try {
      return nginx::compile_log_format(cfg.nginx.log_format);
    } catch (const Error& e) {
      throw Error(Exit::unknown, fmt::format("{}: nginx.logFormat: {}", cfg.origin, e.what()), e.hint());
    }
  }
  if (o.format_from.empty()) return nginx::compile_log_format(o.format);
  auto colon = o.format_from.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == o.format_from.size())
    throw Error(Exit::usage, fmt::format("--format-from: '{}' is not CONF:NAME", o.format_from),
                "e.g. --format-from /etc/nginx/nginx.conf:main");
  std::string conf = o.format_from.substr(0, colon);
  std::string name = o.format_from.substr(colon + 1);
  return nginx::log_format_from_conf(meshops::sys::read_file(conf), name, conf);
}

std::string format_origin(const Options& o, const meshops::config::Config& cfg) {
  if (!o.format_from.empty()) return fmt::format("--format-from {}", o.format_from);
  if (!o.format.empty()) return fmt::format("--format {}", o.format.size() > 40 ? o.format.substr(0, 37) + "..." : o.format);
  return fmt::format("nginx.logFormat ({}) of {}", cfg.nginx.log_format.size() > 40 ? cfg.nginx.log_format.substr(0, 37) + "..." : cfg.nginx.log_format,
                     cfg.origin);
}

void warn_unread(const std::string& file, std::uint64_t lines, const nginx::MalformedLine& first, const std::string& origin) {
  meshops::cli::warn(kTool, fmt::format("{}:{}: text after the last field of the log format goes unread: \"{}\"{}", file,
                                        first.line_no, first.text.substr(0, 80),
                                        lines > 1 ? fmt::format(" ({} like it)", meshops::cli::plural(lines, "line")) : ""));
  meshops::cli::warn(kTool, fmt::format("the format is {}: give the log_format nginx writes (--format, --format-from or nginx.logFormat)",
                                        origin));
}

std::vector<std::string> input_files(const Options& o, const meshops::config::Config& cfg, bool error_log) {
  if (!o.files.empty()) return o.files;
  return {error_log ? cfg.nginx.error_log : cfg.nginx.access_log};
}

const std::string& followed_file(const std::vector<std::string>& files) {
  if (files.size() != 1 || files[0] == "-") throw Error(Exit::usage, "--follow takes exactly one file (not stdin)");
  return files[0];
}

bool has_record_filters(const Options& o) {
  return !o.status.empty() || !o.hosts.empty() || !o.paths.empty() || !o.clients.empty() || !o.methods.empty() || !o.peers.empty() ||
         o.min_time_s || o.include_probes;
}

nginx::Filter make_filter(const Options& o, const nginx::LogFormat& f, bool with_time) {
  nginx::Filter flt;
  auto needs = [&](bool ok, const char* flag, const char* what) {
    if (!ok && !f.json_lines)
      throw Error(Exit::usage, fmt::format("{}: the log format has no {}", flag, what),
                  "pick the format the log is written in with --format or --format-from");
  };
  const auto now = meshops::sys::Time::now();
  const bool has_time = f.has(nginx::Var::time_local) || f.has(nginx::Var::time_iso8601) || f.has(nginx::Var::msec);
  if (with_time && !o.since.empty()) {
    needs(has_time, "--since", "$time_local, $time_iso8601 or $msec");
    flt.since_ms = meshops::sys::parse_time_arg(o.since, now).unix_ms();
  }
  if (with_time && !o.until.empty()) {
    needs(has_time, "--until", "$time_local, $time_iso8601 or $msec");
    flt.until_ms = meshops::sys::parse_time_arg(o.until, now).unix_ms();
  }
  for (const auto& s : o.status) {
    needs(f.has(nginx::Var::status), "--status", "$status");
    for (auto r : nginx::parse_status_spec(s)) flt.statuses.push_back(r);
  }
  for (const auto& h : o.hosts) {
    needs(f.has(nginx::Var::host) || f.has(nginx::Var::http_host) || f.has(nginx::Var::server_name), "--host",
          "$host, $http_host or $server_name");
    flt.host_globs.push_back(h);
  }
  for (const auto& p : o.paths) {
    needs(f.has(nginx::Var::request) || f.has(nginx::Var::request_uri) || f.has(nginx::Var::uri), "--path",
          "$request, $request_uri or $uri");
    flt.path_globs.push_back(p);
  }
  for (const auto& c : o.clients) {
    needs(f.has(nginx::Var::remote_addr), "--client", "$remote_addr");
    flt.clients.push_back(nginx::parse_cidr(c));
  }
  for (const auto& m : o.methods) {
    needs(f.has(nginx::Var::request) || f.has(nginx::Var::request_method), "--method", "$request or $request_method");
    flt.methods.push_back(m);
  }
  if (o.min_time_s) {
    needs(f.has(nginx::Var::request_time), "--min-time", "$request_time");
    flt.min_time_ms = *o.min_time_s * 1000.0;
  }
  return flt;
}

} // namespace nginx_logs
