#pragma once
// One-shot reachability probes with a deadline and a measured latency: a TCP connect, and an
// HTTP(S) GET that can be sent to one address while naming another host (Host header and TLS
// SNI), the way a client reaches a virtual host behind a reverse proxy.
#include <chrono>
#include <optional>
#include <string>

namespace meshops::net {

struct ProbeResult {
  bool ok = false;          ///< connected (TCP) / got an HTTP response (HTTP)
  double latency_ms = 0;    ///< time to connect (TCP) / to the whole response (HTTP)
  long status = 0;          ///< HTTP status; 0 for TCP or when no response came
  std::string error;        ///< why it failed, e.g. "connection refused", "timed out after 2000 ms"
};

/// Connects to host:port (a numeric IPv4/IPv6 address or a name) and closes at once.
ProbeResult probe_tcp(const std::string& host, int port, std::chrono::milliseconds timeout);

struct HttpRequest {
  std::string url;  ///< e.g. "https://ollama.host.example.ts.net:8443/api/tags"
  /// When set, connect here instead of resolving the URL's host; the URL's host still goes in
  /// the Host header and, for https, in SNI.
  std::optional<std::string> connect_address;
  std::optional<int> connect_port;  ///< with connect_address; default: the URL's port
  /// Verify the server's certificate. Off for probes: expiry and names are checked separately,
  /// and a self-signed proxy must still count as answering.
  bool verify_tls = false;
  std::chrono::milliseconds timeout{5000};
};

/// Sends one GET and reads the status line and body (discarded, at most 1 MiB kept from
/// being read). ok is true for any HTTP response; the caller judges the status.
ProbeResult probe_http(const HttpRequest& request);

} // namespace meshops::net
