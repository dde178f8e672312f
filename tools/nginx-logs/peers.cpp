#include "peers.hpp"

#include "meshops/error.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace nginx_logs {
namespace {

std::string label_of(const meshops::tailscale::Peer& p, const meshops::tailscale::Status& s) {
  std::string who;
  for (const auto& t : p.tags) who += (who.empty() ? "" : ", ") + t;
  if (who.empty())
    if (auto u = s.users.find(p.user_id); u != s.users.end()) who = u->second.login_name;
  return who.empty() ? p.name() : fmt::format("{} ({})", p.name(), who);
}

} // namespace

PeerBook::PeerBook(const meshops::tailscale::Status& status) {
  auto add = [&](const meshops::tailscale::Peer& p, const std::vector<std::string>& ips) {
    const std::string label = label_of(p, status);
    for (const auto& ip : ips) labels_.emplace(ip, label);
    auto& mine = addresses_[p.name()];
    mine.insert(mine.end(), ips.begin(), ips.end());
  };
  add(status.self, status.tailscale_ips.empty() ? status.self.tailscale_ips : status.tailscale_ips);
  for (const auto& p : status.peers) add(p, p.tailscale_ips);
}

const std::string* PeerBook::label(std::string_view address) const {
  auto it = labels_.find(std::string(address));
  return it == labels_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* PeerBook::addresses(const std::string& name) const {
  auto it = addresses_.find(name);
  return it == addresses_.end() || it->second.empty() ? nullptr : &it->second;
}

PeerBook peer_book_for(const Options& o, bool by_peer, const meshops::cli::CommonOptions& c,
                       const meshops::config::Config& cfg) {
  if (o.peers.empty() && !by_peer) return {};
  try {
    meshops::tailscale::LocalApi api(meshops::tailscale::resolve_socket(c.socket, cfg.tailscale.socket), c.timeout());
    return PeerBook(api.status());
  } catch (const meshops::Error& e) {
    if (!o.peers.empty())
      throw meshops::Error(meshops::Exit::unknown, fmt::format("--peer needs tailscaled's status: {}", e.what()), e.hint());
    meshops::cli::warn(kTool, fmt::format("--by peer: {}: clients stay addresses", e.what()));
    return {};
  }
}

Options with_peer_clients(const Options& o, const PeerBook& book) {
  if (o.peers.empty()) return o;
  Options out = o;
  for (const auto& name : o.peers) {
    const auto* ips = book.addresses(name);
    if (!ips) throw meshops::Error(meshops::Exit::unknown, fmt::format("--peer {}: no node of the tailnet has that name", name));
    out.clients.insert(out.clients.end(), ips->begin(), ips->end());
  }
  return out;
}

void rows_by_peer(std::vector<meshops::nginx::TopRow>& rows, const PeerBook& book, std::size_t top) {
  std::vector<meshops::nginx::TopRow> merged;
  std::unordered_map<std::string, std::size_t> at;
  for (auto& r : rows) {
    const std::string* label = book.label(r.key);
    std::string key = label ? *label : r.key;
    auto [it, fresh] = at.emplace(key, merged.size());
    if (fresh) {
      r.key = std::move(key);
      if (label) r.bytes.clear();  // the label is ours and valid UTF-8, not nginx's bytes
      merged.push_back(std::move(r));
      continue;
    }
    auto& m = merged[it->second].stats;
    m.requests += r.stats.requests;
    m.bytes += r.stats.bytes;
    for (int i = 0; i < 6; ++i) m.classes[i] += r.stats.classes[i];
  }
  std::stable_sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) {
    return a.stats.requests != b.stats.requests ? a.stats.requests > b.stats.requests : a.key < b.key;
  });
  if (top && merged.size() > top) merged.resize(top);
  rows = std::move(merged);
}

} // namespace nginx_logs
