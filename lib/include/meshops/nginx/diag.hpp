#pragma once
// What `nginx -t` prints, turned into values. nginx writes each message in one of two shapes:
//   nginx: [emerg] unknown directive "foo" in /etc/nginx/nginx.conf:3
//   2025/11/26 10:00:00 [emerg] 123#123: unknown directive "foo" in /etc/nginx/nginx.conf:3
// The second is its error-log format, used when the log goes to stderr (Debian's build); the
// first is the console copy it writes when the error log is a file. Both parse the same.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// nginx's log levels, most severe first (ngx_log.h order).
enum class Level { emerg, alert, crit, error, warn, notice, info, debug };

/// "emerg", "alert", ... (nginx's own spelling, "error" for NGX_LOG_ERR).
std::string_view level_name(Level level);

/// The level for one of nginx's names ("err" is accepted for "error"); nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);

/// One line nginx printed. Lines without a [level] tag ("... syntax is ok") are notices.
struct Diagnostic {
  Level level = Level::notice;
  std::string message;              ///< without the prefix and without " in FILE:LINE"
  std::optional<std::string> file;  ///< the config file nginx names, when it names one
  std::optional<int> line;          ///< its line, 1-based
};

/// Parses one line of nginx's stderr; nullopt for a blank line.
std::optional<Diagnostic> parse_diagnostic_line(std::string_view line);

/// Parses everything nginx printed, one diagnostic per non-blank line, in order.
std::vector<Diagnostic> parse_diagnostics(std::string_view text);

/// True for emerg, alert, crit and error: nginx refuses the configuration.
bool is_failure(Level level);

/// When the operating system refused nginx something (EACCES, EPERM, EROFS), so that the
/// process running nginx lacks a permission rather than the configuration being wrong: that
/// permission, worded for a hint ("CAP_NET_BIND_SERVICE (...)"). nullopt for any other message.
std::optional<std::string> missing_permission(const Diagnostic& d);

/// True for the warning nginx gives when not run as root for a config with a "user" directive:
/// an artefact of who runs the test, not a flaw of the configuration.
bool is_unprivileged_artefact(const Diagnostic& d);

} // namespace meshops::nginx
