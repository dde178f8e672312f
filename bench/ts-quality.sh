#!/usr/bin/env bash
# ts-quality against its anchors on the real test tailnet, from laptop, in the same run:
#  - concurrency: every peer at once vs one peer (same count and interval); target ratio ~1;
#  - vs `tailscale ping` of each peer one after another (-c N, --until-direct=false), what a
#    script would otherwise do; the ratio shrinks as peers are added.
# Usage: bench/ts-quality.sh [BUILD_DIR]   (brings the tailnet up if it is not; MESHOPS_TAILNET
# picks the run name)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/tailnet up >/dev/null
eval "$(scripts/tailnet env)"
q=$build/tools/ts-quality/ts-quality
# tailscale ping sends one ping a second and has no flag to change it: the same interval here.
n=5
interval=1
in_laptop() { ip netns exec "$TAILNET_NS_LAPTOP" "$@"; }
now() { date +%s.%N; }
in_laptop "$TAILNET_TAILSCALE" --socket "$TAILNET_SOCK_LAPTOP" ping -c 3 kernelcore >/dev/null 2>&1 || true
one=$(in_laptop "$q" --socket "$TAILNET_SOCK_LAPTOP" --peer kernelcore -n $n -i $interval --no-netcheck --json | jq .elapsed_ms)
all=$(in_laptop "$q" --socket "$TAILNET_SOCK_LAPTOP" -n $n -i $interval --no-netcheck --json | jq '"\(.elapsed_ms) \(.targets | length)"' -r)
peers=${all#* }
all=${all% *}
t0=$(now)
for p in kernelcore other-server; do
  in_laptop "$TAILNET_TAILSCALE" --socket "$TAILNET_SOCK_LAPTOP" ping -c $n --until-direct=false "$p" >/dev/null 2>&1 || true
done
t1=$(now)
cli_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
awk -v one="$one" -v all="$all" -v peers="$peers" -v cli="$cli_ms" -v n=$n 'BEGIN {
  printf "ts-quality, 1 peer, %d probes:          %8.1f ms\n", n, one
  printf "ts-quality, %d peers at once:           %8.1f ms\n", peers, all
  printf "tailscale ping -c %d, %d peers in turn: %8.1f ms\n", n, peers, cli
  printf "ratio all-peers/one-peer:             %.3f (target ~1)\n", all / one
  printf "ratio ts-quality/tailscale-ping loop: %.3f\n", all / cli
}'
