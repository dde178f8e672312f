// --check: the declared intent (nginx.services.<name>.allowFrom) against the walks.
#include "meshops/checks/reach.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace meshops::checks::reach {

bool declared(const std::vector<std::string>& allow_from, const Source& src, const Facts& facts) {
  if (!src.peer) return false;
  const auto& p = *src.peer;
  std::string login;
  if (auto w = facts.whois.find(src.address); w != facts.whois.end() && w->second.value) login = w->second.value->login_name;
  for (const auto& who : allow_from) {
    if (who.rfind("tag:", 0) == 0) {
      if (std::find(p.tags.begin(), p.tags.end(), who) != p.tags.end()) return true;
    } else if (who.find('@') != std::string::npos) {
      std::string user = who.back() == '@' ? who.substr(0, who.size() - 1) : who;
      if (p.tags.empty() && !login.empty() && login == user) return true;
    } else if (who == p.name() || who == p.host_name || who == src.address) {
      return true;
    }
  }
  return false;
}

std::vector<IntentFinding> check_intent(const std::vector<Report>& reports, const Facts& facts, const config::Config& cfg) {
  std::vector<IntentFinding> out;
  for (const auto& r : reports) {
    auto svc = cfg.nginx.services.find(r.target.service);
    if (svc == cfg.nginx.services.end() || !svc->second.allow_from) continue;
    bool want = declared(*svc->second.allow_from, r.source, facts);
    IntentFinding f{r.source.text, r.target.service, Exit::ok, ""};
    if (r.state == Exit::unknown) {
      f.severity = Exit::unknown;
      f.what = fmt::format("cannot tell whether {} reaches {}: {}", r.source.text, r.target.service, r.conclusion);
    } else if (r.state != Exit::critical && !want) {
      f.severity = Exit::critical;
      f.what = fmt::format("{} reaches {} but its allowFrom does not list it", r.source.text, r.target.service);
    } else if (r.state == Exit::critical && want) {
      f.severity = Exit::warning;
      f.what = fmt::format("{} is declared for {} but {}", r.source.text, r.target.service, r.conclusion);
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace meshops::checks::reach
