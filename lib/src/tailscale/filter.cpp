#include "meshops/tailscale/filter.hpp"

#include "meshops/sys/json.hpp"

#include "json_fields.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace meshops::tailscale {
namespace {

using json = nlohmann::json;
using detail::Fields;

json parse_array(std::string_view text) {
  json j;
  try {
    j = sys::parse_json(text);
  } catch (const sys::JsonError& e) {
    throw std::runtime_error(e.kind() == sys::JsonError::Kind::syntax ? std::string("not JSON") : e.reason());
  }
  if (j.is_null()) return json::array();
  if (!j.is_array()) throw std::runtime_error(fmt::format("(top level): expected an array, got {}", j.type_name()));
  return j;
}

// IPProto entries are numbers in tailscaled's JSON; names are accepted as ipproto does.
std::vector<int> protos(const Fields& f, const char* key) {
  std::vector<int> out;
  const auto& arr = f.child(key);
  if (arr.is_null()) return out;
  if (!arr.is_array()) f.fail(key, "an array", arr);
  for (const auto& p : arr) {
    if (p.is_number_integer() && p.get<std::int64_t>() >= 0 && p.get<std::int64_t>() <= 255) out.push_back(p.get<int>());
    else if (p.is_string() && proto_number(p.get<std::string>())) out.push_back(*proto_number(p.get<std::string>()));
    else f.fail(key, "protocol numbers", p);
  }
  return out;
}

PortRange ports_of(const Fields& f) {
  Fields p(f.child("Ports"), f.at("Ports"));
  auto first = p.integer("First"), last = p.integer("Last");
  if (first < 0 || last > 65535 || first > last) f.fail("Ports", "a range within 0-65535", f.child("Ports"));
  return {static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

// A DNS name at off in msg (labels, or a compression pointer); advances off past it.
std::string read_name(std::string_view msg, std::size_t& off) {
  std::string name;
  std::size_t pos = off;
  bool jumped = false;
  for (int hops = 0; hops < 64; ++hops) {
    if (pos >= msg.size()) throw std::runtime_error("DNS answer cut short in a name");
    auto len = static_cast<unsigned char>(msg[pos]);
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) throw std::runtime_error("DNS answer cut short in a name");
      if (!jumped) off = pos + 2;
      jumped = true;
      pos = ((len & 0x3F) << 8) | static_cast<unsigned char>(msg[pos + 1]);
      continue;
    }
    if (len == 0) {
      if (!jumped) off = pos + 1;
      return name.empty() ? "." : name;
    }
    if (pos + 1 + len > msg.size()) throw std::runtime_error("DNS answer cut short in a name");
    name.append(msg.substr(pos + 1, len)).push_back('.');
    pos += 1 + len;
  }
  throw std::runtime_error("DNS answer: name compression loops");
}

unsigned u16(std::string_view msg, std::size_t at) {
  if (at + 2 > msg.size()) throw std::runtime_error("DNS answer cut short");
  return (static_cast<unsigned char>(msg[at]) << 8) | static_cast<unsigned char>(msg[at + 1]);
}

std::string base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) throw std::runtime_error("Bytes: not base64");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

} // namespace

WhoIs parse_whois(std::string_view text) {
  auto j = detail::parse_object(text);
  Fields top(j, "");
  Fields node(top.child("Node"), "Node");
  Fields user(top.child("UserProfile"), "UserProfile");
  Fields hostinfo(node.child("Hostinfo"), "Node.Hostinfo");
  WhoIs w;
  w.node_id = node.str("StableID");
  w.name = node.str("Name");
  w.host_name = hostinfo.str("Hostname");
  w.addresses = node.strings("Addresses");
  w.tags = node.strings("Tags");
  if (node.has("Online")) w.online = node.boolean("Online");
  w.login_name = user.str("LoginName");
  const auto& caps = top.child("CapMap");
  if (caps.is_object())
    for (const auto& [k, v] : caps.items()) w.caps.push_back(k);
  else if (!caps.is_null())
    top.fail("CapMap", "an object", caps);
  return w;
}

std::string to_string(const PortRange& r) {
  if (r.first == 0 && r.last == 65535) return "*";
  if (r.first == r.last) return std::to_string(r.first);
  return fmt::format("{}-{}", r.first, r.last);
}

std::vector<FilterMatch> parse_filter_matches(std::string_view text) {
  std::vector<FilterMatch> out;
  auto arr = parse_array(text);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    Fields f(arr[i], fmt::format("[{}]", i));
    FilterMatch m;
    m.ip_proto = protos(f, "IPProto");
    m.srcs = f.strings("Srcs");
    m.src_caps = f.strings("SrcCaps");
    const auto& dsts = f.child("Dsts");
    if (!dsts.is_null() && !dsts.is_array()) f.fail("Dsts", "an array", dsts);
    for (std::size_t k = 0; dsts.is_array() && k < dsts.size(); ++k) {
      Fields d(dsts[k], f.at(fmt::format("Dsts[{}]", k)));
      m.dsts.push_back({d.str("Net"), ports_of(d)});
    }
    const auto& caps = f.child("Caps");
    for (std::size_t k = 0; caps.is_array() && k < caps.size(); ++k)
      m.caps.push_back(Fields(caps[k], f.at(fmt::format("Caps[{}]", k))).str("Cap"));
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<FilterRule> parse_filter_rules(std::string_view text) {
  std::vector<FilterRule> out;
  auto arr = parse_array(text);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    Fields f(arr[i], fmt::format("[{}]", i));
    FilterRule r;
    r.src_ips = f.strings("SrcIPs");
    r.ip_proto = protos(f, "IPProto");
    const auto& dsts = f.child("DstPorts");
    for (std::size_t k = 0; dsts.is_array() && k < dsts.size(); ++k) {
      Fields d(dsts[k], f.at(fmt::format("DstPorts[{}]", k)));
      r.dst_ports.push_back(fmt::format("{}:{}", d.str("IP"), to_string(ports_of(d))));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string proto_name(int proto) {
  switch (proto) {
  case 1: return "icmp";
  case 6: return "tcp";
  case 17: return "udp";
  case 58: return "ipv6-icmp";
  case 132: return "sctp";
  default: return std::to_string(proto);
  }
}

std::optional<int> proto_number(std::string_view name) {
  if (name == "icmp") return 1;
  if (name == "tcp") return 6;
  if (name == "udp") return 17;
  if (name == "ipv6-icmp" || name == "icmpv6") return 58;
  if (name == "sctp") return 132;
  return std::nullopt;
}

DnsAnswer parse_dns_query(std::string_view text) {
  auto j = detail::parse_object(text);
  Fields top(j, "");
  DnsAnswer a;
  const auto& resolvers = top.child("Resolvers");
  for (std::size_t i = 0; resolvers.is_array() && i < resolvers.size(); ++i)
    a.resolvers.push_back(Fields(resolvers[i], fmt::format("Resolvers[{}]", i)).str("Addr"));
  std::string msg = base64_decode(top.str("Bytes"));
  if (msg.size() < 12) throw std::runtime_error("DNS answer shorter than its header");
  a.rcode = static_cast<unsigned char>(msg[3]) & 0x0F;
  unsigned qd = u16(msg, 4), an = u16(msg, 6);
  std::size_t off = 12;
  for (unsigned i = 0; i < qd; ++i) {
    read_name(msg, off);
    off += 4;
  }
  for (unsigned i = 0; i < an; ++i) {
    read_name(msg, off);
    unsigned type = u16(msg, off), rdlen = u16(msg, off + 8);
    std::size_t rdata = off + 10;
    if (rdata + rdlen > msg.size()) throw std::runtime_error("DNS answer cut short in a record");
    if (type == 1 && rdlen == 4) {
      a.addresses.push_back(fmt::format("{}.{}.{}.{}", static_cast<unsigned char>(msg[rdata]), static_cast<unsigned char>(msg[rdata + 1]),
                                        static_cast<unsigned char>(msg[rdata + 2]), static_cast<unsigned char>(msg[rdata + 3])));
    } else if (type == 28 && rdlen == 16) {
      std::string s;
      for (int k = 0; k < 16; k += 2) s += fmt::format("{}{:x}", k ? ":" : "", u16(msg, rdata + k));
      a.addresses.push_back(s);
    } else if (type == 5) {
      std::size_t at = rdata;
      a.cnames.push_back(read_name(msg, at));
    }
    off = rdata + rdlen;
  }
  return a;
}

std::string rcode_name(int rcode) {
  switch (rcode) {
  case 0: return "NOERROR";
  case 1: return "FORMERR";
  case 2: return "SERVFAIL";
  case 3: return "NXDOMAIN";
  case 5: return "REFUSED";
  default: return fmt::format("RCODE {}", rcode);
  }
}

} // namespace meshops::tailscale
