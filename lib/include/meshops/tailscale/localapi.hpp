#pragma once
// The LocalAPI client: requests to tailscaled over its unix socket, shaped as the official
// client sends them (Host local-tailscaled.sock, Tailscale-Cap), each within a deadline, and
// one clear meshops::Error (Exit::unknown) for each way it can fail.
#include "meshops/error.hpp"
#include "meshops/tailscale/http.hpp"
#include "meshops/tailscale/status.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <string_view>

namespace meshops::tailscale {

/// The default socket: /var/run/tailscale/tailscaled.sock (notes 1.1).
inline constexpr const char* kDefaultSocket = "/var/run/tailscale/tailscaled.sock";

/// The socket to use: the flag, else $TS_SOCKET, else the config's, else the default.
std::string resolve_socket(const std::string& flag, const std::string& config_socket);

/// A LocalAPI request shaped as the official client sends it (/localapi/v0/ENDPOINT, the
/// Tailscale-Cap header, Content-Type with a body).
HttpRequest localapi_request(std::string_view method, std::string_view endpoint, std::string_view body = {});

/// A failed LocalAPI call: the one-line meshops::Error (Exit::unknown, with a hint) that
/// tool_main prints, and why, for code that acts on it (a stream refused for want of
/// permission is given up, one cut by a restart is reopened).
class LocalApiError : public Error {
public:
  enum class Cause {
    unreachable,  ///< no socket, or nothing listening: tailscaled is not running
    permission,   ///< the socket (EACCES) or the endpoint (HTTP 403) refused us
    timeout,
    reply,        ///< a reply that is not HTTP, or an HTTP status other than 2xx and 403
    resources,    ///< out of file descriptors
    io,
  };
  LocalApiError(Cause cause, const std::string& what, std::string hint = {})
      : Error(Exit::unknown, what, std::move(hint)), cause_(cause) {}
  Cause cause() const { return cause_; }

private:
  Cause cause_;
};

/// The one-line error for a failed exchange with tailscaled at socket about endpoint.
LocalApiError transport_error(const TransportError& e, const std::string& socket, std::string_view endpoint,
                      std::chrono::milliseconds timeout);

class LocalApi {
public:
  LocalApi(std::string socket_path, std::chrono::milliseconds timeout);

  /// GET path (e.g. "status"), returning the body of a 2xx reply.
  std::string get(std::string_view endpoint) const;
  /// POST or PATCH with a JSON body, returning the body of a 2xx reply.
  std::string send(std::string_view method, std::string_view endpoint, std::string_view body) const;
  /// GET a streaming endpoint (watch-ipn-bus, logtap): body bytes go to on_data until it
  /// returns false or tailscaled closes. The deadline covers the reply's headers only.
  void stream(std::string_view endpoint, const std::function<bool(std::string_view)>& on_data) const;

  Status status() const;  ///< GET status
  Prefs prefs() const;    ///< GET prefs
  /// Both at once, on two connections (one round trip). prefs is nullopt when refused.
  std::pair<Status, std::optional<Prefs>> status_and_prefs() const;

  /// tailscaled's version from the last reply's Tailscale-Version header ("" before any).
  const std::string& daemon_version() const { return daemon_version_; }
  const std::string& socket() const { return socket_; }

private:
  std::string body_of(HttpResponse& resp, std::string_view endpoint) const;
  Status parse_status_reply(const std::string& body) const;
  Prefs parse_prefs_reply(const std::string& body) const;
  std::string request(std::string_view method, std::string_view endpoint, std::string_view body,
                      const std::function<bool(std::string_view)>& on_data) const;

  std::string socket_;
  std::chrono::milliseconds timeout_;
  mutable std::string daemon_version_;
};

} // namespace meshops::tailscale
