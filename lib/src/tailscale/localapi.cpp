#include "meshops/tailscale/localapi.hpp"

#include "meshops/error.hpp"
#include "meshops/tailscale/http.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace meshops::tailscale {
namespace {

// The capability version tailscale v1.98 sends; tailscaled does not check it (notes 1.2).
constexpr const char* kCapabilityVersion = "138";

std::string first_line(const std::string& s) {
  auto text = s.substr(0, s.find('\n'));
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

} // namespace

std::string resolve_socket(const std::string& flag, const std::string& config_socket) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("TS_SOCKET"); env && *env) return env;
  if (!config_socket.empty()) return config_socket;
  return kDefaultSocket;
}

LocalApi::LocalApi(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_(std::move(socket_path)), timeout_(timeout) {}

HttpRequest localapi_request(std::string_view method, std::string_view endpoint, std::string_view body) {
  HttpRequest req;
  req.method = std::string(method);
  req.target = fmt::format("/localapi/v0/{}", endpoint);
  req.body = std::string(body);
  req.headers["Tailscale-Cap"] = kCapabilityVersion;
  if (!body.empty()) req.headers["Content-Type"] = "application/json";
  return req;
}

LocalApiError transport_error(const TransportError& e, const std::string& socket, std::string_view endpoint,
                              std::chrono::milliseconds timeout) {
  using Kind = TransportError::Kind;
  using Cause = LocalApiError::Cause;
  auto where = fmt::format("tailscaled at {}", socket);
  auto hint = std::string("is tailscaled running? Use --socket PATH or $TS_SOCKET for another socket");
  double secs = static_cast<double>(timeout.count()) / 1000;
  switch (e.kind) {
  case Kind::no_socket: return {Cause::unreachable, fmt::format("cannot reach {}: no such socket", where), hint};
  case Kind::permission:
    return {Cause::permission, fmt::format("cannot reach {}: permission denied", where),
            "run as root or as tailscaled's operator user (tailscale set --operator=USER)"};
  case Kind::refused:
    return {Cause::unreachable, fmt::format("cannot reach {}: connection refused (not running?)", where), hint};
  case Kind::timeout:
    return {Cause::timeout, fmt::format("{} did not answer /{} within {:g} s ({})", where, endpoint, secs, e.what())};
  case Kind::malformed: return {Cause::reply, fmt::format("{}: bad HTTP reply to /{}: {}", where, endpoint, e.what())};
  case Kind::resources:
    return {Cause::resources, fmt::format("cannot open another connection to {}: {}", where, e.what()),
            "each ping in flight holds a connection: fewer peers, a longer interval or a shorter timeout"};
  case Kind::io: break;
  }
  return {Cause::io, fmt::format("cannot talk to {}: {}", where, e.what())};
}

std::string LocalApi::body_of(HttpResponse& resp, std::string_view endpoint) const {
  auto where = fmt::format("tailscaled at {}", socket_);
  if (auto v = resp.headers.find("tailscale-version"); v != resp.headers.end()) daemon_version_ = v->second;
  if (resp.status == 403)
    throw LocalApiError(LocalApiError::Cause::permission,
                        fmt::format("{} refused /{}: permission denied ({})", where, endpoint, first_line(resp.body)),
                        "this needs root or tailscaled's operator user");
  if (resp.status / 100 != 2)
    throw LocalApiError(LocalApiError::Cause::reply,
                        fmt::format("{} answered /{} with HTTP {}: {}", where, endpoint, resp.status, first_line(resp.body)));
  return std::move(resp.body);
}

std::string LocalApi::request(std::string_view method, std::string_view endpoint, std::string_view body,
                              const std::function<bool(std::string_view)>& on_data) const {
  HttpResponse resp;
  try {
    resp = unix_http(socket_, localapi_request(method, endpoint, body), timeout_, on_data);
  } catch (const TransportError& e) {
    throw transport_error(e, socket_, endpoint, timeout_);
  }
  return body_of(resp, endpoint);
}

std::string LocalApi::get(std::string_view endpoint) const { return request("GET", endpoint, {}, {}); }

std::string LocalApi::send(std::string_view method, std::string_view endpoint, std::string_view body) const {
  return request(method, endpoint, body, {});
}

void LocalApi::stream(std::string_view endpoint, const std::function<bool(std::string_view)>& on_data) const {
  request("GET", endpoint, {}, on_data);
}

Status LocalApi::status() const { return parse_status_reply(get("status")); }

Status LocalApi::parse_status_reply(const std::string& body) const {
  try {
    return parse_status(body);
  } catch (const std::runtime_error& e) {
    throw Error(Exit::unknown, fmt::format("tailscaled's /status reply: {}", e.what()),
                "tailscaled may be newer than this meshops; --raw shows its reply as is");
  }
}

std::pair<Status, std::optional<Prefs>> LocalApi::status_and_prefs() const {
  std::vector<HttpResponse> replies;
  try {
    replies = unix_http_all(socket_, {localapi_request("GET", "status", {}), localapi_request("GET", "prefs", {})}, timeout_);
  } catch (const TransportError& e) {
    throw transport_error(e, socket_, "status", timeout_);
  }
  Status status = parse_status_reply(body_of(replies[0], "status"));
  std::optional<Prefs> prefs;
  try {
    prefs = parse_prefs_reply(body_of(replies[1], "prefs"));
  } catch (const Error&) {
    // /prefs needs read permission like /status, but an older or locked-down daemon may refuse
    // it: callers then go without advertised routes rather than fail.
  }
  return {std::move(status), std::move(prefs)};
}

Prefs LocalApi::prefs() const { return parse_prefs_reply(get("prefs")); }

Prefs LocalApi::parse_prefs_reply(const std::string& body) const {
  try {
    return parse_prefs(body);
  } catch (const std::runtime_error& e) {
    throw Error(Exit::unknown, fmt::format("tailscaled's /prefs reply: {}", e.what()));
  }
}

} // namespace meshops::tailscale
