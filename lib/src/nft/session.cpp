#include "meshops/nft/session.hpp"

#include "meshops/error.hpp"

#include <fmt/format.h>
#include <nftables/libnftables.h>

#include <fstream>
#include <memory>
#include <string>

namespace meshops::nft {
namespace {

constexpr int kCapNetAdmin = 12;

/// Whether this process holds CAP_NET_ADMIN, from /proc/self/status (true when unreadable, so
/// the kernel has the last word).
bool has_net_admin() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> kCapNetAdmin) & 1;
  return true;
}

// The environment's fault, not the ruleset's: the hint names the capability and where a unit
// grants it (issue 17).
Error permission_denied() {
  return Error(Exit::unknown, "reading the ruleset: permission denied (CAP_NET_ADMIN needed)",
               "this process lacks CAP_NET_ADMIN: run as root with it, give it to the unit "
               "(CapabilityBoundingSet=CAP_NET_ADMIN, and AmbientCapabilities=CAP_NET_ADMIN with User=), "
               "or analyse a saved `nft -j list ruleset` with --file");
}

} // namespace

std::string list_ruleset_json() {
  // libnftables writes its own "you must be root" line straight to stderr on EPERM; asking
  // first keeps the contract's single error line.
  if (!has_net_admin()) throw permission_denied();
  std::unique_ptr<nft_ctx, decltype(&nft_ctx_free)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), &nft_ctx_free);
  if (!ctx) throw Error(Exit::unknown, "reading the ruleset: libnftables could not create a context");
  // Numeric ports and protocols keep the JSON what the evaluator compares; JSON always
  // carries handles, so NFT_CTX_OUTPUT_HANDLE is not needed.
  nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
    throw Error(Exit::unknown, "reading the ruleset: libnftables could not buffer its output");
  if (nft_run_cmd_from_buffer(ctx.get(), "list ruleset") != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx.get());
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    if (err.find("Operation not permitted") != std::string::npos || err.find("Permission denied") != std::string::npos)
      throw permission_denied();
    if (auto nl = err.find('\n'); nl != std::string::npos) err.resize(nl);
    throw Error(Exit::unknown, fmt::format("reading the ruleset: {}", err.empty() ? "libnftables failed" : err));
  }
  return nft_ctx_get_output_buffer(ctx.get());
}

} // namespace meshops::nft
