#pragma once
// meshops-reach's walk: can SRC reach TARGET on this host, and if not, which layer stops it.
// A connection meets the layers in this order: source (who SRC is, online, its path), name
// (MagicDNS answers the service's name with this host's address), tailnet policy (the inbound
// packet filter tailscaled enforces), host firewall (nftables' input hook), proxy (the nginx
// server block and location for that address, port and Host) and upstream (the proxied
// address answers). Facts are collected once (collect_facts, the only I/O) and the walk is
// pure (walk(), unit-tested on fixtures), so --matrix evaluates many pairs on one collection.
#include "meshops/config/config.hpp"
#include "meshops/error.hpp"
#include "meshops/nft/ruleset.hpp"
#include "meshops/nginx/conf.hpp"
#include "meshops/tailscale/filter.hpp"
#include "meshops/tailscale/status.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshops::checks::reach {

enum class LayerVerdict { pass, warn, block, unknown, skipped };
/// "pass", "warn", "block", "unknown", "skipped".
const char* to_string(LayerVerdict v);

/// What a layer found: its verdict, one line of summary, evidence (key, text: with file:line,
/// rule and handle where they exist) and, unless it passes, what to change.
struct Layer {
  std::string name;  ///< "source", "name", "tailnet policy", "host firewall", "proxy", "upstream"
  LayerVerdict verdict = LayerVerdict::skipped;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> evidence;
  std::string change;
};

/// TARGET: a declared service, a URL, or PROTO/PORT on this host.
struct Target {
  enum class Kind { service, url, port } kind = Kind::port;
  std::string service;  ///< the nginx.services key (a service, or a URL whose host is one)
  std::string scheme;   ///< "http" or "https" (service, url)
  std::string host;     ///< the Host a client sends (service, url)
  std::string path = "/";
  std::string proto = "tcp";
  int port = 0;         ///< the port the connection reaches on this host
  std::string text;     ///< as the user wrote it
};

/// The MagicDNS name of a service: SUBDOMAIN.HOST.SUFFIX.
std::string service_host(const config::Service& svc, const std::string& self_host, const std::string& suffix);

/// Reads TARGET against the config's services (self_host and suffix make a service's name).
/// Throws Error(Exit::unknown) for an unknown service, with the list of those declared, and
/// Error(Exit::usage) for text that is none of the three forms.
Target parse_target(const std::string& text, const config::Config& cfg, const std::string& self_host,
                    const std::string& suffix);

/// One probe of an upstream: TCP connect, then the service's health path.
struct UpstreamProbe {
  std::string address;  ///< host:port
  std::string not_probed;  ///< why nothing was sent (the route guard), with its hint
  std::string not_probed_hint;
  bool tcp_ok = false;
  std::string tcp_error;
  std::string health_url;  ///< empty: no health path declared
  long http_status = 0;
  std::string http_error;
};

/// A fact collected from the host, or why it could not be (permission, absent daemon).
template <class T> struct Fact {
  std::optional<T> value;
  std::string error;  ///< why value is missing
  std::string hint;   ///< what to try
};

/// Everything the walk reads, collected once.
struct Facts {
  Fact<tailscale::Status> status;
  std::map<std::string, Fact<tailscale::WhoIs>> whois;  ///< by source IP
  Fact<std::vector<tailscale::FilterMatch>> filter;
  Fact<std::vector<tailscale::FilterRule>> rules;
  std::map<std::string, Fact<tailscale::DnsAnswer>> dns;  ///< by name
  Fact<nft::Ruleset> ruleset;
  Fact<nginx::ConfModel> nginx;
  std::map<std::string, UpstreamProbe> upstreams;  ///< by host:port
};

/// SRC: a peer of the status, or an address arriving on --iif.
struct Source {
  std::string text;     ///< as written
  std::string address;  ///< the connection's source IP
  std::optional<tailscale::Peer> peer;  ///< absent: not a tailnet peer (--iif)
  std::string iif;      ///< the interface it arrives on ("tailscale0" for a peer)
};

/// Resolves SRC: a peer name, MagicDNS name, tailnet IP or node ID; with iif any address.
/// Throws Error(Exit::unknown) for an unknown peer, listing the peers there are.
Source resolve_source(const std::string& text, const std::string& iif, const tailscale::Status& status);

struct Report {
  Source source;
  Target target;
  std::string destination;    ///< this host's address the connection goes to
  std::vector<Layer> layers;  ///< in the order a packet meets them
  Exit state = Exit::ok;      ///< 0 reachable, 1 with warnings, 2 blocked, 3 cannot tell
  std::string conclusion;     ///< "reachable", "blocked at tailnet policy: ...", ...
  std::string change;         ///< what to change at the blocking (or unknown) layer
  /// The first blocking layer, or nullptr.
  const Layer* blocked_at() const;
};

/// The walk: pure, from the facts to the report.
Report walk(const Source& src, const Target& target, const Facts& facts, const config::Config& cfg);

struct CollectOptions {
  std::string socket;
  std::chrono::milliseconds timeout{5000};
};
/// Collects what the walks of these pairs read (LocalAPI status, whois, packet filter,
/// dns-query; the nftables ruleset; nginx -T) and probes, concurrently, the upstream of each
/// target's location. A fact that cannot be had is recorded with why: the layers needing it
/// are UNKNOWN while the others run. status must be collected first (collect_status).
void collect_status(Facts& facts, const CollectOptions& opt);
void collect_facts(Facts& facts, const std::vector<Source>& sources, const std::vector<Target>& targets,
                   const config::Config& cfg, const CollectOptions& opt);

} // namespace meshops::checks::reach

#include "meshops/tailscale/policy.hpp"

namespace meshops::checks::reach {

/// One expectation of a policy file's tests block, run against this node's live filter.
struct PolicyTestResult {
  int line = 0;             ///< the test entry's line in the file
  std::string src;          ///< as written
  std::string source_ip;    ///< the peer address it was evaluated from ("" when none)
  std::string expect;       ///< "accept" or "deny"
  std::string dst;          ///< as written
  LayerVerdict verdict = LayerVerdict::skipped;  ///< pass: as expected; block: not; skipped
  std::string reason;
};

/// Runs each accept/deny of the tests whose destination is this node (its tags, user, an
/// address of it or a hosts alias of one) from every peer its src names (tag, user@, alias
/// or IP), against the live packet filter. Destinations elsewhere are skipped: this node's
/// filter cannot say. Needs facts.status, facts.filter and whois of every peer.
std::vector<PolicyTestResult> run_policy_tests(const tailscale::PolicyFile& policy, const Facts& facts);

/// The state of those results: CRITICAL when one fails, UNKNOWN when none could be run.
Exit policy_tests_state(const std::vector<PolicyTestResult>& results);

} // namespace meshops::checks::reach

namespace meshops::checks::reach {

/// Does an allowFrom list name this source (a tag it carries, "user@" of its untagged owner,
/// or its peer name)?
bool declared(const std::vector<std::string>& allow_from, const Source& src, const Facts& facts);

/// One disagreement between a service's allowFrom and what the walk found.
struct IntentFinding {
  std::string source;
  std::string service;
  Exit severity = Exit::ok;  ///< CRITICAL: reachable, not declared; WARNING: declared, blocked;
                             ///< UNKNOWN: the walk could not tell
  std::string what;
};

/// --check: every walked pair whose service declares allowFrom, both ways.
std::vector<IntentFinding> check_intent(const std::vector<Report>& reports, const Facts& facts, const config::Config& cfg);

} // namespace meshops::checks::reach
