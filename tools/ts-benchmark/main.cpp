// ts-benchmark: TCP throughput each way between two tailnet nodes (our engine, or iperf3),
// latency idle and under load, retransmits; or an HTTP service through the proxy with
// libcurl's multi interface. Results can be kept as NDJSON history and compared.
#include "iperf3.hpp"
#include "result.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/cli/units.hpp"
#include "meshops/config/config.hpp"
#include "meshops/monitor/quality.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
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
  int requests = 100;
  int concurrency = 10;
  std::string history, compare;
};

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

/// Live progress on stderr, only when it is a terminal.
struct Progress {
  bool on = ::isatty(2) == 1;
  void show(const std::string& s) const {
    if (on) std::fprintf(stderr, "\r\033[K%s", s.c_str());
  }
  void clear() const {
    if (on) std::fprintf(stderr, "\r\033[K");
  }
};

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
          std::signal(SIGINT, on_signal);
          std::signal(SIGTERM, on_signal);
          net::serve_throughput(o.bind, o.port, g_stop, [&](int port) {
            std::fprintf(stderr, "ts-benchmark: serving on %s port %d\n", o.bind.c_str(), port);
          });
          return Exit::ok;
        }

        Progress progress;
        ts_benchmark::Result r;
        r.duration_ms = o.duration_s * 1000;
        r.streams = o.streams;
        if (!o.url.empty()) {
          r.kind = "http";
          r.target = o.url;
          r.concurrency = o.concurrency;
          net::HttpBenchOptions h;
          h.url = o.url;
          h.requests = o.requests;
          h.concurrency = o.concurrency;
          h.timeout = common.timeout();
          h.on_progress = [&](int done) { progress.show(fmt::format("{}/{} requests", done, o.requests)); };
          r.http = net::run_http_bench(h);
        } else {
          r.target = o.peer;
          r.address = o.peer;
          if (!is_ip(o.peer)) {
            auto socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
            auto status = tailscale::LocalApi(socket, common.timeout()).status();
            r.address = monitor::resolve_targets(status, {o.peer}).at(0).ip;
          }
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
        if (!o.history.empty()) {
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
        // An HTTP benchmark where requests failed or the service answered 5xx is a warning.
        if (r.http) {
          bool bad = r.http->failed > 0;
          for (const auto& [code, n] : r.http->status_counts) bad |= code >= 500;
          if (bad) return Exit::warning;
        }
        return Exit::ok;
      });
}
