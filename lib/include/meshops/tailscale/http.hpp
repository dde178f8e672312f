#pragma once
// HTTP/1.1 over tailscaled's unix socket. Not libcurl: loading libcurl and its TLS stack costs
// a whole-process ts-status about 3.5 ms (measured: 4.2 ms vs 0.7 ms for an empty C++ program),
// half the time of `tailscale status --json` itself, and the LocalAPI needs none of it.
// libcurl stays where HTTP is real HTTP: webhooks and probes (net, monitor).
#include "meshops/sys/fd.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace meshops::tailscale {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< keys lower-cased
  std::string body;
};

/// Incremental parser of one HTTP/1.1 response: status line, headers, then a body framed by
/// Content-Length, chunked transfer coding, or the end of the connection. Pure: bytes in.
class ResponseParser {
public:
  /// Called with the body bytes of a 2xx response as they are decoded (streams); when unset,
  /// and always for another status (an error's reason: 403's "logtap access denied"), they
  /// collect in body.
  std::function<bool(std::string_view)> on_body;

  /// Feeds bytes. Returns false when the parser needs no more (response complete, or on_body
  /// asked to stop). Throws std::runtime_error naming what is malformed.
  bool feed(std::string_view data);
  /// Tells the parser the connection closed; throws when the response is cut short.
  void finish();
  bool headers_done() const { return state_ > State::headers; }
  /// Whether body bytes go to on_body: it is set and the status is 2xx.
  bool streams() const { return on_body && response_.status / 100 == 2; }
  bool complete() const { return state_ == State::done; }
  HttpResponse& response() { return response_; }

private:
  enum class State { status_line, headers, body_length, body_until_close, chunk_size, chunk_data, chunk_crlf, trailers, done };
  bool deliver(std::string_view bytes);
  void start_body();

  State state_ = State::status_line;
  std::string line_;
  std::size_t remaining_ = 0;
  HttpResponse response_;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  ///< e.g. "/localapi/v0/status"
  std::string body;
  std::map<std::string, std::string> headers;
};

/// Sends request over the unix socket at socket_path and reads the response, all within
/// timeout. With on_body set and a 2xx status, the deadline covers the headers only and body
/// bytes stream to on_body until it returns false or the server closes (watch-ipn-bus,
/// logtap); the body of another status is read whole within the timeout, into body.
/// Throws TransportError.
HttpResponse unix_http(const std::string& socket_path, const HttpRequest& request,
                       std::chrono::milliseconds timeout,
                       std::function<bool(std::string_view)> on_body = {});

/// Sends all requests at once, each on its own connection, and collects the responses (in
/// order) within timeout: two LocalAPI calls cost one round trip. Throws TransportError.
std::vector<HttpResponse> unix_http_all(const std::string& socket_path, const std::vector<HttpRequest>& requests,
                                        std::chrono::milliseconds timeout);

/// The request as bytes on the wire: request line, Host local-tailscaled.sock, Connection:
/// close, the request's headers, Content-Length when there is a body (or for POST/PATCH).
std::string request_bytes(const HttpRequest& request);

/// Connects a non-blocking stream socket to the unix socket at path, waiting at most until
/// deadline for a listener whose backlog is full; the socket is closed with the Fd. Throws
/// TransportError.
sys::Fd connect_unix(const std::string& path, std::chrono::steady_clock::time_point deadline);

/// Why a unix_http call failed, for the LocalAPI client to turn into a user-facing message.
struct TransportError : std::runtime_error {
  /// resources: out of file descriptors (EMFILE/ENFILE), e.g. too many pings in flight.
  enum class Kind { no_socket, permission, refused, timeout, io, malformed, resources };
  TransportError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

} // namespace meshops::tailscale
