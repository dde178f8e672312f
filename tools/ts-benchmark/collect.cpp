#include "collect.hpp"

#include "iperf3.hpp"

#include "meshops/cli/progress.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/net/http_bench.hpp"
#include "meshops/net/throughput.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/route_guard.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cstdio>

namespace ts_benchmark {
namespace {

using namespace meshops;
bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

/// tailscaled's status for the route guard when an IP is given directly: the guard also works
/// without it (a TUN with a Tailscale address), so an unreachable tailscaled is no error here.
std::optional<tailscale::Status> status_if_reachable(const std::string& socket, std::chrono::milliseconds timeout) {
  try {
    return tailscale::LocalApi(socket, timeout).status();
  } catch (const Error&) {
    return std::nullopt;
  }
}

} // namespace

void serve(const Options& o) {
  sys::catch_stop_signals();
  net::serve_throughput(o.bind, o.port, sys::stop_flag(), [&](int port) {
    std::fprintf(stderr, "ts-benchmark: serving on %s port %d\n", o.bind.c_str(), port);
  });
}

Result collect(const Options& o, const cli::CommonOptions& common, const config::Config& cfg) {
  cli::Progress progress;
  Result r;
  r.duration_ms = o.duration_s * 1000;
  r.streams = o.streams;
  if (!o.url.empty()) {
    r.kind = "http";
    r.target = o.url;
    r.concurrency = o.concurrency;
    net::HttpBenchOptions h;
    h.url = o.url;
    h.headers = o.headers;
    h.resolve = o.resolve;
    h.requests = o.requests;
    h.concurrency = o.concurrency;
    h.timeout = common.timeout();
    h.on_progress = [&](int done) { progress.show(fmt::format("{}/{} requests", done, o.requests)); };
    // A tailnet address given as the URL's host or a --resolve target is connected to
    // from here: it must go through tailscaled's TUN.
    std::vector<std::string> tailnet_addrs;
    for (const auto& entry : o.resolve)
      if (auto a = net::resolve_address(entry); tailscale::is_tailnet_address(a)) tailnet_addrs.push_back(a);
    if (auto host = net::url_host(o.url); tailscale::is_tailnet_address(host)) tailnet_addrs.push_back(host);
    if (!tailnet_addrs.empty()) {
      auto status = status_if_reachable(tailscale::resolve_socket(common.socket, cfg.tailscale.socket), common.timeout());
      for (const auto& a : tailnet_addrs) tailscale::require_tun_route(status ? &*status : nullptr, a);
    }
    r.http = net::run_http_bench(h);
  } else {
    r.target = o.peer;
    r.address = o.peer;
    auto socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
    std::optional<tailscale::Status> status;
    if (!is_ip(o.peer)) {
      status = tailscale::LocalApi(socket, common.timeout()).status();
      r.address = monitor::resolve_targets(*status, {o.peer}).at(0).ip;
    } else if (tailscale::is_tailnet_address(o.peer)) {
      status = status_if_reachable(socket, common.timeout());
    }
    // Nothing is sent unless this namespace routes the peer through tailscaled's TUN.
    tailscale::require_tun_route(status ? &*status : nullptr, r.address);
    bool up = o.direction != "download", down = o.direction != "upload";
    auto duration = std::chrono::milliseconds(static_cast<long long>(o.duration_s * 1000));
    if (o.iperf3) {
      r.kind = "iperf3";
      r.port = o.iperf3_port;
      net::ThroughputResult t;
      progress.show("iperf3 running...");
      if (up) t.upload = run_iperf3(r.address, r.port, duration, o.streams, false, common.timeout());
      if (down) t.download = run_iperf3(r.address, r.port, duration, o.streams, true, common.timeout());
      r.tcp = t;
    } else {
      r.kind = "tcp";
      r.port = o.port;
      net::ThroughputOptions t;
      t.host = r.address;
      t.port = o.port;
      t.duration = duration;
      t.streams = o.streams;
      t.timeout = common.timeout();
      t.upload = up;
      t.download = down;
      t.on_progress = [&](const std::string& phase, std::uint64_t bytes) {
        progress.show(fmt::format("{}: {}", phase, cli::human_bytes(bytes)));
      };
      r.tcp = net::run_throughput(t);
    }
  }
  progress.clear();
  return r;
}

} // namespace ts_benchmark
