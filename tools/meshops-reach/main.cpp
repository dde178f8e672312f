// meshops-reach: can this peer reach that service here, and if not, which layer stops it.
// Runs on the host that serves TARGET; walks SRC's connection through the source, name,
// tailnet policy, host firewall, proxy and upstream layers (lib/checks/reach).
#include "view.hpp"

#include "meshops/checks/reach.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/sys/atomic_file.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

namespace {

using meshops::Error;
using meshops::Exit;
namespace cli = meshops::cli;
namespace reach = meshops::checks::reach;

struct Options {
  std::string src;
  std::string target;
  std::string iif;
  bool matrix = false;
  bool check = false;
  std::string policy;
  std::vector<std::string> peers;
};

void add_options(CLI::App& app, Options& f) {
  app.add_option("SRC", f.src, "A peer (name, MagicDNS name, tailnet IP or node ID), or an address with --iif")->type_name("PEER|ADDR");
  app.add_option("TARGET", f.target, "A declared service (nginx.services), a URL, or PROTO/PORT on this host");
  app.add_option("--iif", f.iif, "The interface SRC's connection arrives on (a LAN client: eth0)")->type_name("IFACE");
  auto* matrix = app.add_flag("--matrix", f.matrix, "Every peer (or --peer) against every declared service");
  auto* check = app.add_flag("--check", f.check, "Each service's allowFrom against the matrix, both ways");
  auto* policy = app.add_option("--policy", f.policy, "Run the tests block of a policy file (HuJSON) against this node's filter")
                     ->type_name("FILE");
  app.add_option("--peer", f.peers, "With --matrix or --check: only these peers")->type_name("PEER")->delimiter(',');
  matrix->excludes(check)->excludes(policy);
  check->excludes(policy);
}

std::string host_label(const meshops::tailscale::Status& st) {
  auto dot = st.self.dns_name.find('.');
  return dot == std::string::npos ? st.self.host_name : st.self.dns_name.substr(0, dot);
}

std::vector<reach::Source> peers_of(const Options& f, const meshops::tailscale::Status& st) {
  std::vector<reach::Source> out;
  if (f.peers.empty())
    for (const auto& p : st.peers) out.push_back(reach::resolve_source(p.name(), "", st));
  for (const auto& p : f.peers) out.push_back(reach::resolve_source(p, f.iif, st));
  return out;
}

Exit run(const Options& f, const cli::CommonOptions& common) {
  const auto& out = common.output;
  bool many = f.matrix || f.check;
  if (!many && f.policy.empty() && (f.src.empty() || f.target.empty()))
    throw Error(Exit::usage, "SRC and TARGET are needed (or --matrix, --check, --policy FILE)", "e.g. meshops-reach laptop ollama");
  if ((many || !f.policy.empty()) && !f.target.empty())
    throw Error(Exit::usage, "--matrix, --check and --policy take no TARGET");
  if (common.wants_result() && !f.check)
    throw Error(Exit::usage, "--prom and --plugin are for --check (its findings are what an alert needs)");
  auto cfg = meshops::config::load(common.config_path);
  meshops::tailscale::PolicyFile policy;
  if (!f.policy.empty()) policy = meshops::tailscale::parse_policy(meshops::sys::read_file(f.policy), f.policy);

  reach::CollectOptions opt{meshops::tailscale::resolve_socket(common.socket, cfg.tailscale.socket), common.timeout()};
  reach::Facts facts;
  reach::collect_status(facts, opt);
  if (!facts.status.value) throw Error(Exit::unknown, facts.status.error, facts.status.hint);
  const auto& st = *facts.status.value;
  std::string self = cfg.tailscale.hostname.empty() ? host_label(st) : cfg.tailscale.hostname;
  std::string suffix = st.magic_dns_suffix.empty() ? cfg.tailscale.tailnet_domain : st.magic_dns_suffix;

  if (!f.policy.empty()) {
    auto sources = peers_of(f, st);
    reach::collect_facts(facts, sources, {}, cfg, opt);
    if (!facts.filter.value) throw Error(Exit::unknown, facts.filter.error, facts.filter.hint);
    auto results = reach::run_policy_tests(policy, facts);
    auto state = reach::policy_tests_state(results);
    if (out.format == cli::Format::json) cli::print_json(meshops_reach::to_json(results, state, f.policy), out);
    else cli::write_stdout(meshops_reach::to_text(results, state, out));
    return state;
  }

  std::vector<reach::Source> sources;
  std::vector<reach::Target> targets;
  if (many) {
    sources = f.src.empty() ? peers_of(f, st) : std::vector<reach::Source>{reach::resolve_source(f.src, f.iif, st)};
    for (const auto& [name, svc] : cfg.nginx.services)
      if (!f.check || svc.allow_from) targets.push_back(reach::parse_target(name, cfg, self, suffix));
    if (targets.empty())
      throw Error(Exit::unknown, fmt::format("{} declares no nginx.services{}", cfg.origin, f.check ? " with allowFrom" : ""));
  } else {
    sources.push_back(reach::resolve_source(f.src, f.iif, st));
    targets.push_back(reach::parse_target(f.target, cfg, self, suffix));
  }
  reach::collect_facts(facts, sources, targets, cfg, opt);
  std::vector<reach::Report> reports;
  Exit state = Exit::ok;
  for (const auto& s : sources)
    for (const auto& t : targets) {
      reports.push_back(reach::walk(s, t, facts, cfg));
      state = meshops::worst(state, reports.back().state);
    }

  if (f.check) {
    auto findings = reach::check_intent(reports, facts, cfg);
    auto verdict = meshops_reach::to_verdict(findings);
    const Exit cs = verdict.state;
    cli::emit(common, verdict,
              {[&] { cli::print_json(meshops_reach::to_json(findings, reports, cs), out); },
               [&] { cli::write_stdout(meshops_reach::to_text(findings, reports, cs, out)); },
               [&] { return meshops_reach::to_prom(findings, reports); },
               [&] { return meshops_reach::ok_text(reports); }});
    return cs;
  }
  if (f.matrix) {
    if (out.format == cli::Format::json) cli::print_json(meshops_reach::to_json(reports, state), out);
    else cli::write_stdout(meshops_reach::to_text(reports, out));
    return state;
  }
  if (out.format == cli::Format::json) cli::print_json(meshops_reach::to_json(reports.front()), out);
  else cli::write_stdout(meshops_reach::to_text(reports.front(), out, common.verbose > 0));
  return reports.front().state;
}

// Every exit state prints its JSON document: a walk that cannot start says why in it too.
Exit run_reporting(const Options& f, const cli::CommonOptions& common) {
  try {
    return run(f, common);
  } catch (const Error& e) {
    if (e.code() != Exit::usage && common.output.format == cli::Format::json) {
      nlohmann::ordered_json j;
      j["schema"] = "meshops/meshops-reach/1";
      j["status"] = meshops::exit_name(e.code());
      j["error"] = e.what();
      j["hint"] = e.hint();
      cli::print_json(j, common.output);
    }
    throw;
  }
}

} // namespace

int main(int argc, char** argv) {
  cli::CommonOptions common;
  Options flags;
  cli::ToolInfo info{"meshops-reach", "Walk a peer's connection to a service through every layer and name the one that stops it",
                     /*socket=*/true, /*prom=*/true};
  return cli::tool_main(info, common, argc, argv, [&](CLI::App& app) { add_options(app, flags); },
                        [&] { return run_reporting(flags, common); });
}
