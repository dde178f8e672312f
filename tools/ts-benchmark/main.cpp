// ts-benchmark: TCP throughput each way between two tailnet nodes (our engine, or iperf3),
// latency idle and under load, retransmits; or an HTTP service through the proxy with
// libcurl's multi interface. Results can be kept as NDJSON history and compared.
// Flags -> Options; serve, or collect -> Result -> history and comparison -> view.
#include "collect.hpp"
#include "history.hpp"
#include "view.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/sys/calendar.hpp"

#include <fmt/format.h>

#include <filesystem>

int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  ts_benchmark::Options o;

  return cli::tool_main(
      {"ts-benchmark", "Benchmark TCP throughput and latency between tailnet nodes, or an HTTP service", /*socket=*/true,
       /*prom=*/false, /*follows=*/false,
       "0 measured, 1 an HTTP request failed or got a 5xx, 2 every HTTP request failed, 3 could not measure, 64 bad usage"},
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
      },
      [&]() -> Exit {
        int modes = o.serve + !o.url.empty() + !o.peer.empty();
        if (modes != 1) throw Error(Exit::usage, "give exactly one of PEER, --serve or --url", "see ts-benchmark --help");
        auto cfg = config::load(common.config_path);
        if (o.serve) {
          ts_benchmark::serve(o);
          return Exit::ok;
        }

        auto r = ts_benchmark::collect(o, common, cfg);
        std::optional<ts_benchmark::Comparison> cmp;
        if (!o.compare.empty()) {
          if (std::filesystem::exists(o.compare)) cmp = ts_benchmark::compare(r, sys::read_file(o.compare));
          if (!cmp) cli::warn("ts-benchmark", fmt::format("{}: no earlier {} result for {} to compare with", o.compare, r.kind, r.target));
        }
        auto doc = ts_benchmark::to_json(r, sys::format_utc(std::chrono::system_clock::now(), /*with_millis=*/false));
        if (!o.history.empty()) {
          // A run where no request was answered measured nothing: no rate, no history line.
          if (ts_benchmark::measured(r)) ts_benchmark::append_history(o.history, doc);
          else cli::warn("ts-benchmark", fmt::format("--history {}: not recorded, every request failed", o.history));
        }
        if (cmp) doc["compare"] = ts_benchmark::to_json(*cmp);
        if (common.output.format == cli::Format::json) cli::print_json(doc, common.output);
        else cli::write_stdout(ts_benchmark::to_text(r, cmp, common.output));
        return ts_benchmark::exit_code(r);
      });
}
