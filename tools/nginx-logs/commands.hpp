#pragma once
// The three verbs of nginx-logs and the options they share.
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_aggregate.hpp"
#include "meshops/nginx/log_error.hpp"
#include "meshops/nginx/log_filter.hpp"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace nginx_logs {

inline constexpr const char* kTool = "nginx-logs";

struct Options {
  std::vector<std::string> files;  ///< empty: the config's nginx.accessLog (errorLog for errors)
  std::string format;              ///< --format; empty: the config's nginx.logFormat (combined)
  std::string format_from;         ///< CONF:NAME
  bool follow = false;
  bool from_start = false;         ///< with --follow: read what the file holds first
  std::string since, until;
  int threads = 0;                 ///< 0: 2 when the file is big enough and 2 cores exist
  // summary
  std::size_t top = 10;
  std::string by;
  double interval_s = 10;
  // summary and filter: the record filters
  std::vector<std::string> status, hosts, paths, clients, methods;
  std::vector<std::string> peers;  ///< --peer NAME: the node's tailnet addresses join clients
  std::optional<double> min_time_s;
  bool include_probes = false;  ///< count meshops' own requests (nginx::is_own_request)
  // errors
  std::string level;
  std::size_t last = 20;
};

/// What `errors` read: the counts and the most recent entries that passed the filters (at
/// most --last, oldest first), each parsed once.
struct ErrorsReport {
  meshops::nginx::ErrorSummary summary;
  std::deque<meshops::nginx::ErrorEntry> recent;
};

/// Whether any record filter (status, host, path, client, method, min-time, include-probes)
/// was given: the error log has no such fields.
bool has_record_filters(const Options& o);

/// Builds the Filter of the options (status, host, path, client, method, min-time, time range).
meshops::nginx::Filter make_filter(const Options& o, const meshops::nginx::LogFormat& f, bool with_time);

/// The access log format the options name (--format or --format-from), else the config's
/// nginx.logFormat (an error there is the config's: exit 3 naming the key).
meshops::nginx::LogFormat load_format(const Options& o, const meshops::config::Config& cfg);

/// Where the format came from, for messages: "--format ...", "nginx.logFormat (...) of FILE".
std::string format_origin(const Options& o, const meshops::config::Config& cfg);

/// Says once that lines had text the format left unread (Record::unread): the first of them,
/// how many (0: not counted), and where the format came from. cli::warn escapes the text.
void warn_unread(const std::string& file, std::uint64_t lines, const meshops::nginx::MalformedLine& first, const std::string& origin);

/// The input files: the options' or the config's default.
std::vector<std::string> input_files(const Options& o, const meshops::config::Config& cfg, bool error_log);

/// The one file -f/--follow reads: exactly one, not stdin (else bad usage, 64).
const std::string& followed_file(const std::vector<std::string>& files);

meshops::Exit run_summary(const Options& o, const meshops::cli::CommonOptions& c);
meshops::Exit run_filter(const Options& o, const meshops::cli::CommonOptions& c);
meshops::Exit run_errors(const Options& o, const meshops::cli::CommonOptions& c);

} // namespace nginx_logs
