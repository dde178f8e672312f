// A policy file's tests block against this node's live packet filter.
#include "meshops/checks/reach.hpp"

#include "ips.hpp"
#include "tailnet_filter.hpp"

#include "meshops/nft/ip_addr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace meshops::checks::reach {
namespace {

std::string alias(const tailscale::PolicyFile& p, const std::string& name) {
  for (const auto& [k, v] : p.hosts)
    if (k == name) return v.substr(0, v.find('/'));
  return "";
}

std::string login_of(const Facts& f, const std::string& ip) {
  auto w = f.whois.find(ip);
  return w != f.whois.end() && w->second.value ? w->second.value->login_name : "";
}

// Does `who` (a tag, user@, alias or IP) name the node with these tags and addresses?
bool names(const std::string& who, const std::vector<std::string>& tags, const std::vector<std::string>& ips,
           const std::string& login, const tailscale::PolicyFile& p) {
  if (who.rfind("tag:", 0) == 0) return std::find(tags.begin(), tags.end(), who) != tags.end();
  if (!who.empty() && who.back() == '@') return tags.empty() && login == who.substr(0, who.size() - 1);
  if (who.find('@') != std::string::npos) return tags.empty() && login == who;
  std::string ip = nft::IpAddr::parse(who) ? who : alias(p, who);
  return !ip.empty() && std::find(ips.begin(), ips.end(), ip) != ips.end();
}

} // namespace

std::vector<PolicyTestResult> run_policy_tests(const tailscale::PolicyFile& policy, const Facts& facts) {
  std::vector<PolicyTestResult> out;
  const auto& st = *facts.status.value;
  const std::string self_ip = first_v4(st.self.tailscale_ips);
  const std::string self_login = login_of(facts, self_ip);
  for (const auto& t : policy.tests) {
    std::vector<std::string> srcs;
    if (nft::IpAddr::parse(t.src)) srcs.push_back(t.src);
    for (const auto& p : st.peers)
      if (!nft::IpAddr::parse(t.src) && names(t.src, p.tags, p.tailscale_ips, login_of(facts, first_v4(p.tailscale_ips)), policy))
        srcs.push_back(first_v4(p.tailscale_ips));
    int proto = tailscale::proto_number(t.proto.empty() ? "tcp" : t.proto).value_or(6);
    for (const auto* list : {&t.accept, &t.deny})
      for (const auto& dst : *list) {
        PolicyTestResult r;
        r.line = t.line;
        r.src = t.src;
        r.expect = list == &t.accept ? "accept" : "deny";
        r.dst = dst;
        auto colon = dst.rfind(':');
        int port = 0;
        if (colon != std::string::npos) std::from_chars(dst.data() + colon + 1, dst.data() + dst.size(), port);
        std::string host = colon == std::string::npos ? dst : dst.substr(0, colon);
        if (port < 1 || port > 65535) {
          r.reason = "the destination needs HOST:PORT with one port";
          out.push_back(r);
          continue;
        }
        if (!names(host, st.self.tags, st.self.tailscale_ips, self_login, policy)) {
          r.reason = "not this node: its own filter decides";
          out.push_back(r);
          continue;
        }
        if (srcs.empty()) {
          r.reason = fmt::format("no peer of this node is {}", t.src);
          out.push_back(r);
          continue;
        }
        for (const auto& src : srcs) {
          PolicyTestResult one = r;
          one.source_ip = src;
          bool allowed = evaluate_filter(*facts.filter.value, src, self_ip, proto, port).match.has_value();
          bool want = r.expect == "accept";
          one.verdict = allowed == want ? LayerVerdict::pass : LayerVerdict::block;
          one.reason = fmt::format("{} {} {}/{}: {}", src, allowed ? "may reach" : "may not reach", tailscale::proto_name(proto), port,
                                   allowed == want ? "as expected" : fmt::format("expected {}", r.expect));
          out.push_back(one);
        }
      }
  }
  return out;
}

Exit policy_tests_state(const std::vector<PolicyTestResult>& results) {
  bool ran = false;
  for (const auto& r : results) {
    if (r.verdict == LayerVerdict::block) return Exit::critical;
    ran = ran || r.verdict == LayerVerdict::pass;
  }
  return ran ? Exit::ok : Exit::unknown;
}

} // namespace meshops::checks::reach
