#include "meshops/nft/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace meshops::nft {
namespace {

enum class Tri { no, yes, unknown };

/// What a match compares against: a name (interface, ct state, family), a number or an address.
struct Datum {
  enum class Kind { text, number, addr } kind = Kind::text;
  std::string text;
  std::uint64_t number = 0;
  IpAddr addr;
  bool interface_name = false;  ///< values may end in a '*' wildcard
};

std::optional<std::uint64_t> protocol_number(const std::string& name) {
  static const std::map<std::string, std::uint64_t> kProtocols{
      {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50}, {"ah", 51},
      {"ipv6-icmp", 58}, {"icmpv6", 58}, {"sctp", 132}, {"udplite", 136}, {"dccp", 33}};
  auto it = kProtocols.find(name);
  if (it == kProtocols.end()) return std::nullopt;
  return it->second;
}

bool interface_matches(const std::string& pattern, const std::string& name) {
  // nft's JSON writes a wildcard as a trailing '*' and a literal star as "\*".
  if (!pattern.empty() && pattern.back() == '*' && (pattern.size() < 2 || pattern[pattern.size() - 2] != '\\'))
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  std::string literal;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    literal += pattern[i];
  }
  return literal == name;
}

class Evaluator {
public:
  Evaluator(const Ruleset& rs, const Packet& p, Evaluation& out) : rs_(rs), p_(p), out_(out) {}

  /// Runs one base chain: accept, drop or reject, and the rule that said so.
  ChainResult run_base(const Chain& base) {
    ChainResult res;
    res.family = base.family;
    res.table = base.table;
    res.chain = base.name;
    res.priority = base.priority;
    // Where to resume after a jump, and how long the path was then.
    struct Frame {
      const Chain* chain;
      std::size_t next, path_len;
    };
    std::vector<Frame> stack;
    // The chains entered since the base chain and not yet returned from, by jump or goto. The
    // kernel refuses a ruleset whose jumps and gotos loop; a saved or edited file can still
    // hold one, and a goto takes no stack frame, so the 16-frame cap alone never ends it.
    std::vector<const Chain*> path{&base};
    const Chain* chain = &base;
    std::size_t i = 0;
    while (true) {
      if (i >= chain->rules.size()) {
        // End of a chain: back to the caller of a jump, or the base chain's policy.
        if (stack.empty()) {
          res.verdict = base.policy == "drop" ? Verdict::drop : Verdict::accept;
          res.by_policy = true;
          return res;
        }
        chain = stack.back().chain;
        i = stack.back().next;
        path.resize(stack.back().path_len);
        stack.pop_back();
        continue;
      }
      const Rule& rule = chain->rules[i++];
      if (!rule_matches(*chain, rule)) continue;
      for (const auto& st : rule.other_statements)
        if (st == "vmap")
          out_.notes.push_back(fmt::format("{}: verdict map not evaluated, rule treated as having no verdict", where(*chain, rule)));
      switch (rule.verdict) {
      case Verdict::accept:
      case Verdict::drop:
      case Verdict::reject:
      case Verdict::queue:
        res.verdict = rule.verdict == Verdict::queue ? Verdict::accept : rule.verdict;
        res.rule = RuleRef{chain->family, chain->table, chain->name, rule.handle, &rule};
        if (rule.verdict == Verdict::queue) out_.notes.push_back(fmt::format("{}: queue verdict treated as accept", where(*chain, rule)));
        return res;
      case Verdict::jump:
      case Verdict::goto_: {
        const Chain* target = rs_.find_chain(chain->family, chain->table, rule.target);
        if (!target) {
          out_.notes.push_back(fmt::format("{}: target chain {} not found, rule skipped", where(*chain, rule), rule.target));
          continue;
        }
        // The kernel's jump stack holds 16 frames; a deeper (or looping) ruleset is refused.
        if (stack.size() >= 16) {
          out_.notes.push_back(fmt::format("{}: jump stack deeper than 16, treated as drop", where(*chain, rule)));
          res.verdict = Verdict::drop;
          res.rule = RuleRef{chain->family, chain->table, chain->name, rule.handle, &rule};
          return res;
        }
        if (std::find(path.begin(), path.end(), target) != path.end()) {
          out_.notes.push_back(fmt::format("{}: {} to chain {} loops (the kernel refuses such a ruleset), treated as drop",
                                           where(*chain, rule), verdict_name(rule.verdict), rule.target));
          res.verdict = Verdict::drop;
          res.rule = RuleRef{chain->family, chain->table, chain->name, rule.handle, &rule};
          return res;
        }
        if (rule.verdict == Verdict::jump) stack.push_back({chain, i, path.size()});
        path.push_back(target);
        chain = target;
        i = 0;
        break;
      }
      case Verdict::return_:
        i = chain->rules.size();  // ends this chain: the caller resumes, or the policy applies
        break;
      case Verdict::continue_:
      case Verdict::none:
        break;
      }
    }
  }

private:
  std::string where(const Chain& c, const Rule& r) const {
    return fmt::format("{} {} {} handle {}", c.family, c.table, c.name, r.handle);
  }

  bool rule_matches(const Chain& chain, const Rule& rule) {
    for (const auto& m : rule.matches) {
      Tri t = match(chain, m);
      if (t == Tri::no) return false;
      if (t == Tri::unknown) {
        out_.notes.push_back(fmt::format("{}: cannot evaluate \"{}\", assumed not to match", where(chain, rule), m.left_text));
        return false;
      }
    }
    return true;
  }

  Tri match(const Chain& chain, const Match& m) {
    Datum d;
    switch (m.field) {
    case Field::iifname:
      if (p_.iifname.empty()) return Tri::unknown;
      d.text = p_.iifname;
      d.interface_name = true;
      break;
    case Field::oifname:
      d.text = "";  // no output interface on the input hook
      d.interface_name = true;
      break;
    case Field::saddr:
    case Field::daddr: {
      int want = m.proto == "ip6" ? 6 : 4;
      if (p_.saddr.version != want) return Tri::no;  // the payload is not there: the rule fails
      if (m.field == Field::daddr && !p_.daddr) return Tri::unknown;
      d.kind = Datum::Kind::addr;
      d.addr = m.field == Field::saddr ? p_.saddr : *p_.daddr;
      break;
    }
    case Field::l4proto: {
      if (m.proto == "ip" && p_.saddr.version != 4) return Tri::no;
      if (m.proto == "ip6" && p_.saddr.version != 6) return Tri::no;
      auto n = protocol_number(p_.l4proto);
      if (!n) return Tri::unknown;
      d.kind = Datum::Kind::number;
      d.number = *n;
      break;
    }
    case Field::dport:
    case Field::sport: {
      bool has_ports = p_.l4proto == "tcp" || p_.l4proto == "udp" || p_.l4proto == "sctp" || p_.l4proto == "dccp";
      if (m.proto == "th" ? !has_ports : m.proto != p_.l4proto) return Tri::no;
      d.kind = Datum::Kind::number;
      d.number = m.field == Field::dport ? p_.dport : p_.sport;
      break;
    }
    case Field::ct_state:
      d.text = p_.ct_state;
      break;
    case Field::mark:
      d.kind = Datum::Kind::number;
      d.number = p_.mark;
      break;
    case Field::nfproto:
      d.text = p_.saddr.version == 4 ? "ipv4" : "ipv6";
      break;
    case Field::other:
      return Tri::unknown;
    }
    Tri in = m.numbers && d.kind == Datum::Kind::number ? (index_contains(*m.numbers, d.number) ? Tri::yes : Tri::no)
                                                         : contains(chain, m.right, d, m.field);
    if (in == Tri::unknown) return in;
    bool yes = in == Tri::yes;
    if (m.op == "==" || m.op == "in") return yes ? Tri::yes : Tri::no;
    if (m.op == "!=") return yes ? Tri::no : Tri::yes;
    if (d.kind == Datum::Kind::number && m.right.kind == Value::Kind::number) {
      auto a = d.number, b = m.right.number;
      bool r = m.op == "<" ? a < b : m.op == ">" ? a > b : m.op == "<=" ? a <= b : m.op == ">=" ? a >= b : false;
      if (m.op == "<" || m.op == ">" || m.op == "<=" || m.op == ">=") return r ? Tri::yes : Tri::no;
    }
    return Tri::unknown;
  }

  /// Whether value v (a scalar, prefix, range, set or named set) contains datum d.
  Tri contains(const Chain& chain, const Value& v, const Datum& d, Field field) {
    switch (v.kind) {
    case Value::Kind::string:
      if (d.kind == Datum::Kind::addr) {
        auto a = IpAddr::parse(v.text);
        return a ? (*a == d.addr ? Tri::yes : Tri::no) : Tri::unknown;
      }
      if (d.kind == Datum::Kind::number) {
        auto n = field == Field::l4proto ? protocol_number(v.text) : std::nullopt;
        return n ? (*n == d.number ? Tri::yes : Tri::no) : Tri::unknown;
      }
      if (d.interface_name) return interface_matches(v.text, d.text) ? Tri::yes : Tri::no;
      if (field == Field::nfproto) {
        // meta protocol spells the families "ip"/"ip6".
        std::string t = v.text == "ip" ? "ipv4" : v.text == "ip6" ? "ipv6" : v.text;
        return t == d.text ? Tri::yes : Tri::no;
      }
      return v.text == d.text ? Tri::yes : Tri::no;
    case Value::Kind::number:
      return d.kind == Datum::Kind::number ? (v.number == d.number ? Tri::yes : Tri::no) : Tri::unknown;
    case Value::Kind::prefix: {
      auto net = IpAddr::parse(v.text);
      if (!net || d.kind != Datum::Kind::addr) return Tri::unknown;
      return in_prefix(d.addr, *net, v.prefix_len) ? Tri::yes : Tri::no;
    }
    case Value::Kind::range: {
      if (v.items.size() != 2) return Tri::unknown;
      const Value &lo = v.items[0], &hi = v.items[1];
      if (d.kind == Datum::Kind::number && lo.kind == Value::Kind::number && hi.kind == Value::Kind::number)
        return lo.number <= d.number && d.number <= hi.number ? Tri::yes : Tri::no;
      if (d.kind == Datum::Kind::addr) {
        auto a = IpAddr::parse(lo.text), b = IpAddr::parse(hi.text);
        if (!a || !b) return Tri::unknown;
        return compare(*a, d.addr) <= 0 && compare(d.addr, *b) <= 0 ? Tri::yes : Tri::no;
      }
      return Tri::unknown;
    }
    case Value::Kind::set:
      return any_of(chain, v.items, d, field);
    case Value::Kind::set_ref: {
      const Set* s = rs_.find_set(chain.family, chain.table, v.text);
      if (!s) return Tri::unknown;
      if (s->numbers && d.kind == Datum::Kind::number) return index_contains(*s->numbers, d.number) ? Tri::yes : Tri::no;
      return any_of(chain, s->elements, d, field);
    }
    case Value::Kind::other: break;
    }
    return Tri::unknown;
  }

  Tri any_of(const Chain& chain, const std::vector<Value>& items, const Datum& d, Field field) {
    bool unknown = false;
    for (const auto& item : items) {
      Tri t = contains(chain, item, d, field);
      if (t == Tri::yes) return Tri::yes;
      if (t == Tri::unknown) unknown = true;
    }
    return unknown ? Tri::unknown : Tri::no;
  }

  const Ruleset& rs_;
  const Packet& p_;
  Evaluation& out_;
};

} // namespace

std::vector<const Chain*> base_chains(const Ruleset& ruleset, const std::string& hook, int ip_version) {
  std::vector<const Chain*> out;
  for (const auto& c : ruleset.chains) {
    if (c.hook != hook) continue;
    bool sees = c.family == "inet" || (ip_version == 4 && c.family == "ip") || (ip_version == 6 && c.family == "ip6");
    if (sees) out.push_back(&c);
  }
  std::stable_sort(out.begin(), out.end(), [](const Chain* a, const Chain* b) { return a->priority < b->priority; });
  return out;
}

Evaluation evaluate(const Ruleset& ruleset, const Packet& packet, const std::string& hook) {
  Evaluation ev;
  Evaluator walker(ruleset, packet, ev);
  std::optional<ChainResult> mattered, last_explicit;
  for (const Chain* base : base_chains(ruleset, hook, packet.saddr.version)) {
    ChainResult r = walker.run_base(*base);
    ev.chains.push_back(r);
    if (r.verdict != Verdict::accept) {
      ev.verdict = r.verdict;
      ev.decided_by = r.rule;
      ev.decided_in = r;
      return ev;
    }
    if (r.rule) {
      last_explicit = r;
      if (base->policy == "drop" && !mattered) mattered = r;
    }
  }
  ev.verdict = Verdict::accept;
  if (auto& pick = mattered ? mattered : last_explicit) {
    ev.decided_by = pick->rule;
    ev.decided_in = pick;
  }
  return ev;
}

} // namespace meshops::nft
