#!/usr/bin/env bash
# ts-benchmark's TCP engine against iperf3 (the anchor) on the same tailnet path
# (laptop -> kernelcore), interleaved runs in the same session, unshaped: prints each run's
# Mbit/s and the ratio of the medians per direction (target 0.9..1.1). Unshaped, this path is
# bound by tailscaled's CPU on the host, so expect run-to-run spread on a busy machine.
# Usage: bench/ts-benchmark.sh [BUILD_DIR] [RUNS]   (brings the tailnet up if it is not)
# Ports 15201-15202: the ones the test tailnet's ACL policy opens to clients (scripts/tailnet
# write_policy); any other port of kernelcore is dropped for laptop.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
scripts/tailnet up >/dev/null
eval "$(scripts/tailnet env)"
b=$PWD/$build/tools/ts-benchmark/ts-benchmark
[[ $build == /* ]] && b=$build/tools/ts-benchmark/ts-benchmark
kc=$TAILNET_IP4_KERNELCORE
ip netns exec "$TAILNET_NS_KERNELCORE" "$b" --serve --port 15202 2>/dev/null &
s1=$!
ip netns exec "$TAILNET_NS_KERNELCORE" iperf3 -s -p 15201 >/dev/null 2>&1 &
s2=$!
trap 'kill $s1 $s2 2>/dev/null' EXIT
until ip netns exec "$TAILNET_NS_KERNELCORE" ss -Hltn 'sport = :15201' | grep -q LISTEN &&
  ip netns exec "$TAILNET_NS_KERNELCORE" ss -Hltn 'sport = :15202' | grep -q LISTEN; do sleep 0.1; done
run() { ip netns exec "$TAILNET_NS_LAPTOP" "$b" "$kc" --duration 3 --json "$@"; }
ours_u=() ours_d=() ip_u=() ip_d=()
for ((i = 1; i <= runs; i++)); do
  o=$(run --port 15202)
  p=$(run --iperf3 --iperf3-port 15201)
  ours_u+=("$(jq .upload.mbit_s <<<"$o")") ours_d+=("$(jq .download.mbit_s <<<"$o")")
  ip_u+=("$(jq .upload.mbit_s <<<"$p")") ip_d+=("$(jq .download.mbit_s <<<"$p")")
  printf 'run %d: ts-benchmark up %7.1f down %7.1f | iperf3 up %7.1f down %7.1f Mbit/s; bufferbloat up %s down %s ms\n' \
    "$i" "${ours_u[-1]}" "${ours_d[-1]}" "${ip_u[-1]}" "${ip_d[-1]}" \
    "$(jq '.bufferbloat_ms.upload | . * 100 | round / 100' <<<"$o")" "$(jq '.bufferbloat_ms.download | . * 100 | round / 100' <<<"$o")"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
awk -v ou="$(median "${ours_u[@]}")" -v od="$(median "${ours_d[@]}")" -v iu="$(median "${ip_u[@]}")" -v id="$(median "${ip_d[@]}")" 'BEGIN {
  printf "median upload:   ts-benchmark %.1f, iperf3 %.1f Mbit/s, ratio %.3f\n", ou, iu, ou / iu
  printf "median download: ts-benchmark %.1f, iperf3 %.1f Mbit/s, ratio %.3f\n", od, id, od / id
}'
