// ts-status: tailnet state — this node, peers, routes, exit node, health — as a table, JSON
// (meshops/ts-status/1), tailscaled's own JSON (--raw) or Prometheus text. The check itself
// is meshops::checks::ts_status; this is flags -> collect -> render.
#include "view.hpp"

#include "meshops/checks/ts_status.hpp"
#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/tailscale/localapi.hpp"


int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  checks::ts_status::Options opts;
  auto& filters = opts.filters;
  bool raw = false;
  bool complete_peers = false;

  return cli::tool_main(
      {"ts-status", "Show the tailnet: this node, peers, routes, exit node and health", /*socket=*/true, /*prom=*/true},
      common, argc, argv,
      [&](CLI::App& app) {
        app.add_option("--peer", filters.peer, "Show one peer in detail (name, MagicDNS name, IP or node ID)")
            ->type_name("PEER");
        auto* online = app.add_flag("--online", filters.online, "Only online peers");
        auto* offline = app.add_flag("--offline", filters.offline, "Only offline peers");
        online->excludes(offline);
        app.add_option("--tag", filters.tag, "Only peers with this ACL tag")->type_name("TAG");
        app.add_flag("--exit-nodes", filters.exit_nodes, "Only peers offering to be an exit node");
        app.add_flag("--raw", raw, "Print tailscaled's own /status JSON untouched")
            ->excludes(app.get_option("--prom"))
            ->excludes(app.get_option("--prom-file"))
            ->excludes(app.get_option("--plugin"));
        // Hidden (no group): what the shell completions of every tool offer for a PEER value.
        app.add_flag("--complete-peers", complete_peers, "Print the peers' names, one a line")->group("");
      },
      [&]() -> Exit {
        auto cfg = config::load(common.config_path);
        opts.socket = tailscale::resolve_socket(common.socket, cfg.tailscale.socket);
        opts.timeout = common.timeout();
        if (complete_peers || raw) {
          tailscale::LocalApi api(opts.socket, opts.timeout);
          cli::write_stdout(complete_peers ? ts_status::completion_names(api.status()) : api.get("status"));
          return Exit::ok;
        }
        if (!cfg.monitoring.exit_nodes.empty()) opts.primary_exit_node = cfg.monitoring.exit_nodes.front();
        auto report = checks::ts_status::collect(opts);
        // Every state ends in the whole document: a run that could not check says why in it.
        return cli::emit_check(common, report.verdict,
                               {[&] { cli::print_json(ts_status::to_json(report), common.output); },
                                [&] { cli::write_stdout(ts_status::to_text(report, common.output)); },
                                [&] { return ts_status::to_prom(report); },
                                [&] { return ts_status::ok_text(report); }},
                               report.error);
      });
}
