#pragma once
// fw-status --check: the zones the config declares against the nftables ruleset as it is (the
// live one, or a saved `nft -j list ruleset`). The verdict: the worst finding's severity (an
// open port no zone declares, a declared one closed, a missing zone, ...), UNKNOWN when the
// ruleset cannot be read (CAP_NET_ADMIN missing: with its hint). tools/fw-status and
// meshops-health render this report.
#include "meshops/checks/verdict.hpp"
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nft/drift.hpp"
#include "meshops/nft/ruleset.hpp"

#include <optional>
#include <string>

namespace meshops::checks::fw {

/// The ruleset: the saved `nft -j list ruleset` in file, or the live one when file is empty.
/// Throws meshops::Error (UNKNOWN) when it cannot be read or parsed.
nft::Ruleset load_ruleset(const std::string& file);

struct Report {
  nft::DriftReport drift;
  Verdict verdict;  ///< the drift's severity; reasons: the findings, critical first
  /// Set when the ruleset or the config's zones could not be read: the verdict is the error's.
  std::optional<Error> error;
};

/// The verdict of a drift report: ok without findings, else the worst severity.
Verdict judge(const nft::DriftReport& drift);

/// Compares config.firewall with the ruleset (load_ruleset(file)). Never throws meshops::Error:
/// a failure is the report's.
Report collect(const std::string& file, const config::Config& config);

} // namespace meshops::checks::fw
