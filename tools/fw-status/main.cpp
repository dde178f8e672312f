// fw-status: the nftables firewall as security zones, with live counters, "can X reach P?",
// and drift from the zones declared in the config. See man/fw-status.1.
#include "render.hpp"
#include "watch.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nft/session.hpp"
#include "meshops/sys/atomic_file.hpp"

#include <fmt/format.h>

namespace {

using meshops::Error;
using meshops::Exit;
namespace nft = meshops::nft;
namespace cli = meshops::cli;

struct Options {
  std::string file;               ///< --file: a saved `nft -j list ruleset`; empty: the live ruleset
  std::vector<std::string> can;   ///< --can SRC PROTO/PORT
  std::string iif;                ///< --iif
  std::string dst;                ///< --dst
  bool check = false;
  bool rules = false;
  double watch_s = 0;
  int count = 0;
};

void add_options(CLI::App& app, Options& o) {
  app.add_option("--file", o.file, "Analyse a saved `nft -j list ruleset` instead of the live ruleset")->type_name("RULESET.json");
  auto* can = app.add_option("--can", o.can, "Can a new connection from SRC reach PROTO/PORT (e.g. 100.64.0.5 tcp/5432)?")
      ->type_name("SRC PROTO/PORT")
      ->expected(2);
  app.add_option("--iif", o.iif, "Input interface of the --can connection")->type_name("IFACE");
  app.add_option("--dst", o.dst, "Destination address of the --can connection (rules on daddr are skipped without it)")->type_name("ADDR");
  auto* check = app.add_flag("--check", o.check, "Compare the declared zones with the ruleset (exit 1 warning, 2 critical)");
  app.add_flag("--rules", o.rules, "Show every chain and rule with its counters");
  auto* watch = app.add_option("--watch", o.watch_s, "Show zone counter rates every SECONDS until interrupted (text or NDJSON)")
                    ->type_name("SECONDS")
                    ->check(CLI::PositiveNumber);
  app.add_option("--count", o.count, "With --watch: stop after N samples")->type_name("N")->check(CLI::PositiveNumber);
  // One question per run: each of these prints its own document.
  can->excludes(check)->excludes(watch);
  check->excludes(watch);
}

std::string read_ruleset_text(const Options& o) {
  return o.file.empty() ? nft::list_ruleset_json() : meshops::sys::read_file(o.file);
}

nft::Ruleset load_ruleset(const Options& o) {
  return nft::parse_ruleset(read_ruleset_text(o), o.file.empty() ? "live ruleset" : o.file);
}

nft::Packet can_packet(const Options& o) {
  nft::Packet p;
  auto src = nft::IpAddr::parse(o.can[0]);
  if (!src) throw Error(Exit::usage, fmt::format("--can: \"{}\" is not an IPv4 or IPv6 address", o.can[0]));
  p.saddr = *src;
  const std::string& pp = o.can[1];
  auto slash = pp.find('/');
  p.l4proto = pp.substr(0, slash);
  if (p.l4proto != "tcp" && p.l4proto != "udp")
    throw Error(Exit::usage, fmt::format("--can: \"{}\" is not PROTO/PORT with PROTO tcp or udp", pp));
  if (slash == std::string::npos) throw Error(Exit::usage, fmt::format("--can: \"{}\" has no /PORT", pp));
  try {
    std::size_t used = 0;
    int port = std::stoi(pp.substr(slash + 1), &used);
    if (used != pp.size() - slash - 1 || port < 1 || port > 65535) throw std::out_of_range("port");
    p.dport = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    throw Error(Exit::usage, fmt::format("--can: \"{}\" needs a port from 1 to 65535", pp));
  }
  p.iifname = o.iif;
  if (!o.dst.empty()) {
    p.daddr = nft::IpAddr::parse(o.dst);
    if (!p.daddr) throw Error(Exit::usage, fmt::format("--dst: \"{}\" is not an IP address", o.dst));
  }
  return p;
}

Exit run(const Options& o, const cli::CommonOptions& common) {
  const auto& out = common.output;
  if (o.watch_s > 0 && out.format == cli::Format::prom)
    throw Error(Exit::usage, "--watch prints rates as a table or NDJSON (--json), not Prometheus metrics",
                "scrape fw-status --prom (or --prom-file from a timer) for counters");
  auto config = meshops::config::load(common.config_path);
  auto services = nft::Services::load();

  if (!o.can.empty()) {
    auto packet = can_packet(o);  // usage errors before touching the ruleset
    auto ev = nft::evaluate(load_ruleset(o), packet);
    if (out.format == cli::Format::json) cli::print_json(fw_status::can_json(packet, ev), out);
    else cli::write_stdout(fw_status::can_text(packet, ev, out));
    // The answer is in the exit status too, for `fw-status --can ... && ...`: 1 is "no".
    return ev.verdict == nft::Verdict::accept ? Exit::ok : Exit::warning;
  }
  if (o.watch_s > 0) {
    fw_status::watch({o.watch_s, o.count}, out, [&] { return nft::analyse_zones(load_ruleset(o), config.firewall, services); });
    return Exit::ok;
  }
  auto rs = load_ruleset(o);
  if (o.check) {
    auto drift = nft::check_drift(rs, config, services);
    if (out.format == cli::Format::json) cli::print_json(fw_status::check_json(drift), out);
    else if (out.format == cli::Format::prom) {
      cli::Metric m{"meshops_fw_check_findings", "Drift findings of fw-status --check, by severity", "gauge", {}};
      for (auto sev : {Exit::warning, Exit::critical}) {
        double n = 0;
        for (const auto& f : drift.findings) n += f.severity == sev ? 1 : 0;
        m.samples.push_back({{{"severity", sev == Exit::warning ? "warning" : "critical"}}, n});
      }
      cli::emit_prom({m}, common);
    } else cli::write_stdout(fw_status::check_text(drift, out));
    return drift.status();
  }
  auto zones = nft::analyse_zones(rs, config.firewall, services);
  std::string source = o.file.empty() ? "live" : o.file;
  switch (out.format) {
  case cli::Format::json: cli::print_json(fw_status::zones_json(rs, zones, source, o.rules), out); break;
  case cli::Format::prom: cli::emit_prom(fw_status::metrics(rs, zones), common); break;
  case cli::Format::text:
    cli::write_stdout(o.rules ? fw_status::rules_text(rs, out) : fw_status::zones_text(rs, zones, out));
    break;
  }
  return Exit::ok;
}

} // namespace

int main(int argc, char** argv) {
  cli::CommonOptions common;
  Options opts;
  cli::ToolInfo info{"fw-status", "Show the nftables firewall as security zones, answer \"can X reach P?\", check drift", false, true};
  return cli::tool_main(info, common, argc, argv, [&](CLI::App& app) { add_options(app, opts); },
                        [&] { return run(opts, common); });
}
