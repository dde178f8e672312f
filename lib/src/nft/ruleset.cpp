#include "meshops/nft/ruleset.hpp"

#include "meshops/error.hpp"
#include "meshops/sys/json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <limits>

namespace meshops::nft {
namespace {

using json = nlohmann::json;

std::string key_of(std::string_view family, std::string_view table, std::string_view name) {
  std::string k;
  k.reserve(family.size() + table.size() + name.size() + 2);
  k.append(family).push_back('\0');
  k.append(table).push_back('\0');
  k.append(name);
  return k;
}

/// Where in the document we are, for error messages: "nftables[12].rule".
struct Place {
  const std::string& origin;
  std::string path;
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(Exit::unknown, fmt::format("{}: {}: {}", origin, path, what));
  }
};

const json& member(const json& obj, const char* key, const Place& at) {
  auto it = obj.find(key);
  if (it == obj.end()) at.fail(fmt::format("missing \"{}\"", key));
  return *it;
}

std::string string_member(const json& obj, const char* key, const Place& at) {
  const json& v = member(obj, key, at);
  if (!v.is_string()) at.fail(fmt::format("\"{}\" must be a string", key));
  return v.get<std::string>();
}

std::string optional_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::uint64_t optional_u64(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

// The checked forms, for the fields fw-status reasons with (handles, priority, policy, hook):
// a value of the wrong type there would silently change a verdict, so it is an error naming
// the field, as nft itself never writes one.
[[noreturn]] void wrong_type(const json& v, const char* key, const char* expected, const Place& at) {
  Place{at.origin, fmt::format("{}.{}", at.path, key)}.fail(fmt::format("expected {}, got {}", expected, v.type_name()));
}

std::string checked_string(const json& obj, const char* key, const Place& at) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_string()) wrong_type(*it, key, "a string", at);
  return it->get<std::string>();
}

std::uint64_t checked_u64(const json& obj, const char* key, const Place& at) {
  auto it = obj.find(key);
  if (it == obj.end()) return 0;
  if (!it->is_number_unsigned()) wrong_type(*it, key, "an unsigned integer", at);
  return it->get<std::uint64_t>();
}

int checked_int(const json& obj, const char* key, const Place& at) {
  auto it = obj.find(key);
  if (it == obj.end()) return 0;
  if (!it->is_number_integer()) wrong_type(*it, key, "an integer", at);
  auto v = it->get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    Place{at.origin, fmt::format("{}.{}", at.path, key)}.fail(fmt::format("{} is out of range", v));
  return static_cast<int>(v);
}

Value value_from(const json& j, const Place& at) {
  Value v;
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (!s.empty() && s[0] == '@') {
      v.kind = Value::Kind::set_ref;
      v.text = s.substr(1);
    } else {
      v.kind = Value::Kind::string;
      v.text = s;
    }
  } else if (j.is_number_unsigned() || j.is_number_integer()) {
    v.kind = Value::Kind::number;
    v.number = j.is_number_unsigned() ? j.get<std::uint64_t>() : static_cast<std::uint64_t>(j.get<std::int64_t>());
  } else if (j.is_array()) {
    // ct state in {a, b} is printed as a plain array.
    v.kind = Value::Kind::set;
    for (const auto& e : j) v.items.push_back(value_from(e, at));
  } else if (j.is_object() && j.size() == 1) {
    auto first = j.begin();
    const std::string& k = first.key();
    const json& body = first.value();
    if (k == "prefix" && body.is_object() && body.contains("addr") && body["addr"].is_string()) {
      v.kind = Value::Kind::prefix;
      v.text = body["addr"].get<std::string>();
      // An IPv6 prefix is at most 128 bits; anything else (1e30, "24") is no prefix nft wrote.
      auto len = body.find("len");
      if (len == body.end()) Place{at.origin, at.path + ".prefix"}.fail("missing \"len\"");
      v.prefix_len = static_cast<int>(sys::json_integer(*len, fmt::format("{}: {}.prefix.len", at.origin, at.path), 0, 128));
    } else if (k == "range" && body.is_array() && body.size() == 2) {
      v.kind = Value::Kind::range;
      v.items = {value_from(body[0], at), value_from(body[1], at)};
    } else if (k == "set") {
      v.kind = Value::Kind::set;
      if (body.is_array())
        for (const auto& e : body) v.items.push_back(value_from(e, at));
      else
        v.items.push_back(value_from(body, at));
    } else if (k == "elem" && body.is_object() && body.contains("val")) {
      return value_from(body["val"], at);  // set element with its own counter or timeout
    } else {
      v.text = j.dump();
    }
  } else {
    v.text = j.dump();
  }
  return v;
}

Match match_from(const json& m, const Place& at) {
  Match out;
  out.op = optional_string(m, "op");
  if (out.op.empty()) out.op = "==";
  const json& left = member(m, "left", at);
  out.right = value_from(member(m, "right", at), at);
  out.field = Field::other;
  if (left.is_object() && left.size() == 1) {
    auto first = left.begin();
    const std::string& kind = first.key();
    const json& body = first.value();
    if (kind == "meta" && body.is_object()) {
      auto key = optional_string(body, "key");
      out.left_text = key == "iifname" || key == "oifname" || key == "iif" || key == "oif" ? key : "meta " + key;
      if (key == "iifname" || key == "iif") out.field = Field::iifname;
      else if (key == "oifname" || key == "oif") out.field = Field::oifname;
      else if (key == "l4proto") out.field = Field::l4proto;
      else if (key == "mark") out.field = Field::mark;
      else if (key == "nfproto") out.field = Field::nfproto;
    } else if (kind == "payload" && body.is_object()) {
      out.proto = optional_string(body, "protocol");
      auto field = optional_string(body, "field");
      out.left_text = out.proto + " " + field;
      if (field == "saddr" && (out.proto == "ip" || out.proto == "ip6")) out.field = Field::saddr;
      else if (field == "daddr" && (out.proto == "ip" || out.proto == "ip6")) out.field = Field::daddr;
      else if ((field == "protocol" && out.proto == "ip") || (field == "nexthdr" && out.proto == "ip6")) out.field = Field::l4proto;
      else if (field == "dport") out.field = Field::dport;
      else if (field == "sport") out.field = Field::sport;
      if (out.left_text == " ") out.left_text = left.dump();
    } else if (kind == "ct" && body.is_object()) {
      auto key = optional_string(body, "key");
      out.left_text = "ct " + key;
      if (key == "state") out.field = Field::ct_state;
    }
  }
  if (out.left_text.empty()) out.left_text = left.dump();
  return out;
}

void add_statement(Rule& r, const json& stmt, const Place& at) {
  if (!stmt.is_object() || stmt.size() != 1) at.fail("each expr must be an object with one key");
  auto first = stmt.begin();
  const std::string& kind = first.key();
  const json& body = first.value();
  if (kind == "match") {
    if (!body.is_object()) at.fail("\"match\" must be an object");
    r.matches.push_back(match_from(body, at));
  } else if (kind == "accept") r.verdict = Verdict::accept;
  else if (kind == "drop") r.verdict = Verdict::drop;
  else if (kind == "reject") r.verdict = Verdict::reject;
  else if (kind == "return") r.verdict = Verdict::return_;
  else if (kind == "continue") r.verdict = Verdict::continue_;
  else if (kind == "queue") r.verdict = Verdict::queue;
  else if (kind == "jump" || kind == "goto") {
    r.verdict = kind == "jump" ? Verdict::jump : Verdict::goto_;
    if (!body.is_object()) at.fail(fmt::format("\"{}\" must be an object with a target", kind));
    r.target = string_member(body, "target", at);
  } else if (kind == "counter") {
    r.has_counter = true;
    if (body.is_object()) {
      r.packets = optional_u64(body, "packets");
      r.bytes = optional_u64(body, "bytes");
    }
  } else if (kind == "log") {
    r.log = true;
    if (body.is_object()) r.log_prefix = optional_string(body, "prefix");
  } else {
    r.other_statements.push_back(kind);
  }
}

void add_rule(Ruleset& rs, std::unordered_map<std::string, std::size_t>& chains, const json& body, const Place& at) {
  auto family = string_member(body, "family", at);
  auto table = string_member(body, "table", at);
  auto chain = string_member(body, "chain", at);
  auto it = chains.find(key_of(family, table, chain));
  if (it == chains.end()) at.fail(fmt::format("rule of unknown chain {} {} {}", family, table, chain));
  Rule r;
  r.handle = checked_u64(body, "handle", at);
  r.comment = checked_string(body, "comment", at);
  const json& expr = member(body, "expr", at);
  if (!expr.is_array()) at.fail("\"expr\" must be an array");
  for (const auto& stmt : expr) add_statement(r, stmt, at);
  rs.chains[it->second].rules.push_back(std::move(r));
}

} // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
  case Verdict::accept: return "accept";
  case Verdict::drop: return "drop";
  case Verdict::reject: return "reject";
  case Verdict::jump: return "jump";
  case Verdict::goto_: return "goto";
  case Verdict::return_: return "return";
  case Verdict::continue_: return "continue";
  case Verdict::queue: return "queue";
  case Verdict::none: break;
  }
  return "";
}

const Chain* Ruleset::find_chain(std::string_view family, std::string_view table, std::string_view name) const {
  auto it = chain_index_.find(key_of(family, table, name));
  return it == chain_index_.end() ? nullptr : &chains[it->second];
}

const Set* Ruleset::find_set(std::string_view family, std::string_view table, std::string_view name) const {
  auto it = set_index_.find(key_of(family, table, name));
  return it == set_index_.end() ? nullptr : &sets[it->second];
}

NumberIndex index_numbers(const std::vector<Value>& elements) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  out.reserve(elements.size());
  for (const auto& e : elements) {
    if (e.kind == Value::Kind::number) {
      out.emplace_back(e.number, e.number);
    } else if (e.kind == Value::Kind::range && e.items.size() == 2 && e.items[0].kind == Value::Kind::number &&
               e.items[1].kind == Value::Kind::number) {
      if (e.items[0].number <= e.items[1].number) out.emplace_back(e.items[0].number, e.items[1].number);
    } else {
      return std::nullopt;
    }
  }
  std::sort(out.begin(), out.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& iv : out) {
    if (!merged.empty() && iv.first <= merged.back().second) merged.back().second = std::max(merged.back().second, iv.second);
    else merged.push_back(iv);
  }
  return merged;
}

bool index_contains(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& index, std::uint64_t n) {
  // The first interval starting after n; the one before it is the only one that can hold n.
  auto it = std::upper_bound(index.begin(), index.end(), n, [](std::uint64_t x, const auto& iv) { return x < iv.first; });
  return it != index.begin() && std::prev(it)->second >= n;
}

void Ruleset::reindex() {
  chain_index_.clear();
  set_index_.clear();
  for (auto& s : sets) s.numbers = index_numbers(s.elements);
  for (auto& c : chains)
    for (auto& r : c.rules)
      for (auto& m : r.matches)
        m.numbers = m.right.kind == Value::Kind::set ? index_numbers(m.right.items) : std::nullopt;
  for (std::size_t i = 0; i < chains.size(); ++i)
    chain_index_[key_of(chains[i].family, chains[i].table, chains[i].name)] = i;
  for (std::size_t i = 0; i < sets.size(); ++i) set_index_[key_of(sets[i].family, sets[i].table, sets[i].name)] = i;
}

std::size_t Ruleset::rule_count() const {
  std::size_t n = 0;
  for (const auto& c : chains) n += c.rules.size();
  return n;
}

Ruleset ruleset_from_json(const json& doc, const std::string& origin) {
  Place top{origin, "top level"};
  if (!doc.is_object()) top.fail("expected an object with \"nftables\"");
  const json& items = member(doc, "nftables", top);
  if (!items.is_array()) top.fail("\"nftables\" must be an array");

  Ruleset rs;
  std::unordered_map<std::string, std::size_t> chains;
  std::size_t i = 0;
  for (const auto& item : items) {
    if (!item.is_object() || item.size() != 1)
      Place{origin, fmt::format("nftables[{}]", i)}.fail("expected an object with one key");
    auto first = item.begin();
    const std::string& kind = first.key();
    const json& body = first.value();
    Place at{origin, fmt::format("nftables[{}].{}", i, kind)};
    if (kind != "metainfo" && !body.is_object()) at.fail("expected an object");
    if (kind == "table") {
      rs.tables.push_back({string_member(body, "family", at), string_member(body, "name", at)});
    } else if (kind == "chain") {
      Chain c;
      c.family = string_member(body, "family", at);
      c.table = string_member(body, "table", at);
      c.name = string_member(body, "name", at);
      c.handle = checked_u64(body, "handle", at);
      c.type = checked_string(body, "type", at);
      c.hook = checked_string(body, "hook", at);
      c.policy = checked_string(body, "policy", at);
      c.priority = checked_int(body, "prio", at);
      if (c.is_base() && c.policy.empty()) c.policy = "accept";
      chains.emplace(key_of(c.family, c.table, c.name), rs.chains.size());
      rs.chains.push_back(std::move(c));
    } else if (kind == "rule") {
      add_rule(rs, chains, body, at);
    } else if (kind == "set" || kind == "map") {
      Set s;
      s.family = string_member(body, "family", at);
      s.table = string_member(body, "table", at);
      s.name = string_member(body, "name", at);
      if (auto t = body.find("type"); t != body.end()) s.type = t->is_string() ? t->get<std::string>() : t->dump();
      if (auto e = body.find("elem"); e != body.end() && e->is_array())
        for (const auto& el : *e) s.elements.push_back(value_from(el, at));
      rs.sets.push_back(std::move(s));
    }
    ++i;
  }
  rs.reindex();
  return rs;
}

Ruleset parse_ruleset(std::string_view text, const std::string& origin) {
  json doc = sys::parse_json(text, origin);
  return ruleset_from_json(doc, origin);
}

std::string render_value(const Value& v) {
  switch (v.kind) {
  case Value::Kind::string: return v.text;
  case Value::Kind::number: return std::to_string(v.number);
  case Value::Kind::prefix: return fmt::format("{}/{}", v.text, v.prefix_len);
  case Value::Kind::range:
    return v.items.size() == 2 ? render_value(v.items[0]) + "-" + render_value(v.items[1]) : "?";
  case Value::Kind::set_ref: return "@" + v.text;
  case Value::Kind::set: {
    std::string s = "{ ";
    for (std::size_t i = 0; i < v.items.size(); ++i) s += (i ? ", " : "") + render_value(v.items[i]);
    return s + " }";
  }
  case Value::Kind::other: break;
  }
  return v.text;
}

std::string render_rule(const Rule& r) {
  std::string s;
  auto add = [&s](std::string_view part) {
    if (!s.empty()) s += ' ';
    s += part;
  };
  for (const auto& m : r.matches) {
    std::string right = render_value(m.right);
    if (m.right.kind == Value::Kind::string && (m.field == Field::iifname || m.field == Field::oifname))
      right = "\"" + right + "\"";
    if (m.op == "==" || m.op == "in") add(fmt::format("{} {}", m.left_text, right));
    else add(fmt::format("{} {} {}", m.left_text, m.op, right));
  }
  if (r.has_counter) add("counter");
  if (r.log) add(r.log_prefix.empty() ? std::string("log") : fmt::format("log prefix \"{}\"", r.log_prefix));
  for (const auto& o : r.other_statements) add(o);
  if (r.verdict != Verdict::none) add(verdict_name(r.verdict));
  if (!r.target.empty()) add(r.target);
  if (!r.comment.empty()) add(fmt::format("comment \"{}\"", r.comment));
  return s;
}

} // namespace meshops::nft
