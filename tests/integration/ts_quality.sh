#!/usr/bin/env bash
# needs: tailnet
# ts-quality on the real tailnet of scripts/tailnet, measured from laptop: a clean path is ok
# and direct; UDP dropped by nftables moves the path to a DERP relay and ts-quality says so;
# nftables dropping 30 % of packets shows as ~30 % loss, degraded, exit 1; a stopped tailscaled
# is down, exit 2; no tailscaled is exit 3 within the timeout; all peers at once take about as
# long as one. Every nft table and stopped node is restored on exit.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
quality=$(tool ts-quality)
ns=$TAILNET_NS_LAPTOP
sock=$TAILNET_SOCK_LAPTOP
# ts-quality as run on laptop: in its namespace, so netcheck's STUN leaves from there.
q() { ip netns exec "$ns" "$quality" --socket "$sock" --tailscale "$TAILNET_TAILSCALE" "$@"; }
nft_ns() { ip netns exec "$ns" nft "$@"; }
on_exit nft_ns delete table inet q_drop_udp
on_exit nft_ns delete table inet q_loss

# A path is set up by the first pings (the first pongs may come via DERP): warm it.
"$TAILNET_TAILSCALE" --socket "$sock" ping -c 5 kernelcore >/dev/null 2>&1
"$TAILNET_TAILSCALE" --socket "$sock" ping -c 5 other-server >/dev/null 2>&1

# Clean path.
check_rc "clean path: exit 0" 0 q --peer kernelcore -n 5 -i 0.2 --json
check_eq "clean path: ok, direct to kernelcore's underlay address" "ok direct 198.18.0.11:41641 0" \
  "$(jq -r '.targets[0] | "\(.verdict) \(.path.kind) \(.path.endpoint) \(.loss_pct)"' <<<"$out")"
check_eq "schema" "meshops/ts-quality/1" "$(jq -r .schema <<<"$out")"
check_eq "five round trips, all answered" "5" "$(jq '[.targets[0].rtts_ms[] | numbers] | length' <<<"$out")"
check_eq "netcheck from laptop's namespace: UDP, preferred DERP is the embedded one" "true headscale" \
  "$(jq -r '.netcheck | "\(.udp) \(.preferred_derp.code)"' <<<"$out")"
check_rc "text: a row per peer, the summary line" 0 q -n 3 -i 0.1
check_match "text shows kernelcore direct" "kernelcore +100\.64\.0\.1 +direct 198\.18\.0\.11:41641" "$out"
check_match "text summary" "2 peers, 3 probes each \(disco ping\)" "$out"
check_rc "--prom" 0 q --peer kernelcore -n 2 -i 0.1 --prom
check_match "--prom: tailscale's path word" 'meshops_ts_quality_path\{peer="kernelcore",path="direct_ipv4"\} 1' "$out"
check_rc "--type icmp: ok" 0 q --peer kernelcore -n 3 -i 0.1 --type icmp --no-netcheck --json
check_eq "--type icmp: path from status" "direct" "$(jq -r '.targets[0].path.kind' <<<"$out")"
check_rc "unknown peer: exit 3" 3 q --peer no-such-peer --no-netcheck
check_match "unknown peer: says which" "no peer named no-such-peer" "$err"

# Targets and thresholds from the config file; flags override the thresholds.
cfg=$(mktemp)
on_exit rm -f "$cfg"
echo '{"monitoring": {"targets": ["other-server"], "maxLatency": 0.0001, "maxPacketLoss": 50}}' >"$cfg"
check_rc "config: targets and a latency threshold nothing meets, exit 1" 1 q -c "$cfg" -n 3 -i 0.1 --no-netcheck --json
check_eq "config: only its target, degraded on latency" "other-server degraded 0.0001" \
  "$(jq -r '"\([.targets[].name] | join(",")) \(.verdict) \(.options.max_latency_ms)"' <<<"$out")"
check_match "config: the reason names the latency" "^latency [0-9.]+ ms > 0.0001 ms$" "$(jq -r '.targets[0].reasons[0]' <<<"$out")"
check_rc "--max-latency overrides the config" 0 q -c "$cfg" -n 3 -i 0.1 --no-netcheck --max-latency 500

# All peers at once: two peers take about as long as one, however many probes. The run is
# (n-1) intervals plus one reply; one after another it would be twice that.
check_rc "one peer, 6 probes at 0.3 s" 0 q --peer kernelcore -n 6 -i 0.3 --no-netcheck --json
one=$(jq .elapsed_ms <<<"$out")
check_rc "all peers, 6 probes at 0.3 s" 0 q -n 6 -i 0.3 --no-netcheck --json
all=$(jq .elapsed_ms <<<"$out")
check_eq "all peers measured" "2" "$(jq '.targets | length' <<<"$out")"
check "all peers took less than one peer plus one interval ($all ms vs $one ms)" \
  awk -v a="$all" -v o="$one" 'BEGIN { exit !(a < o + 300) }'

# UDP between laptop and other-server dropped: pongs come via DERP.
nft_ns -f - <<EOF
table inet q_drop_udp {
  chain out { type filter hook output priority 0; ip daddr $TAILNET_UNDERLAY_OTHER_SERVER udp dport 41641 drop; }
  chain in { type filter hook input priority 0; ip saddr $TAILNET_UNDERLAY_OTHER_SERVER udp sport 41641 drop; }
}
EOF
via_derp() { q --peer other-server -n 3 -i 0.2 --timeout 2 --no-netcheck --json | jq -e '.targets[0].path.kind == "derp"'; }
check "other-server is reached via DERP within 60 s of dropping UDP" wait_until 60 via_derp
check_rc "via DERP: still answering, exit 0" 0 q --peer other-server -n 3 -i 0.2 --no-netcheck
check_match "text says relay via DERP region headscale" "other-server +100\.64\.0\.3 +derp headscale" "$out"
check_rc "kernelcore stays direct" 0 q --peer kernelcore -n 2 -i 0.1 --no-netcheck --json
check_eq "kernelcore path" "direct" "$(jq -r '.targets[0].path.kind' <<<"$out")"
nft_ns delete table inet q_drop_udp

# 30 % of kernelcore's packets to laptop dropped at random (one direction, so 30 % of round trips).
nft_ns -f - <<EOF
table inet q_loss {
  chain in { type filter hook input priority 0; ip saddr $TAILNET_UNDERLAY_KERNELCORE numgen random mod 100 < 30 drop; }
}
EOF
check_rc "30 % loss: degraded, exit 1" 1 q --peer kernelcore -n 200 -i 0.02 --timeout 1 --no-netcheck --json
loss=$(jq .targets[0].loss_pct <<<"$out")
check_eq "verdict degraded" "degraded" "$(jq -r .targets[0].verdict <<<"$out")"
check "measured loss $loss % is within 10 points of 30 %" awk -v l="$loss" 'BEGIN { exit !(l >= 20 && l <= 40) }'
check_match "reason names the loss" "^loss [0-9.]+% > 5%$" "$(jq -r '.targets[0].reasons[0]' <<<"$out")"
nft_ns delete table inet q_loss

# other-server's tailscaled stopped: no reply at all.
on_exit "$tailnet" start-node other-server
"$tailnet" stop-node other-server >/dev/null 2>&1
check_rc "a stopped peer: down, exit 2" 2 q --peer other-server -n 3 -i 0.2 --timeout 1 --no-netcheck --json
check_eq "verdict down, nothing received" "down 0 100" "$(jq -r '.targets[0] | "\(.verdict) \(.received) \(.loss_pct)"' <<<"$out")"
check_rc "together with a healthy peer the run is still exit 2" 2 q --peer other-server --peer kernelcore -n 2 -i 0.2 --timeout 1 --no-netcheck
"$tailnet" start-node other-server >/dev/null 2>&1

# This node Stopped (`tailscale down`): nothing can be measured, and that is critical.
on_exit "$tailnet" up
"$TAILNET_TAILSCALE" --socket "$sock" down
check_rc "this node Stopped: exit 2" 2 q --no-netcheck
check_match "and says so on stdout" "^CRITICAL: tailscaled's backend is Stopped, not Running" "$out"
check_rc "this node Stopped --json: exit 2" 2 q --no-netcheck --json
check_eq "--json: the whole document, state, reason, empty targets" \
  "meshops/ts-quality/1 critical [\"tailscaled's backend is Stopped, not Running: nothing to measure\"] []" \
  "$(jq -c -r '"\(.schema) \(.status) \(.reasons) \(.targets)"' <<<"$out")"
"$tailnet" up >/dev/null 2>&1

# No tailscaled at all.
start=$SECONDS
check_rc "no tailscaled: exit 3" 3 timeout 20 "$quality" --socket /nonexistent/tailscaled.sock --timeout 2
check "no tailscaled: gave up within the timeout" test $((SECONDS - start)) -le 3
check_match "no tailscaled: one line naming the socket" "^ts-quality: cannot reach tailscaled at /nonexistent/tailscaled.sock" "$err"
check_rc "no tailscaled --json: exit 3" 3 timeout 20 "$quality" --socket /nonexistent/tailscaled.sock --timeout 2 --json
check_eq "no tailscaled --json: the document says unknown and why" "unknown true []" \
  "$(jq -c -r '"\(.status) \(.reasons[0] | startswith("cannot reach tailscaled at /nonexistent")) \(.targets)"' <<<"$out")"
finish
