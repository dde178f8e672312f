#pragma once
// Clients by tailnet identity (--by peer, --peer NAME): who 100.64.0.7 is, from one LocalAPI
// status call of this host's tailscaled, looked up per distinct client, never per line.
#include "commands.hpp"

#include "meshops/cli/tool.hpp"
#include "meshops/config/config.hpp"
#include "meshops/nginx/log_aggregate.hpp"
#include "meshops/tailscale/status.hpp"

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nginx_logs {

/// The tailnet's nodes (this one and its peers) by address and by name.
class PeerBook {
public:
  PeerBook() = default;
  explicit PeerBook(const meshops::tailscale::Status& status);

  /// "laptop (alice@example.com)" or "server (tag:server)" for a tailnet address of a node,
  /// nullptr for any other address.
  const std::string* label(std::string_view address) const;
  /// The tailnet addresses of the node called name (its DNS label or host name), empty when
  /// no node has that name.
  const std::vector<std::string>* addresses(const std::string& name) const;

private:
  std::unordered_map<std::string, std::string> labels_;
  std::map<std::string, std::vector<std::string>> addresses_;
};

/// The book --peer and (when by_peer) --by peer need, from one status call of this host's
/// tailscaled (the --socket, $TS_SOCKET, tailscale.socket of the config); empty when neither
/// asks. Without tailscaled, --peer cannot filter: meshops::Error (unknown) "--peer needs
/// tailscaled's status: ..."; --by peer alone says so once and its clients stay addresses.
PeerBook peer_book_for(const Options& o, bool by_peer, const meshops::cli::CommonOptions& c,
                       const meshops::config::Config& cfg);

/// o with the addresses of every --peer, looked up in book, added to its --client filter.
/// Throws meshops::Error (unknown) for a name that is no node of the tailnet.
Options with_peer_clients(const Options& o, const PeerBook& book);

/// Rows by client become rows by peer: a tailnet address becomes its node's label (a node's
/// IPv4 and IPv6 rows add up), any other address stays; then sorted by requests and cut to top.
void rows_by_peer(std::vector<meshops::nginx::TopRow>& rows, const PeerBook& book, std::size_t top);

} // namespace nginx_logs
