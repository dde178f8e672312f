#!/usr/bin/env bash
# needs: tailnet
# ts-status against the real tailnet of scripts/tailnet: what it says equals what
# `tailscale status --json` of the same node says; offline peers, a Stopped node, a health
# warning and a missing daemon give the exit codes of the contract.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
ts_status=$(tool ts-status)
ts=$TAILNET_TAILSCALE

sock_of() { local v="TAILNET_SOCK_$(tr 'a-z-' 'A-Z_' <<<"$1")"; echo "${!v}"; }

# The same facts from both tools, as sorted "name ip online" lines.
ours() { "$ts_status" --socket "$(sock_of "$1")" --json | jq -r '.peers[] | "\(.name) \(.tailscale_ips[0]) \(.online)"' | sort; }
theirs() {
  "$ts" --socket "$(sock_of "$1")" status --json |
    jq -r '.Peer[] | "\(.DNSName | split(".")[0]) \(.TailscaleIPs[0]) \(.Online)"' | sort
}

# laptop accepts kernelcore's routes, so it is healthy (the last part of this test changes that).
laptop=$TAILNET_SOCK_LAPTOP
route_all=$(curl -sf --unix-socket "$laptop" http://local-tailscaled.sock/localapi/v0/prefs | jq -r .RouteAll)
on_exit "$ts" --socket "$laptop" set --accept-routes="$route_all"
"$ts" --socket "$laptop" set --accept-routes=true
healthy() { { "$ts_status" --socket "$laptop" --json || true; } | jq -e '.health == []' >/dev/null; }
check "laptop is healthy with --accept-routes" wait_until 30 healthy

for node in $TAILNET_NODES; do
  check_eq "$node: peers, IPs and online state equal tailscale status --json" "$(theirs "$node")" "$(ours "$node")"
  # Exit 0 when Running and healthy, 1 with health warnings: as many as tailscale reports.
  warnings=$("$ts" --socket "$(sock_of "$node")" status --json | jq '.Health // [] | length')
  check_rc "$node: Running, $warnings health warning(s)" "$((warnings > 0 ? 1 : 0))" "$ts_status" --socket "$(sock_of "$node")"
  check_match "$node: text names this node" "Self: +$node " "$out"
  check_rc "$node: --json parses with jq" 0 bash -c "'$ts_status' --socket '$(sock_of "$node")' --json | jq -e '.schema == \"meshops/ts-status/1\" and .backend_state == \"Running\"'"
done

self_ip=$("$ts" --socket "$laptop" ip -4)
check_eq "self addresses equal tailscale ip" "$self_ip" "$("$ts_status" --socket "$laptop" --json | jq -r '.self.tailscale_ips[0]')"
check_rc "--exit-nodes from laptop" 0 "$ts_status" --socket "$laptop" --exit-nodes --json
check_eq "exit nodes offered to laptop" "kernelcore other-server" "$(jq -r '[.peers[].name] | sort | join(" ")' <<<"$out")"
check_rc "--peer by name" 0 "$ts_status" --socket "$laptop" --peer kernelcore
check_match "--peer detail shows the peer" "Peer: +kernelcore" "$out"
kc_ip=$(jq -r '.peers[] | select(.name == "kernelcore") | .tailscale_ips[0]' <<<"$("$ts_status" --socket "$laptop" --json)")
check_rc "--peer by IP" 0 "$ts_status" --socket "$laptop" --peer "$kc_ip" --json
check_eq "--peer by IP finds it" "kernelcore" "$(jq -r '.peers[0].name' <<<"$out")"
check_rc "--peer unknown is exit 3" 3 "$ts_status" --socket "$laptop" --peer no-such-peer
check_match "--peer unknown says so" "no peer named no-such-peer" "$err"
check_rc "ts-status | head ends quietly" 0 bash -c "set -o pipefail; '$ts_status' --socket '$laptop' | head -1 >/dev/null"
check_rc "--prom" 0 "$ts_status" --socket "$laptop" --prom
check_match "--prom counts peers" $'\nmeshops_ts_status_peers 2\n' "$out"
prom_dir=$(mktemp -d)
on_exit rm -rf "$prom_dir"
check_rc "--prom-file" 0 "$ts_status" --socket "$laptop" --prom-file "$prom_dir/tailscale.prom"
check_eq "--prom-file writes only the file, nothing on stdout" "" "$out"
check_eq "--prom-file on a healthy node: nothing on stderr either" "" "$err"
check_match "--prom-file holds the metrics" "meshops_ts_status_peers_online 2" "$(cat "$prom_dir/tailscale.prom")"
check_eq "--prom-file leaves no temporary file" "tailscale.prom" "$(ls -A "$prom_dir")"
check_rc "--raw" 0 "$ts_status" --socket "$laptop" --raw
check_eq "--raw is tailscaled's own JSON" "$("$ts" --socket "$laptop" status --json | jq -r .Self.PublicKey)" \
  "$(jq -r .Self.PublicKey <<<"$out")"

# A direct path after traffic: tailscale ping makes the peer active.
"$ts" --socket "$laptop" ping -c 5 kernelcore >/dev/null 2>&1
check_eq "kernelcore is reached directly after a ping" "direct" \
  "$("$ts_status" --socket "$laptop" --peer kernelcore --json | jq -r '.peers[0].connection')"

# A peer goes offline: its tailscaled is stopped.
on_exit "$tailnet" start-node other-server
"$tailnet" stop-node other-server >/dev/null 2>&1
offline() { [[ "$("$ts_status" --socket "$laptop" --peer other-server --json | jq -r '.peers[0].online')" == false ]]; }
check "other-server shows offline at laptop within 60 s" wait_until 60 offline
check_rc "--peer of an offline peer is exit 1" 1 "$ts_status" --socket "$laptop" --peer other-server
check_match "offline peer: state says so" "State: +offline" "$out"
check_rc "--offline lists it" 0 "$ts_status" --socket "$laptop" --offline --json
check_eq "--offline lists only other-server" "other-server" "$(jq -r '[.peers[].name] | join(" ")' <<<"$out")"
check_eq "and agrees with tailscale status" "$(theirs laptop)" "$(ours laptop)"
check_rc "a stopped daemon's socket is exit 3" 3 timeout 20 "$ts_status" --socket "$(sock_of other-server)" --timeout 2
check_rc "a stopped daemon --json: exit 3" 3 timeout 20 "$ts_status" --socket "$(sock_of other-server)" --timeout 2 --json
check_eq "and still the whole document: unknown, why, empty lists" "meshops/ts-status/1 unknown true [] []" \
  "$(jq -c -r '"\(.schema) \(.status) \(.reasons[0] | startswith("cannot reach tailscaled")) \(.peers) \(.health)"' <<<"$out")"
"$tailnet" start-node other-server >/dev/null 2>&1

# A Stopped node: `tailscale down`.
on_exit "$tailnet" up
"$ts" --socket "$laptop" down
check_rc "a Stopped node is exit 2" 2 "$ts_status" --socket "$laptop"
check_match "and says so" "Tailscale is stopped." "$out"
check_rc "--json still prints the state" 2 "$ts_status" --socket "$laptop" --json
check_eq "backend_state Stopped, status critical, the reason" 'Stopped critical ["backend state is Stopped"]' \
  "$(jq -c -r '"\(.backend_state) \(.status) \(.reasons)"' <<<"$out")"
"$tailnet" up >/dev/null 2>&1

# A health warning made on purpose: routes advertised by kernelcore, not accepted by laptop.
"$ts" --socket "$laptop" set --accept-routes=false
warned() { { "$ts_status" --socket "$laptop" --json || true; } | jq -e '.health | length > 0' >/dev/null; }
check "laptop gets a health warning within 30 s" wait_until 30 warned
check_rc "a health warning is exit 1" 1 "$ts_status" --socket "$laptop"
check_match "and is shown" "Health:" "$out"
check_eq "the warnings are tailscale's" "$("$ts" --socket "$laptop" status --json | jq -c '.Health')" \
  "$("$ts_status" --socket "$laptop" --json | jq -c '.health')"
"$ts" --socket "$laptop" set --accept-routes="$route_all"
finish
