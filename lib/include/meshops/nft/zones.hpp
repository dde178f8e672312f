#pragma once
// The ruleset read as the security zones of the config (DESIGN.md: dmz, internal, admin,
// isolated): which chain implements each zone, what leads to it, what it accepts, where it
// falls through to, and its counters. Tailscale's own chains are recognised separately.
#include "meshops/config/config.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nft/services.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshops::nft {

/// Packets and bytes counted by rules, split by what the rule did.
struct Counters {
  std::uint64_t accepted_packets = 0;
  std::uint64_t accepted_bytes = 0;
  std::uint64_t dropped_packets = 0;  ///< drop and reject
  std::uint64_t dropped_bytes = 0;
};

/// A port or an inclusive range of ports a zone accepts, with its service name when known.
struct PortRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  std::string service;  ///< from /etc/services; empty when unknown or a range
};

struct ZoneView {
  std::string name;
  bool found = false;    ///< a chain for the zone exists in the ruleset
  std::string family;    ///< of the zone's chain
  std::string table;
  std::string chain;
  std::vector<std::string> interfaces;  ///< iifname conditions of the rules that lead here ("any" when none)
  std::vector<std::string> sources;     ///< saddr conditions of the rules that lead here
  std::vector<PortRange> tcp;           ///< TCP ports an accept rule of the chain names
  std::vector<PortRange> udp;
  bool accepts_all = false;             ///< an accept rule without a port condition
  std::string falls_through;            ///< e.g. "drop", "return to inet meshops input", "policy drop of ..."
  Counters counters;
  std::size_t rules = 0;
};

/// One of tailscaled's chains (ts-input, ts-forward, ts-postrouting) and the base chains that
/// jump to it.
struct TailscaleChainView {
  std::string family;
  std::string table;
  std::string chain;
  std::vector<std::string> hooked_from;  ///< "INPUT (hook input, priority 0)"
  std::size_t rules = 0;
  Counters counters;
};

/// A base chain on the input hook: what no zone takes ends here, in its final drop rule or its
/// policy, so its own counters are where a dropped peer shows up.
struct BaseChainView {
  std::string family;
  std::string table;
  std::string chain;
  int priority = 0;
  std::string policy;
  Counters counters;  ///< of the chain's own rules (not of the chains it jumps to)
  /// Its last rule when that drops or rejects every packet reaching it (`counter drop`).
  std::optional<Rule> final_drop;
  /// "drop (last rule)", "policy drop (not counted)", "policy accept": where a packet no rule
  /// decided goes. nft keeps no counter for a policy.
  std::string falls_through;
};

struct ZoneReport {
  std::vector<ZoneView> zones;
  std::vector<TailscaleChainView> tailscale;
  std::vector<BaseChainView> input_chains;  ///< base chains on the input hook, kernel order per family
};

/// The counters of a chain's own rules (not of the chains it jumps to), by verdict.
Counters own_counters(const Chain& chain);

/// The chain's last rule when it has no condition and drops or rejects: everything that
/// reaches it ends there.
const Rule* final_drop(const Chain& chain);

/// Whether a chain name is one tailscaled manages.
bool is_tailscale_chain(std::string_view name);

/// Finds each zone of firewall.zones in ruleset (the zone's `chain`, else `zone_<name>`, else
/// `<name>`, in any table); with no zones configured, every chain named zone_* is a zone.
ZoneReport analyse_zones(const Ruleset& ruleset, const config::Firewall& firewall, const Services& services);

/// Ports as text: "22 (ssh), 80-90"; "all" when accepts_all and nothing listed.
std::string render_ports(const std::vector<PortRange>& ports);

} // namespace meshops::nft
