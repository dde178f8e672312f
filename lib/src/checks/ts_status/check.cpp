#include "meshops/checks/ts_status.hpp"

#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace meshops::checks::ts_status {

using tailscale::Peer;
using tailscale::Status;

Report evaluate(Status status, std::optional<tailscale::Prefs> prefs, const Filters& f) {
  Report r;
  r.status = std::move(status);
  r.prefs = std::move(prefs);
  const Status& s = r.status;
  if (!f.peer.empty()) {
    const Peer* p = tailscale::find_peer(s, f.peer);
    if (!p) throw tailscale::no_such_peer(f.peer);
    r.peers.push_back(p);
    r.single = true;
  } else {
    for (const auto& p : s.peers) {
      if (f.online && !p.online) continue;
      if (f.offline && p.online) continue;
      if (!f.tag.empty() && std::find(p.tags.begin(), p.tags.end(), f.tag) == p.tags.end()) continue;
      if (f.exit_nodes && !p.exit_node_option && !p.exit_node) continue;
      r.peers.push_back(&p);
    }
  }

  Verdict& v = r.verdict;
  if (s.backend_state != "Running") {
    v.add(Exit::critical, fmt::format("backend state is {}", s.backend_state.empty() ? "unknown" : s.backend_state));
    return r;
  }
  if (!s.health.empty())
    v.add(Exit::warning, fmt::format("{} health warning{}", s.health.size(), s.health.size() == 1 ? "" : "s"));
  // Self.Online is tailscaled's "in the map poll": false while control cannot be reached. No
  // health warning says so; the peers' online states are then the last ones control sent. A
  // reply without Self says nothing about it.
  if (!s.self.public_key.empty() && !s.self.online)
    v.add(Exit::warning, "not connected to the coordination server: the peers known stay reachable, but key, ACL "
                         "and peer changes do not arrive and their online states are stale");
  // An exit node in use that is gone, or whose key expired, blackholes all of this node's exit traffic.
  const Peer* exit = tailscale::exit_node_peer(s);
  if (s.exit_node_status && !s.exit_node_status->online) {
    v.add(Exit::critical, fmt::format("exit node {} is offline: this node's exit traffic goes nowhere",
                                      exit ? exit->name() : s.exit_node_status->id));
  } else if (exit && exit->expired) {
    v.add(Exit::critical, fmt::format("exit node {}'s node key has expired: this node's exit traffic goes nowhere", exit->name()));
  } else if (!s.exit_node_status && r.prefs && !r.prefs->exit_node_id.empty()) {
    v.add(Exit::critical, fmt::format("exit node {} is not in the netmap: this node's exit traffic goes nowhere",
                                      r.prefs->exit_node_id));
  }
  if (r.single && !r.peers.front()->online) v.add(Exit::warning, fmt::format("peer {} is offline", r.peers.front()->name()));
  else if (r.single && r.peers.front()->expired)
    v.add(Exit::warning, fmt::format("peer {}'s node key has expired: the tailnet no longer routes to it", r.peers.front()->name()));
  if (!r.single && !s.peers.empty() &&
      std::none_of(s.peers.begin(), s.peers.end(), [](const Peer& p) { return p.online; }))
    v.add(Exit::warning, fmt::format("all {} peer{} offline: this node reaches no one", s.peers.size(),
                                     s.peers.size() == 1 ? " is" : "s are"));
  return r;
}

Report failed(const Error& e) {
  Report r;
  r.verdict = Verdict::failed(e);
  r.error = e;
  return r;
}

Report collect(const Options& o) {
  Report r;
  try {
    tailscale::LocalApi api(o.socket, o.timeout);
    auto [status, prefs] = api.status_and_prefs();
    r = evaluate(std::move(status), std::move(prefs), o.filters);
  } catch (const tailscale::LocalApiError& e) {
    auto f = failed(e);
    f.tailscaled_down = e.cause() == tailscale::LocalApiError::Cause::unreachable;
    return f;
  } catch (const Error& e) {
    return failed(e);
  }
  r.primary_exit_node = o.primary_exit_node;
  return r;
}

} // namespace meshops::checks::ts_status
