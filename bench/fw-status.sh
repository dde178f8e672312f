#!/usr/bin/env bash
# fw-status --json against `nft -j list ruleset` on the same 10,000-rule ruleset, loaded in a
# throwaway network namespace: whole process, many runs each, interleaved by hyperfine; prints
# both means and the ratio. Target (issue 5): fw-status takes at most 1.5x nft's time.
# Usage: bench/fw-status.sh [BUILD_DIR] [RULES]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rules=${2:-10000}
ns=fwbench-$$
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
bench/fw-status-ruleset "$rules" >"$work/rules.nft"
ip netns exec "$ns" nft -f tests/fixtures/nft/tailscale.nft
ip netns exec "$ns" nft -f "$work/rules.nft"
n=$(ip netns exec "$ns" "$build/tools/fw-status/fw-status" --json | jq .rules)
echo "ruleset: $n rules"
hyperfine -N --warmup 3 --runs 30 --export-json "$work/out.json" \
  "ip netns exec $ns $build/tools/fw-status/fw-status --json" \
  "ip netns exec $ns nft -j list ruleset" >/dev/null
jq -r '.results as $r |
  "fw-status --json:      \(($r[0].mean*1000*100|round)/100) ms ± \(($r[0].stddev*1000*100|round)/100)",
  "nft -j list ruleset:   \(($r[1].mean*1000*100|round)/100) ms ± \(($r[1].stddev*1000*100|round)/100)",
  "ratio fw-status/nft:   \(($r[0].mean/$r[1].mean*1000|round)/1000) (target <= 1.5)"' "$work/out.json"
