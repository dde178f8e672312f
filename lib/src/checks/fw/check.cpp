#include "meshops/checks/fw.hpp"

#include "meshops/nft/services.hpp"
#include "meshops/nft/session.hpp"
#include "meshops/sys/atomic_file.hpp"

namespace meshops::checks::fw {

nft::Ruleset load_ruleset(const std::string& file) {
  return nft::parse_ruleset(file.empty() ? nft::list_ruleset_json() : sys::read_file(file), file.empty() ? "live ruleset" : file);
}

Verdict judge(const nft::DriftReport& drift) {
  Verdict v;
  v.state = drift.status();
  for (auto severity : {Exit::critical, Exit::warning})
    for (const auto& f : drift.findings)
      if (f.severity == severity) v.reasons.push_back(f.message);
  return v;
}

Report collect(const std::string& file, const config::Config& config) {
  Report r;
  try {
    r.drift = nft::check_drift(load_ruleset(file), config, nft::Services::load());
  } catch (const Error& e) {
    r.verdict = Verdict::failed(e);
    r.error = e;
    return r;
  }
  r.verdict = judge(r.drift);
  return r;
}

} // namespace meshops::checks::fw
