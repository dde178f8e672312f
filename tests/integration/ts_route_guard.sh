#!/usr/bin/env bash
# needs: tailnet
# A tool that connects to tailnet addresses itself refuses, before sending anything, when the
# network namespace it runs in does not route them through tailscaled's TUN (issue 13 item
# 13). laptop's tailscaled answers on its socket (a file, reachable from any namespace), but
# ts-benchmark runs in namespaces this test makes: one with no route at all, one whose default
# route leads through a veth to a sink namespace that counts every packet to 100.64.0.0/10.
# Nothing is ever sent from the root namespace. In laptop's own namespace the guard lets the
# connection through.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
bench=$(tool ts-benchmark)
sock=$TAILNET_SOCK_LAPTOP
bare=tsrg-bare-$$ routed=tsrg-rt-$$ sink=tsrg-sink-$$
for ns in $bare $routed $sink; do
  on_exit ip netns del "$ns"
  ip netns add "$ns" || { fail "cannot create namespace $ns"; finish; exit; }
  ip -n "$ns" link set lo up
done
# routed <-> sink over a veth made inside the test's namespaces, addresses from 198.18.0.0/15
# away from the tailnet's own 198.18.0.0/24 and 198.19.0.0/24.
ip -n "$routed" link add rg0 type veth peer name rg1 netns "$sink"
ip -n "$routed" addr add 198.19.254.1/30 dev rg0
ip -n "$sink" addr add 198.19.254.2/30 dev rg1
ip -n "$routed" link set rg0 up
ip -n "$sink" link set rg1 up
ip -n "$routed" route add default via 198.19.254.2
ip netns exec "$sink" nft -f - <<'EOF'
table inet rg_count {
  chain pre { type filter hook prerouting priority -300; ip daddr 100.64.0.0/10 counter; }
}
EOF
sink_packets() { ip netns exec "$sink" nft -j list table inet rg_count | jq '[.nftables[] | .rule? | select(. != null) | .expr[] | .counter? | select(. != null) | .packets] | add'; }

check_rc "no route in this namespace: exit 3" 3 ip netns exec "$bare" "$bench" --socket "$sock" kernelcore --duration 1
check_match "says there is no route" "no route to $TAILNET_IP4_KERNELCORE in this network namespace" "$err"
check_match "and hints where to run it" "hint: run it in tailscaled's network namespace" "$err"

check_rc "default route elsewhere: exit 3" 3 ip netns exec "$routed" "$bench" --socket "$sock" kernelcore --duration 1
check_match "names the interface the route takes" "the route to $TAILNET_IP4_KERNELCORE goes through rg0 \(source 198\.19\.254\.1\), not tailscaled's TUN" "$err"
check_rc "a Tailscale IP given directly: exit 3" 3 ip netns exec "$routed" "$bench" --socket "$sock" "$TAILNET_IP4_KERNELCORE" --duration 1
check_rc "--iperf3 too: exit 3" 3 ip netns exec "$routed" "$bench" --socket "$sock" kernelcore --iperf3 --duration 1
check_rc "--url with a Tailscale IP: exit 3" 3 ip netns exec "$routed" "$bench" --socket "$sock" --url "http://$TAILNET_IP4_KERNELCORE:8080/" --requests 1
check_rc "--resolve to a Tailscale IP: exit 3" 3 ip netns exec "$routed" "$bench" --socket "$sock" \
  --url "http://app.test:8080/" --resolve "app.test:8080:$TAILNET_IP4_KERNELCORE" --requests 1
check_eq "not one packet to 100.64.0.0/10 reached the sink" 0 "$(sink_packets)"
# The counter does count: one ping from the routed namespace lands in the sink (and stays there).
ip netns exec "$routed" ping -c 1 -W 1 "$TAILNET_IP4_KERNELCORE" >/dev/null 2>&1
check_eq "the sink's counter sees a packet that is really sent" 1 "$(sink_packets)"

# Where tailscaled's TUN is, the guard passes: the run fails later, at the closed port.
port=$(free_port)
check_rc "laptop's namespace: the guard passes, the closed port is what fails" 3 \
  ip netns exec "$TAILNET_NS_LAPTOP" "$bench" --socket "$sock" kernelcore --port "$port" --duration 1 --timeout 2
check_eq "no route complaint there" "" "$(grep -o "not tailscaled's TUN\|no route to" <<<"$err")"
finish
