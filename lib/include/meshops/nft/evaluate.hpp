#pragma once
// "Can X reach P?": one new connection evaluated the way the kernel walks it through the
// ruleset. Every base chain on the hook, in all tables whose family sees the packet (ip or ip6,
// and inet), runs in priority order; jump/goto/return and named sets are followed; an accept
// ends only its own base chain, while a drop or reject in any base chain is final.
#include "meshops/nft/ip_addr.hpp"
#include "meshops/nft/ruleset.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshops::nft {

/// The first packet of a connection, as far as the ruleset can see it.
struct Packet {
  IpAddr saddr;
  std::optional<IpAddr> daddr;  ///< unknown unless given: rules on daddr are then not evaluated
  std::string iifname;          ///< input interface; empty: unknown
  std::string l4proto = "tcp";  ///< tcp, udp, icmp, ...
  std::uint16_t dport = 0;
  std::uint16_t sport = 40000;
  std::string ct_state = "new";
  std::uint32_t mark = 0;
};

/// A rule as the result names it; it points into the evaluated ruleset, valid while that lives.
struct RuleRef {
  std::string family;
  std::string table;
  std::string chain;
  std::uint64_t handle = 0;
  const Rule* rule = nullptr;
  /// render_rule() of it, made when asked: --check evaluates thousands of packets and shows
  /// none of their rules, and a rule with a set of 8,000 ports renders to 48 KB.
  std::string text() const { return rule ? render_rule(*rule) : std::string(); }
};

/// What one base chain did with the packet.
struct ChainResult {
  std::string family;
  std::string table;
  std::string chain;
  int priority = 0;
  Verdict verdict = Verdict::accept;  ///< accept, drop or reject
  bool by_policy = false;             ///< the chain's policy decided, no rule did
  std::optional<RuleRef> rule;        ///< the rule that gave the verdict
};

struct Evaluation {
  Verdict verdict = Verdict::accept;   ///< accept, drop or reject
  /// The rule that decided: the drop/reject rule; for an accept, the accepting rule of the
  /// base chain whose policy is drop (the accept that mattered), else the last explicit accept;
  /// nullopt when policies alone let the packet through or dropped it.
  std::optional<RuleRef> decided_by;
  std::optional<ChainResult> decided_in;  ///< the base chain that decided (also for a policy drop)
  std::vector<ChainResult> chains;        ///< every base chain that ran, in order
  std::vector<std::string> notes;         ///< rules we could not evaluate (assumed not to match)
};

/// Evaluates packet on hook ("input" for --can) through every base chain of ruleset.
Evaluation evaluate(const Ruleset& ruleset, const Packet& packet, const std::string& hook = "input");
/// The result points into the ruleset (RuleRef::rule): a temporary one would leave it dangling.
Evaluation evaluate(Ruleset&& ruleset, const Packet& packet, const std::string& hook = "input") = delete;

/// The base chains on hook whose family sees IP version `ip_version`, in the order the kernel
/// runs them (priority, then the order they were listed).
std::vector<const Chain*> base_chains(const Ruleset& ruleset, const std::string& hook, int ip_version);

} // namespace meshops::nft
