// ts-benchmark: TCP throughput each way between two tailnet nodes (our engine, or iperf3),
// latency idle and under load, retransmits; or an HTTP service through the proxy with
// libcurl's multi interface. Results can be kept as NDJSON history and compared.
#include "iperf3.hpp"
#include "result.hpp"

#include "meshops/cli/progress.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/config/config.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/sys/stop.hpp"
#include "meshops/tailscale/localapi.hpp"
#include "meshops/tailscale/route_guard.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace {

struct Options {
  std::string peer;
  bool serve = false;
  int port = 5202;
  std::string bind = "0.0.0.0";
  double duration_s = 5;
  int streams = 1;
  std::string direction = "both";
  bool iperf3 = false;
  int iperf3_port = 5201;
  std::string url;
  std::vector<std::string> headers, resolve;
  int requests = 100;
  int concurrency = 10;
  std::string history, compare;
};

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

/// tailscaled's status for the route guard when an IP is given directly: the guard also works
/// without it (a TUN with a Tailscale address), so an unreachable tailscaled is no error here.
std::optional<meshops::tailscale::Status> status_if_reachable(const std::string& socket, std::chrono::milliseconds timeout) {
  try {
    return meshops::tailscale::LocalApi(socket, timeout).status();
  } catch (const meshops::Error&) {
    return std::nullopt;
  }
}

} // namespace

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  Options o;

  return cli::tool_main(
      {"ts-benchmark", "Benchmark TCP throughput and latency between tailnet nodes, or an HTTP service", /*socket=*/true,
       /*prom=*/false},
      common, argc, argv,
      [&](CLI::App& app) {
        app.add_option("peer", o.peer, "The peer running ts-benchmark --serve (name or IP)")->type_name("PEER");
        app.add_flag("--serve", o.serve, "Serve benchmarks from other nodes until interrupted");
        app.add_option("--port", o.port, "Server port (default 5202)")->check(CLI::Range(0, 65535))->type_name("PORT");
        app.add_option("--bind", o.bind, "Address to serve on (default 0.0.0.0)")->type_name("ADDR");
        app.add_option("--duration", o.duration_s, "Seconds of transfer each way (default 5)")
            ->check(CLI::Range(0.1, 3600.0))
            ->type_name("SECONDS");
        app.add_option("--streams", o.streams, "Parallel TCP connections (default 1)")->check(CLI::Range(1, 128))->type_name("N");
        app.add_option("--direction", o.direction, "both (default), upload (to the peer) or download")
            ->check(CLI::IsMember({"both", "upload", "download"}))
            ->type_name("DIR");
        app.add_flag("--iperf3", o.iperf3, "Measure with iperf3 -J instead (iperf3 -s must run on the peer)");
        app.add_option("--iperf3-port", o.iperf3_port, "iperf3 server port (default 5201)")
            ->check(CLI::Range(1, 65535))
            ->type_name("PORT");
        app.add_option("--url", o.url, "Benchmark this HTTP(S) URL instead of a peer")->type_name("URL");
        app.add_option("--header", o.headers, "Send this HTTP header with every request (repeatable)")
            ->type_name("'NAME: VALUE'");
        app.add_option("--resolve", o.resolve, "Connect to ADDR for HOST:PORT, as curl --resolve (repeatable)")
            ->type_name("HOST:PORT:ADDR");
        app.add_option("--requests", o.requests, "HTTP requests in all (default 100)")->check(CLI::Range(1, 10000000))->type_name("N");
        app.add_option("--concurrency", o.concurrency, "HTTP requests in flight at once (default 10)")
            ->check(CLI::Range(1, 10000))
            ->type_name("N");
        app.add_option("--history", o.history, "Append the result to FILE as one NDJSON line")->type_name("FILE");
        app.add_option("--compare", o.compare, "Show the change against the last matching result in FILE")->type_name("FILE");
        app.footer("See ts-benchmark(1).");
      },
      [&]() -> Exit {
        int modes = o.serve + !o.url.empty() + !o.peer.empty();
        if (modes != 1) throw Error(Exit::usage, "give exactly one of PEER, --serve or --url", "see ts-benchmark --help");
        auto cfg = config::load(common.config_path);

        if (o.serve) {
          sys::catch_stop_signals();
          net::serve_throughput(o.bind, o.port, sys::stop_flag(), [&](int port) {
            std::fprintf(stderr, "ts-benchmark: serving on %s port %d\n", o.bind.c_str(), port);
          });
          return Exit::ok;
        }

        cli::Progress progress;
        ts_benchmark::Result r;
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
            if (up) t.upload = ts_benchmark::run_iperf3(r.address, r.port, duration, o.streams, false, common.timeout());
            if (down) t.download = ts_benchmark::run_iperf3(r.address, r.port, duration, o.streams, true, common.timeout());
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

        auto doc = ts_benchmark::to_json(r, meshops::sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false));
        std::optional<ts_benchmark::Comparison> cmp;
        if (!o.compare.empty()) {
          if (std::filesystem::exists(o.compare)) cmp = ts_benchmark::compare(doc, sys::read_file(o.compare));
          if (!cmp) cli::warn("ts-benchmark", fmt::format("{}: no earlier {} result for {} to compare with", o.compare, r.kind, r.target));
        }
        // A run where no request was answered measured nothing: no rate, no history line.
        bool no_result = r.http && r.http->answered == 0;
        if (no_result && !o.history.empty())
          cli::warn("ts-benchmark", fmt::format("--history {}: not recorded, every request failed", o.history));
        if (!o.history.empty() && !no_result) {
          auto line = cli::dump_json(doc, /*pretty=*/false) + "\n";
          int fd = ::open(o.history.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
          // One write of the whole line: concurrent runs appending to one file never interleave.
          bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
          int err = errno;
          if (fd >= 0) ::close(fd);
          if (!ok) throw Error(Exit::unknown, fmt::format("--history {}: {}", o.history, std::strerror(err)));
        }
        if (cmp) doc["compare"] = ts_benchmark::to_json(*cmp);
        if (common.output.format == cli::Format::json) cli::print_json(doc, common.output);
        else cli::write_stdout(ts_benchmark::to_text(r, cmp, common.output));
        // Every request failed: critical. Some failed, or the service answered 5xx: a warning.
        if (no_result) return Exit::critical;
        if (r.http) {
          bool bad = r.http->failed > 0;
          for (const auto& [code, n] : r.http->status_counts) bad |= code >= 500;
          if (bad) return Exit::warning;
        }
        return Exit::ok;
      });
}
