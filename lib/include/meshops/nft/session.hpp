#pragma once
// The live ruleset, read in-process through libnftables with JSON output (no `nft` process).
#include <string>

namespace meshops::nft {

/// Returns the JSON text of `list ruleset` in the current network namespace, exactly as
/// `nft -j list ruleset` would print it. Throws meshops::Error (Exit::unknown): "reading the
/// ruleset: permission denied (CAP_NET_ADMIN needed)" without the capability, or with
/// libnftables' own message for any other failure.
std::string list_ruleset_json();

} // namespace meshops::nft
