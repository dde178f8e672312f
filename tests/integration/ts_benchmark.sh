#!/usr/bin/env bash
# needs: tailnet
# ts-benchmark between two nodes of the real tailnet (laptop -> kernelcore over tailscale0):
# throughput each way, latency idle and under load, retransmits; within 10 % of iperf3 on the
# same path in the same run; a tc tbf of 10 Mbit/s in laptop's namespace caps the upload near
# 10 Mbit/s. Servers run inside kernelcore's namespace; every qdisc and process is removed on exit.
source "$(dirname "$0")/lib.sh"
jq_true() { jq -e "$@" >/dev/null; }  # jq_true FILTER: the JSON on stdin makes FILTER true
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
bench=$(tool ts-benchmark)
kc_ns=$TAILNET_NS_KERNELCORE
lt_ns=$TAILNET_NS_LAPTOP
kc=$TAILNET_IP4_KERNELCORE
port=15202
iperf_port=15201
in_laptop() { ip netns exec "$lt_ns" "$@"; }

ip netns exec "$kc_ns" "$bench" --serve --port "$port" 2>/dev/null &
on_exit kill $!
ip netns exec "$kc_ns" iperf3 -s -p "$iperf_port" >/dev/null 2>&1 &
on_exit kill $!
listening() { ip netns exec "$kc_ns" ss -Hltn "sport = :$1" | grep -q LISTEN; }
check "ts-benchmark --serve listens in kernelcore's namespace" wait_until 10 listening "$port"
check "iperf3 -s listens in kernelcore's namespace" wait_until 10 listening "$iperf_port"
on_exit in_laptop tc qdisc del dev eth0 root
on_exit ip netns exec "$kc_ns" tc qdisc del dev eth0 root

# measure DIRECTION TOOL-ARGS...: one direction's Mbit/s into $rate (exit status checked).
measure() {
  local dir=$1
  shift
  check_rc "$dir with $*" 0 in_laptop "$bench" "$kc" --direction "$dir" --duration 3 --json "$@"
  rate=$(jq ".$dir.mbit_s" <<<"$out")
}

# The tailnet unshaped: both ways, latency and retransmits reported.
check_rc "by name, both ways" 0 in_laptop "$bench" kernelcore --socket "$TAILNET_SOCK_LAPTOP" --port "$port" --duration 2 --json
check_eq "schema, kind, address resolved from the name" "meshops/ts-benchmark/1 tcp $kc" "$(jq -r '"\(.schema) \(.kind) \(.address)"' <<<"$out")"
check "both directions moved data" jq_true '.upload.mbit_s > 1 and .download.mbit_s > 1 and .upload.bytes > 0' <<<"$out"
check "latency idle and under load was sampled" jq_true '.latency.idle.samples >= 5 and .latency.under_upload.samples >= 5 and .latency.under_download.p99_ms > 0' <<<"$out"
check "retransmits are counts" jq_true '(.upload.retransmits | type) == "number" and (.download.retransmits | type) == "number"' <<<"$out"
check "bufferbloat is reported" jq_true '.bufferbloat_ms.upload != null and .bufferbloat_ms.download != null' <<<"$out"
check_rc "text view" 0 in_laptop "$bench" "$kc" --port "$port" --duration 1
check_match "text has a row per direction and idle" "idle .*upload .*download" "$(tr '\n' ' ' <<<"$out")"

# Live progress on a terminal only (script(1) gives it one), on stderr, never in the data.
check_rc "piped: no progress on stderr" 0 in_laptop "$bench" "$kc" --port "$port" --duration 1 --direction upload
check_eq "piped: stderr empty" "" "$err"
check_rc "on a terminal" 0 script -qec "ip netns exec $lt_ns $bench $kc --port $port --duration 1 --direction upload" /dev/null
check_match "on a terminal: progress lines show the bytes moved" $'\r.*upload: [0-9.]+ [KMG]iB' "$out"

# Against iperf3 on the same path. Unshaped, the path is bound by tailscaled's CPU on this
# shared 2-core machine and moves +-40 % from one run to the next, whichever tool runs; so the
# comparison shapes both nodes' uplinks to 100 Mbit/s (below that bound), where the path, not
# the CPU, sets the rate. The unshaped ratio is printed by bench/ts-benchmark.sh.
in_laptop tc qdisc add dev eth0 root tbf rate 100mbit burst 256kb latency 100ms
ip netns exec "$kc_ns" tc qdisc add dev eth0 root tbf rate 100mbit burst 256kb latency 100ms
for dir in upload download; do
  measure "$dir" --port "$port"
  ours=$rate
  measure "$dir" --iperf3 --iperf3-port "$iperf_port"
  theirs=$rate
  check "$dir: ours $ours Mbit/s within 10 % of iperf3's $theirs" awk -v a="$ours" -v b="$theirs" 'BEGIN { exit !(b > 0 && a >= 0.9 * b && a <= 1.1 * b) }'
done
ip netns exec "$kc_ns" tc qdisc del dev eth0 root
in_laptop tc qdisc del dev eth0 root

# 10 Mbit/s on laptop's uplink caps the upload near it (WireGuard and UDP headers take ~5 %).
in_laptop tc qdisc add dev eth0 root tbf rate 10mbit burst 32kbit latency 400ms
measure upload --port "$port"
up=$rate
check "upload under tbf 10mbit: $up Mbit/s is near 10" awk -v a="$up" 'BEGIN { exit !(a >= 8 && a <= 10.5) }'
measure upload --iperf3 --iperf3-port "$iperf_port"
iperf_up=$rate
check "and iperf3 agrees within 10 % ($iperf_up)" awk -v a="$up" -v b="$iperf_up" 'BEGIN { exit !(a >= 0.9 * b && a <= 1.1 * b) }'
in_laptop tc qdisc del dev eth0 root

# Errors: nothing listening, no tailscaled to resolve a name, unknown peer.
# 15203: a port the tailnet policy lets laptop reach (scripts/tailnet write_policy) where
# nothing listens, so kernelcore refuses; a port the policy does not allow is dropped instead.
check_rc "no server on the port: exit 3" 3 in_laptop "$bench" "$kc" --port 15203 --duration 1
check_match "one line naming the address" "^ts-benchmark: connect to $kc:15203: Connection refused" "$err"
check_rc "a name without tailscaled: exit 3" 3 "$bench" kernelcore --socket /nonexistent.sock
check_rc "an unknown peer: exit 3" 3 "$bench" no-such-peer --socket "$TAILNET_SOCK_LAPTOP"
check_rc "--iperf3 with no iperf3 server: exit 3" 3 in_laptop "$bench" "$kc" --iperf3 --iperf3-port 15203 --duration 1
finish
