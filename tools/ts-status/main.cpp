// ts-status: tailnet state — this node, peers, routes, exit node, health — as a table, JSON
// (meshops/ts-status/1), tailscaled's own JSON (--raw) or Prometheus text.
#include "view.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/tailscale/localapi.hpp"


int main(int argc, char** argv) {
  using namespace meshops;
  cli::CommonOptions common;
  ts_status::Filters filters;
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
        tailscale::LocalApi api(tailscale::resolve_socket(common.socket, cfg.tailscale.socket), common.timeout());
        if (complete_peers) {
          cli::write_stdout(ts_status::completion_names(api.status()));
          return Exit::ok;
        }
        if (raw) {
          cli::write_stdout(api.get("status"));
          return Exit::ok;
        }
        ts_status::View view;
        try {
          auto [status, prefs] = api.status_and_prefs();
          view = ts_status::make_view(std::move(status), std::move(prefs), filters);
        } catch (const Error& e) {
          // Every state ends in the whole document; the error also goes to stderr (tool_main),
          // which writes --prom-file's failure metrics itself.
          if (common.output.format == cli::Format::json)
            cli::print_json(ts_status::to_json(ts_status::failed_view(e)), common.output);
          throw;
        }
        if (!cfg.monitoring.exit_nodes.empty()) view.primary_exit_node = cfg.monitoring.exit_nodes.front();
        cli::emit(common, view.code,
                  {[&] { cli::print_json(ts_status::to_json(view), common.output); },
                   [&] { cli::write_stdout(ts_status::to_text(view, common.output)); },
                   [&] { return ts_status::to_prom(view); },
                   [&] { return ts_status::to_summary(view); }});
        return view.code;
      });
}
