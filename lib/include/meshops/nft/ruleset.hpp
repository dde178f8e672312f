#pragma once
// The nftables ruleset as fw-status reasons about it, parsed from the JSON of
// `nft -j list ruleset` (libnftables' JSON schema 1). Pure: text in, values out.
//
// Notes on implementation: only what zone analysis and the --can evaluator need is modelled
// as typed matches (interfaces, addresses, l4 protocol, ports, ct state, mark, nfproto); any
// other match is kept as Field::other with its JSON rendered, so the evaluator can say it did
// not understand a rule instead of guessing silently.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <optional>
#include <utility>
#include <vector>

namespace meshops::nft {

/// A value on the right of a match or inside a set.
struct Value {
  enum class Kind { string, number, prefix, range, set, set_ref, other };
  Kind kind = Kind::other;
  std::string text;            ///< string, prefix address, set name (no '@'), or JSON for other
  std::uint64_t number = 0;    ///< Kind::number
  int prefix_len = 0;          ///< Kind::prefix
  std::vector<Value> items;    ///< Kind::range: {low, high}; Kind::set: the elements
};

/// A set of numbers (ports, marks) as sorted, disjoint [low, high] intervals, for a lookup in
/// log time: --check probes every port a set names, and scanning a set of 8,000 ports for each
/// was quadratic (named and anonymous sets alike). nullopt when an element is not a number or a range of numbers.
using NumberIndex = std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>>;

/// The NumberIndex of a set's elements.
NumberIndex index_numbers(const std::vector<Value>& elements);
/// Whether n is in the index.
bool index_contains(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& index, std::uint64_t n);

/// What a match looks at.
enum class Field { iifname, oifname, saddr, daddr, l4proto, sport, dport, ct_state, mark, nfproto, other };

/// One condition of a rule: `left op right`.
struct Match {
  Field field = Field::other;
  std::string proto;      ///< payload protocol: ip, ip6 (addresses), tcp, udp, th, ... (ports)
  std::string op = "==";  ///< ==, !=, in, <, >, <=, >=
  Value right;
  std::string left_text;  ///< as nft prints it: "iifname", "ip saddr", "tcp dport", "ct state"
  /// index_numbers(right.items) when right is an anonymous set (`tcp dport { 22, 80 }`), for
  /// the same log-time lookup a named set has; set by parse_ruleset and reindex.
  NumberIndex numbers;
};

enum class Verdict { none, accept, drop, reject, jump, goto_, return_, continue_, queue };

/// The name nft uses for a verdict ("accept", "goto", ...; "" for none).
std::string_view verdict_name(Verdict v);

struct Rule {
  std::uint64_t handle = 0;
  std::vector<Match> matches;
  Verdict verdict = Verdict::none;
  std::string target;             ///< chain of a jump or goto
  bool has_counter = false;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  bool log = false;
  std::string log_prefix;
  std::string comment;
  std::vector<std::string> other_statements;  ///< statement names we do not model (masquerade, mangle...)
};

struct Chain {
  std::string family;
  std::string table;
  std::string name;
  std::uint64_t handle = 0;
  std::string type;    ///< filter, nat, route; empty for a regular chain
  std::string hook;    ///< input, forward, ...; empty for a regular chain
  int priority = 0;
  std::string policy;  ///< accept or drop; empty for a regular chain
  std::vector<Rule> rules;

  bool is_base() const { return !hook.empty(); }
};

struct Set {
  std::string family;
  std::string table;
  std::string name;
  std::string type;
  std::vector<Value> elements;
  NumberIndex numbers;  ///< index_numbers(elements), set by parse_ruleset and reindex
};

struct Table {
  std::string family;
  std::string name;
};

/// A whole ruleset: tables, chains (with their rules, in order) and named sets.
class Ruleset {
public:
  std::vector<Table> tables;
  std::vector<Chain> chains;
  std::vector<Set> sets;

  /// The chain family/table/name, or nullptr.
  const Chain* find_chain(std::string_view family, std::string_view table, std::string_view name) const;
  /// The named set family/table/name, or nullptr.
  const Set* find_set(std::string_view family, std::string_view table, std::string_view name) const;
  /// Rebuilds the lookup indexes (chains, sets, the numbers of named and anonymous sets); call
  /// after changing chains or sets by hand.
  void reindex();
  /// Number of rules in all chains.
  std::size_t rule_count() const;

private:
  std::unordered_map<std::string, std::size_t> chain_index_;
  std::unordered_map<std::string, std::size_t> set_index_;
};

/// Parses the text of `nft -j list ruleset`. origin names the input in errors.
/// Throws meshops::Error (Exit::unknown): "ORIGIN:LINE:COLUMN: not valid JSON: ..." for a
/// syntax error or truncation, "ORIGIN: nftables[N].rule: ..." for a wrong shape.
Ruleset parse_ruleset(std::string_view text, const std::string& origin);

/// Builds the model from an already parsed document (same errors as parse_ruleset).
Ruleset ruleset_from_json(const nlohmann::json& doc, const std::string& origin);

/// A value as nft prints it: "22", "100.64.0.0/10", "{ 80, 443 }", "8000-8080", "@name".
std::string render_value(const Value& v);

/// A rule as one line of nft syntax (approximately), e.g. `iifname "tailscale0" jump zone_internal`.
std::string render_rule(const Rule& r);

} // namespace meshops::nft
