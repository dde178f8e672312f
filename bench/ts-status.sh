#!/usr/bin/env bash
# ts-status --json against `tailscale status --json` on the same node of the real test tailnet,
# whole process, many runs each, interleaved by hyperfine; prints both means and the ratio.
# Target (issue 2): ts-status takes at most 1/5 of the tailscale CLI's time.
# Usage: bench/ts-status.sh [BUILD_DIR]   (brings the tailnet up if it is not)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/tailnet up >/dev/null
eval "$(scripts/tailnet env)"
sock=$TAILNET_SOCK_KERNELCORE
tailscale=$TAILNET_TAILSCALE
out=$(mktemp)
trap 'rm -f "$out"' EXIT
hyperfine -N --warmup 20 --runs 300 --export-json "$out" \
  "$build/tools/ts-status/ts-status --json --socket $sock" \
  "$tailscale --socket $sock status --json" >/dev/null
jq -r '.results as $r |
  "ts-status --json:        \(($r[0].mean*1000*100|round)/100) ms ± \(($r[0].stddev*1000*100|round)/100)",
  "tailscale status --json: \(($r[1].mean*1000*100|round)/100) ms ± \(($r[1].stddev*1000*100|round)/100)",
  "ratio ts-status/tailscale: \(($r[0].mean/$r[1].mean*1000|round)/1000) (target <= 0.2)"' "$out"
