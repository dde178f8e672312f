#pragma once
// Which access log records `nginx-logs filter` (and summary's --since/--until) keeps: status
// classes, host and path globs, client networks, methods, a minimum $request_time, a time range.
#include "meshops/nginx/log_parse.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// A status range: "404" is [404, 404], "5xx" is [500, 599].
struct StatusRange {
  int lo = 0;
  int hi = 0;
};

/// An IPv4 or IPv6 network ("10.0.0.0/8", "::1", "2001:db8::/32").
struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{};
  int prefix = 0;
  /// Whether the textual address a (nginx's $remote_addr) is inside the network.
  bool contains(std::string_view a) const;
};

/// Parses "5xx", "404", "2xx,304" (comma separated). Throws meshops::Error (Exit::usage).
std::vector<StatusRange> parse_status_spec(std::string_view spec);
/// Parses an address or CIDR. Throws meshops::Error (Exit::usage) naming the text.
Cidr parse_cidr(std::string_view text);

/// The criteria; an empty criterion matches everything.
struct Filter {
  std::vector<StatusRange> statuses;
  std::vector<std::string> host_globs;  ///< matched against $host/$http_host/$server_name, case-insensitively
  std::vector<std::string> path_globs;  ///< matched against the decoded path (query stripped)
  std::vector<Cidr> clients;
  std::vector<std::string> methods;
  std::optional<double> min_time_ms;
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;  ///< exclusive

  /// Whether rec passes every criterion (a record lacking a filtered field does not pass).
  bool matches(const Record& rec, Escape escape) const;
  bool empty() const {
    return statuses.empty() && host_globs.empty() && path_globs.empty() && clients.empty() &&
           methods.empty() && !min_time_ms && !since_ms && !until_ms;
  }
};

/// The host a record names: $host, else $http_host, else $server_name; empty when none.
std::string_view record_host(const Record& rec);

/// Whether rec is one of meshops' own requests: nginx-test's and ts-monitor's probes
/// (User-Agent meshops-probe/N) and ts-benchmark's load (meshops-ts-benchmark/N), sent from
/// loopback or a tailnet address. A User-Agent alone is anyone's to send: a client outside
/// the host and the tailnet, or a format without $remote_addr, is counted like any other.
bool is_own_request(const Record& rec);

} // namespace meshops::nginx
