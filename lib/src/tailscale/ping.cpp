#include "meshops/tailscale/ping.hpp"

#include "meshops/sys/json.hpp"
#include "meshops/sys/text.hpp"

#include "json_fields.hpp"
#include "meshops/tailscale/localapi.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;

/// What tailscaled said about a failed ping: {"error":"..."} or the body's first line.
std::string error_of(const HttpResponse& resp) {
  try {
    auto j = sys::parse_json(resp.body);
    if (j.is_object() && j.contains("error") && j["error"].is_string())
      return fmt::format("tailscaled: HTTP {}: {}", resp.status, j["error"].get<std::string>());
  } catch (const sys::JsonError&) {
  }
  auto line = resp.body.substr(0, std::min(resp.body.find('\n'), std::size_t{200}));
  return fmt::format("tailscaled: HTTP {}: {}", resp.status, line);
}

PingOutcome outcome_of(HttpResponse& resp) {
  PingOutcome o;
  o.kind = PingOutcome::Kind::failed;
  if (resp.status / 100 != 2) {
    o.error = error_of(resp);
    return o;
  }
  try {
    o.result = parse_ping_result(resp.body);
  } catch (const std::runtime_error& e) {
    o.error = fmt::format("tailscaled's ping reply: {}", e.what());
    return o;
  }
  if (!o.result.err.empty()) {
    o.error = o.result.err;
    return o;
  }
  o.kind = PingOutcome::Kind::reply;
  return o;
}

} // namespace

const char* to_string(PingType t) {
  switch (t) {
  case PingType::disco: return "disco";
  case PingType::tsmp: return "TSMP";
  case PingType::icmp: return "ICMP";
  case PingType::peerapi: return "peerapi";
  }
  return "disco";
}

std::optional<PingType> parse_ping_type(std::string_view name) {
  auto n = sys::lower(name);
  if (n == "disco") return PingType::disco;
  if (n == "tsmp") return PingType::tsmp;
  if (n == "icmp") return PingType::icmp;
  if (n == "peerapi") return PingType::peerapi;
  return std::nullopt;
}

PingResult parse_ping_result(std::string_view text) {
  json j = detail::parse_object(text);
  detail::Fields f(j, "");
  PingResult r;
  r.ip = f.str("IP");
  r.node_ip = f.str("NodeIP");
  r.node_name = f.str("NodeName");
  r.err = f.str("Err");
  double secs = f.number("LatencySeconds");
  if (secs < 0) throw std::runtime_error("LatencySeconds: negative");
  r.latency_ms = secs * 1000;
  r.endpoint = f.str("Endpoint");
  r.peer_relay = f.str("PeerRelay");
  r.derp_region_id = static_cast<int>(f.integer("DERPRegionID", 0, INT32_MAX));
  r.derp_region_code = f.str("DERPRegionCode");
  r.peer_api_port = static_cast<int>(f.integer("PeerAPIPort", 0, 65535));
  r.is_local_ip = f.boolean("IsLocalIP");
  return r;
}

PingPath path_of(const PingResult& r) {
  if (!r.endpoint.empty()) return PingPath::direct;
  if (!r.peer_relay.empty()) return PingPath::peer_relay;
  if (r.derp_region_id != 0) return PingPath::derp;
  return PingPath::unknown;
}

std::string path_text(const PingResult& r) {
  switch (path_of(r)) {
  case PingPath::direct: return "direct " + r.endpoint;
  case PingPath::peer_relay: return "peer-relay " + r.peer_relay;
  case PingPath::derp:
    return fmt::format("derp {} ({})", r.derp_region_code.empty() ? "?" : r.derp_region_code, r.derp_region_id);
  case PingPath::unknown: break;
  }
  return "";
}

HttpRequest ping_request(const std::string& ip, PingType type) {
  // ip is a Tailscale IP (digits, dots, colons): nothing in it needs percent-encoding, but a
  // name typed by a user might, and tailscaled would reject it anyway.
  std::string q;
  for (unsigned char c : ip) {
    if (std::isalnum(c) || c == '.' || c == ':' || c == '-' || c == '_') q += static_cast<char>(c);
    else q += fmt::format("%{:02X}", c);
  }
  return localapi_request("POST", fmt::format("ping?ip={}&type={}", q, to_string(type)));
}

struct Pinger::Flight {
  std::size_t id;
  sys::Fd fd;
  Clock::time_point deadline;
  ResponseParser parser;
};

Pinger::Pinger(std::string socket_path) : socket_(std::move(socket_path)) {}
Pinger::~Pinger() = default;

std::size_t Pinger::start(const std::string& ip, PingType type, Clock::time_point deadline) {
  auto f = std::make_unique<Flight>();
  f->id = next_id_++;
  f->deadline = deadline;
  try {
    f->fd = connect_unix(socket_, deadline);
  } catch (const TransportError& e) {
    throw transport_error(e, socket_, "ping",
                          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
  auto wire = request_bytes(ping_request(ip, type));
  // A fresh unix socket's send buffer holds this small request whole; a short write would
  // mean the daemon is broken, which we report as that ping failing.
  ssize_t n = ::send(f->fd.get(), wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n != static_cast<ssize_t>(wire.size())) f->fd.reset();
  flights_.push_back(std::move(f));
  return flights_.back()->id;
}

std::size_t Pinger::in_flight() const { return flights_.size(); }

std::vector<std::pair<std::size_t, PingOutcome>> Pinger::wait(Clock::time_point until) {
  std::vector<std::pair<std::size_t, PingOutcome>> done;
  auto finish = [&](std::size_t k, PingOutcome o) {
    done.emplace_back(flights_[k]->id, std::move(o));
    flights_[k].reset();
  };
  while (done.empty()) {
    auto now = Clock::now();
    // Send failures and expired deadlines end first, without waiting.
    for (std::size_t k = 0; k < flights_.size(); ++k) {
      if (!flights_[k]->fd.valid()) finish(k, {PingOutcome::Kind::failed, {}, "could not send the ping to tailscaled"});
      else if (flights_[k]->deadline <= now) finish(k, {PingOutcome::Kind::timeout, {}, "no reply"});
    }
    flights_.erase(std::remove(flights_.begin(), flights_.end(), nullptr), flights_.end());
    if (!done.empty() || now >= until) break;

    auto wake = until;
    std::vector<pollfd> fds;
    for (const auto& f : flights_) {
      fds.push_back({f->fd.get(), POLLIN, 0});
      wake = std::min(wake, f->deadline);
    }
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(ms, 0)));
    if (n < 0 && errno != EINTR) throw Error(Exit::unknown, fmt::format("poll: {}", std::strerror(errno)));
    for (std::size_t k = 0; n > 0 && k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      Flight& f = *flights_[k];
      char buf[16384];
      ssize_t got = ::recv(f.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      try {
        if (got < 0) throw std::runtime_error(std::strerror(errno));
        bool more = got == 0 ? (f.parser.finish(), false) : f.parser.feed(std::string_view(buf, static_cast<std::size_t>(got)));
        if (!more) finish(k, outcome_of(f.parser.response()));
      } catch (const std::runtime_error& e) {
        finish(k, {PingOutcome::Kind::failed, {}, fmt::format("tailscaled's reply broke off: {}", e.what())});
      }
    }
    flights_.erase(std::remove(flights_.begin(), flights_.end(), nullptr), flights_.end());
  }
  return done;
}

PingOutcome ping(const std::string& socket_path, const std::string& ip, PingType type, std::chrono::milliseconds timeout) {
  Pinger p(socket_path);
  p.start(ip, type, Pinger::Clock::now() + timeout);
  while (true) {
    auto done = p.wait(Pinger::Clock::now() + timeout + std::chrono::seconds(1));
    if (!done.empty()) return std::move(done.front().second);
  }
}

} // namespace meshops::tailscale
