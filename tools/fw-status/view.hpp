#pragma once
// fw-status's views of the model: text tables, JSON documents (schema first), Prometheus
// metrics. Pure. The --check report is meshops/checks/fw.hpp's.
#include "meshops/checks/fw.hpp"
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
nlohmann::ordered_json to_json(const Ruleset& rs, const ZoneReport& zr, const std::string& source, bool with_rules);
std::string to_text(const Ruleset& rs, const ZoneReport& zr, const meshops::cli::Output& out);
/// Every chain with its rules, as text.
std::string to_text(const Ruleset& rs, const meshops::cli::Output& out);

/// How the --can question was put, beyond the packet: names it was asked with.
struct CanQuery {
  std::string peer;          ///< SRC as given when it was a peer name (resolved to the packet's saddr)
  std::string service;       ///< PORT as given when it was a service name
  bool iif_assumed = false;  ///< no --iif: tailscale0 assumed for a tailnet source
};

nlohmann::ordered_json to_json(const Packet& p, const Evaluation& ev, const CanQuery& q);
std::string to_text(const Packet& p, const Evaluation& ev, const CanQuery& q, const meshops::cli::Output& out);

using CheckReport = meshops::checks::fw::Report;

/// The --check document: schema, generated_at, status, reasons, hint, error (null, or why the
/// run could not check), findings, not_checked, probes.
nlohmann::ordered_json to_json(const CheckReport& r);
std::string to_text(const CheckReport& r, const meshops::cli::Output& out);
/// Drift findings by severity.
std::vector<meshops::cli::Metric> to_prom(const CheckReport& r);
/// For --plugin, the text of a verdict without reasons: "ruleset matches the declared zones (N probes)".
std::string ok_text(const CheckReport& r);

/// Per zone and per chain counters, rule and table counts.
std::vector<meshops::cli::Metric> to_prom(const Ruleset& rs, const ZoneReport& zr);

} // namespace fw_status
