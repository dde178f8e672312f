// cli: the Monitoring Plugins view (--plugin): status line, perfdata, details.
#include "meshops/cli/plugin.hpp"

#include <catch2/catch.hpp>

using namespace meshops;
using namespace meshops::cli;

namespace {
std::vector<Metric> quality_metrics() {
  Metric rtt{"meshops_ts_quality_rtt_avg_seconds", "Average round trip.", "gauge",
             {{{{"peer", "kernelcore"}}, 0.000309736}, {{{"peer", "other-server"}}, 0.25}}};
  rtt.warn = 0.2;
  Metric loss{"meshops_ts_quality_loss_ratio", "Loss.", "gauge", {{{{"peer", "kernelcore"}}, 0.3}}};
  loss.warn = 0.05;
  return {
      rtt,
      loss,
      {"meshops_ts_quality_rtt_seconds", "Round trips.", "summary", {{{{"peer", "kernelcore"}, {"quantile", "0.5"}}, 0.0003}}},
      {"meshops_ts_status_info", "Info.", "gauge", {{{{"version", "1.98"}}, 1}}},
  };
}
} // namespace

TEST_CASE("render_plugin writes the status line with perfdata in base units", "[cli][plugin]") {
  checks::Verdict v{Exit::warning, {"other-server: latency 250 ms > 200 ms", "kernelcore: loss 30% > 5%"}, ""};
  CHECK(render_plugin("ts-quality", v, "2 peers ok", quality_metrics(), "") ==
        "TS-QUALITY WARNING - other-server: latency 250 ms > 200 ms (and 1 more) | "
        "'kernelcore rtt_avg'=0.000309736s;0.2;;0 'other-server rtt_avg'=0.25s;0.2;;0 "
        "'kernelcore loss'=30%;5;;0;100\n"
        "kernelcore: loss 30% > 5%\n");
}

TEST_CASE("render_plugin says the OK summary when there is no reason", "[cli][plugin]") {
  CHECK(render_plugin("ts-status", {}, "Running, 2/2 peers online",
                      {{"meshops_ts_status_peers_online", "Online.", "gauge", {{{}, 2}}}}, "") ==
        "TS-STATUS OK - Running, 2/2 peers online | 'peers_online'=2\n");
  CHECK(render_plugin("nginx-test", {Exit::unknown, {}, "run as root"}, "", {}, "hint: run as root\n") ==
        "NGINX-TEST UNKNOWN - unknown\nhint: run as root\n");
}

TEST_CASE("render_plugin keeps network text from breaking the format", "[cli][plugin]") {
  // A peer named with '|', '=', a quote and an escape sequence: none may end the text, start
  // perfdata, end a label or reach the terminal.
  Metric m{"meshops_ts_status_peer_online", "Online.", "gauge", {{{{"peer", "a|b='c\x1b[2J"}}, 0}}};
  CHECK(render_plugin("ts-status", {Exit::critical, {"peer a|b offline\nnext"}, ""}, "", {m}, "") ==
        "TS-STATUS CRITICAL - peer a/b offline\\nnext | 'a/b_''c\\e[2J peer_online'=0\n");
}

TEST_CASE("plugin_perfdata: counters, bytes, timestamps, no exponent", "[cli][plugin]") {
  std::vector<Metric> ms{
      {"meshops_ts_status_peer_rx_bytes_total", "Rx.", "counter", {{{{"peer", "laptop"}}, 123456789}}},
      {"meshops_nginx_logs_sent_bytes", "Sent.", "gauge", {{{}, 2048}}},
      {"meshops_nginx_test_certificate_expiry_timestamp_seconds", "Expiry.", "gauge", {{{{"certificate", "/c.pem"}}, 1796168820}}},
      {"meshops_nginx_test_check_latency_seconds", "Latency.", "gauge", {{{}, 8.7575e-05}}},
  };
  CHECK(plugin_perfdata("ts-status", {ms[0]}) == "'laptop peer_rx'=123456789c;;;0");
  CHECK(plugin_perfdata("nginx-logs", {ms[1]}) == "'sent'=2048B;;;0");
  CHECK(plugin_perfdata("nginx-test", {ms[2], ms[3]}) ==
        "'/c.pem certificate_expiry_timestamp_seconds'=1796168820 'check_latency'=0.000087575s;;;0");
}
