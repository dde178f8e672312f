// fw-status: the nftables firewall as security zones, with live counters, "can X reach P?",
// and drift from the zones declared in the config. See man/fw-status.1.
#include "view.hpp"
#include "watch.hpp"

#include "meshops/checks/fw.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <functional>

namespace {

using fw_status::CanQuery;
using meshops::Error;
using meshops::Exit;
namespace nft = meshops::nft;
namespace cli = meshops::cli;

// tailscaled's TUN device, where a tailnet source's packets arrive.
constexpr const char* kTailscaleInterface = "tailscale0";

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
  auto* can = app.add_option("--can", o.can,
                             "Can a new connection from SRC (address or peer name) reach PROTO/PORT (port or service: tcp/5432, tcp/ssh)?")
                  ->option_text("SRC PROTO/PORT")
                  ->expected(2);
  app.add_option("--iif", o.iif, "Input interface of the --can connection (default tailscale0 for a tailnet source)")->type_name("IFACE");
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

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

/// The --can port: a number, or a service name of /etc/services for the protocol.
std::uint16_t can_port(const std::string& pp, const std::string& proto, const std::string& text, const nft::Services& services) {
  if (all_digits(text)) {
    if (text.size() > 5 || std::stoi(text) < 1 || std::stoi(text) > 65535)
      throw Error(Exit::usage, fmt::format("--can: \"{}\" needs a port from 1 to 65535", pp));
    return static_cast<std::uint16_t>(std::stoi(text));
  }
  if (auto port = services.port(text, proto)) return *port;
  throw Error(Exit::usage, fmt::format("--can: \"{}\": \"{}\" is neither a port nor a {} service of /etc/services", pp, text, proto));
}

/// Whether s can be a peer's name (a DNS name or node ID), not a mistyped address.
bool peer_name_like(const std::string& s) {
  if (s.empty() || s.find(':') != std::string::npos || s.find_first_not_of("0123456789.") == std::string::npos) return false;
  return s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == std::string::npos;
}

/// The --can packet. SRC is an address, else a peer name resolved through tailscaled
/// (resolve_peer, called last: a usage error or an address needs no tailscaled).
nft::Packet can_packet(const Options& o, const nft::Services& services, const std::function<nft::IpAddr(const std::string&)>& resolve_peer,
                       CanQuery& q) {
  nft::Packet p;
  const std::string& pp = o.can[1];
  auto slash = pp.find('/');
  p.l4proto = pp.substr(0, slash);
  if (p.l4proto != "tcp" && p.l4proto != "udp")
    throw Error(Exit::usage, fmt::format("--can: \"{}\" is not PROTO/PORT with PROTO tcp or udp", pp));
  if (slash == std::string::npos) throw Error(Exit::usage, fmt::format("--can: \"{}\" has no /PORT", pp));
  const std::string port = pp.substr(slash + 1);
  p.dport = can_port(pp, p.l4proto, port, services);
  if (!all_digits(port)) q.service = port;
  auto src = nft::IpAddr::parse(o.can[0]);
  if (!src && !peer_name_like(o.can[0]))
    throw Error(Exit::usage, fmt::format("--can: \"{}\" is neither an IPv4 or IPv6 address nor a peer name", o.can[0]));
  if (!o.dst.empty()) {
    p.daddr = nft::IpAddr::parse(o.dst);
    if (!p.daddr) throw Error(Exit::usage, fmt::format("--dst: \"{}\" is not an IP address", o.dst));
  }
  if (src) {
    p.saddr = *src;
  } else {
    p.saddr = resolve_peer(o.can[0]);
    q.peer = o.can[0];
  }
  p.iifname = o.iif;
  // A tailnet address arrives through tailscaled's TUN: without --iif, say so rather than
  // leave every iifname rule unevaluated.
  if (p.iifname.empty() && is_tailnet_address(p.saddr)) {
    p.iifname = kTailscaleInterface;
    q.iif_assumed = true;
  }
  return p;
}

Exit run(const Options& o, const cli::CommonOptions& common) {
  const auto& out = common.output;
  if (o.watch_s > 0 && common.wants_result())
    throw Error(Exit::usage, "--watch prints rates as a table or NDJSON (--json), not Prometheus metrics",
                "scrape fw-status --prom (or --prom-file from a timer) for counters");
  if (!o.can.empty() && common.wants_result())
    throw Error(Exit::usage, "--can answers one question, it has no metrics", "drop --prom/--prom-file/--plugin");
  auto config = meshops::config::load(common.config_path);
  auto services = nft::Services::load();

  if (!o.can.empty()) {
    fw_status::CanQuery q;
    auto resolve_peer = [&](const std::string& name) {
      meshops::tailscale::LocalApi api(meshops::tailscale::resolve_socket(common.socket, config.tailscale.socket), common.timeout());
      auto status = api.status();
      const auto* peer = meshops::tailscale::find_peer(status, name);
      if (!peer) throw meshops::tailscale::no_such_peer(name);
      // IPv4 first: the address a peer's connection to this host comes from by default.
      for (const auto& ip : peer->tailscale_ips)
        if (auto a = nft::IpAddr::parse(ip); a && a->version == 4) return *a;
      for (const auto& ip : peer->tailscale_ips)
        if (auto a = nft::IpAddr::parse(ip)) return *a;
      throw Error(Exit::unknown, fmt::format("--can: peer {} has no Tailscale address", name));
    };
    auto packet = can_packet(o, services, resolve_peer, q);  // usage errors before touching the ruleset
    const auto ruleset = meshops::checks::fw::load_ruleset(o.file);  // ev's rules point into it
    auto ev = nft::evaluate(ruleset, packet);
    if (out.format == cli::Format::json) cli::print_json(fw_status::to_json(packet, ev, q), out);
    else cli::write_stdout(fw_status::to_text(packet, ev, q, out));
    // The answer is in the exit status too, for `fw-status --can ... && ...`: 1 is "no".
    return ev.verdict == nft::Verdict::accept ? Exit::ok : Exit::warning;
  }
  if (o.watch_s > 0) {
    fw_status::watch({o.watch_s, o.count}, out, [&] { return nft::analyse_zones(meshops::checks::fw::load_ruleset(o.file), config.firewall, services); });
    return Exit::ok;
  }
  if (o.check) {
    auto report = meshops::checks::fw::collect(o.file, config);
    return cli::emit_check(common, report.verdict,
                           {[&] { cli::print_json(fw_status::to_json(report), out); },
                            [&] { cli::write_stdout(fw_status::to_text(report, out)); },
                            [&] { return fw_status::to_prom(report); },
                            [&] { return fw_status::ok_text(report); }},
                           report.error);
  }
  auto rs = meshops::checks::fw::load_ruleset(o.file);
  auto zones = nft::analyse_zones(rs, config.firewall, services);
  std::string source = o.file.empty() ? "live" : o.file;
  cli::emit(common, {},
            {[&] { cli::print_json(fw_status::to_json(rs, zones, source, o.rules), out); },
             [&] { cli::write_stdout(o.rules ? fw_status::to_text(rs, out) : fw_status::to_text(rs, zones, out)); },
             [&] { return fw_status::to_prom(rs, zones); }});
  return Exit::ok;
}

} // namespace

int main(int argc, char** argv) {
  cli::CommonOptions common;
  Options opts;
  cli::ToolInfo info{"fw-status", "Show the nftables firewall as security zones, answer \"can X reach P?\", check drift",
                     /*socket=*/true, /*prom=*/true, /*follows=*/true};
  return cli::tool_main(info, common, argc, argv, [&](CLI::App& app) { add_options(app, opts); }, [&] {
    try {
      return run(opts, common);
    } catch (const Error& e) {
      // --check is a check: UNKNOWN before it ran (no config) still prints its document, for
      // whatever reads the JSON; the error is also reported as every tool does.
      if (opts.check && e.code() == Exit::unknown && common.output.format == cli::Format::json && !cli::stdout_written()) {
        fw_status::CheckReport failed;
        failed.verdict = meshops::checks::Verdict::failed(e);
        failed.error = e;
        cli::print_json(fw_status::to_json(failed), common.output);
      }
      throw;
    }
  });
}
