#pragma once
// fw-status's views of the model: text tables, JSON documents, Prometheus metrics. Pure.
#include "meshops/cli/output.hpp"
#include "meshops/cli/plugin.hpp"
#include "meshops/cli/prom.hpp"
#include "meshops/error.hpp"
#include "meshops/nft/drift.hpp"
#include "meshops/nft/evaluate.hpp"
#include "meshops/nft/zones.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fw_status {

using meshops::nft::DriftReport;
using meshops::nft::Evaluation;
using meshops::nft::Packet;
using meshops::nft::Ruleset;
using meshops::nft::ZoneReport;

/// The zones view: schema, counts, zones, tailscale chains, base chains (and rules when asked).
nlohmann::json zones_json(const Ruleset& rs, const ZoneReport& zr, const std::string& source, bool with_rules);
std::string zones_text(const Ruleset& rs, const ZoneReport& zr, const meshops::cli::Output& out);
/// Every chain with its rules, as text.
std::string rules_text(const Ruleset& rs, const meshops::cli::Output& out);

/// How the --can question was put, beyond the packet: names it was asked with.
struct CanQuery {
  std::string peer;          ///< SRC as given when it was a peer name (resolved to the packet's saddr)
  std::string service;       ///< PORT as given when it was a service name
  bool iif_assumed = false;  ///< no --iif: tailscale0 assumed for a tailnet source
};

nlohmann::json can_json(const Packet& p, const Evaluation& ev, const CanQuery& q);
std::string can_text(const Packet& p, const Evaluation& ev, const CanQuery& q, const meshops::cli::Output& out);

nlohmann::json check_json(const DriftReport& d);
/// The --check document of a run that could not check (status unknown, the error and its hint).
nlohmann::json check_failed_json(const meshops::Error& e);
std::string check_text(const DriftReport& d, const meshops::cli::Output& out);
/// Drift findings by severity.
std::vector<meshops::cli::Metric> check_metrics(const DriftReport& d);
/// For --plugin: "ruleset matches the declared zones (N probes)", a reason per finding, critical first.
meshops::cli::Summary check_summary(const DriftReport& d);

/// Per zone and per chain counters, rule and table counts.
std::vector<meshops::cli::Metric> metrics(const Ruleset& rs, const ZoneReport& zr);

} // namespace fw_status
