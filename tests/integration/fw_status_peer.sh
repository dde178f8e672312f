#!/usr/bin/env bash
# needs: tailnet
# fw-status --can with a peer name, resolved through a real tailscaled's LocalAPI status
# (--socket), on a saved ruleset (--file: no rule is loaded into a tailnet node's namespace):
# the zones of DESIGN.md with the admin set narrowed to one address no node has, so a peer
# reaches the internal zone's ports on tailscale0 and nothing else (issue 13 item 17).
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
fw=$(tool fw-status)
work=$(mktemp -d)
on_exit rm -rf "$work"
sock=$TAILNET_SOCK_KERNELCORE
jq '(.nftables[] | select(.set.name? == "admin_sources") | .set.elem) = ["100.64.0.250"]' \
  "$MESHOPS_SRC/tests/fixtures/nft/zones_tailscale.json" >"$work/rules.json"
laptop_ip=$("$TAILNET_TAILSCALE" --socket "$sock" status --json |
  jq -r '.Peer[] | select(.DNSName | startswith("laptop.")) | .TailscaleIPs[] | select(test("^100\\."))')
check_match "laptop has a 100.x address" '^100\.' "$laptop_ip"

check_rc "--can laptop tcp/ssh" 0 "$fw" --socket "$sock" --file "$work/rules.json" --json --can laptop tcp/ssh
check_eq "resolved through tailscaled, service name read" "laptop $laptop_ip 22 ssh" \
  "$(jq -r '.query | "\(.peer) \(.source) \(.port) \(.service)"' <<<"$out")"
check_eq "tailscale0 assumed for a tailnet source" "tailscale0 true" "$(jq -r '.query | "\(.iif) \(.iif_assumed)"' <<<"$out")"
check_eq "accepted by the internal zone" "accept zone_internal" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_rc "--can laptop tcp/ssh, text" 0 "$fw" --socket "$sock" --file "$work/rules.json" --can laptop tcp/ssh
check_match "text names the peer, the service and the assumption" \
  "^laptop \($laptop_ip\) tcp/22 \(ssh\) via tailscale0 \(assumed\): accept" "$out"
check_rc "--can LAPTOP (case-insensitive) to a closed port: a drop exits 1" 1 \
  "$fw" --socket "$sock" --file "$work/rules.json" --json --can LAPTOP tcp/9999
check_eq "drop" "drop" "$(jq -r .verdict <<<"$out")"
check_rc "--can laptop with --iif eth0: tailscale's ts-input drops it" 1 \
  "$fw" --socket "$sock" --file "$work/rules.json" --json --can laptop tcp/22 --iif eth0
check_eq "given --iif is kept" "eth0 false drop" "$(jq -r '"\(.query.iif) \(.query.iif_assumed) \(.verdict)"' <<<"$out")"
check_rc "an unknown peer is UNKNOWN" 3 "$fw" --socket "$sock" --file "$work/rules.json" --can no-such-node tcp/22
check_match "names the peer" "no peer named no-such-node" "$err"
check_rc "a peer name with no tailscaled is UNKNOWN" 3 "$fw" --socket "$work/none.sock" --file "$work/rules.json" --can laptop tcp/22 --timeout 2
check_rc "an address needs no tailscaled" 0 "$fw" --socket "$work/none.sock" --file "$work/rules.json" --can "$laptop_ip" tcp/22

finish
