#!/usr/bin/env bash
# fw-status on the ruleset tailscaled 1.98.10 really installed on the test tailnet's kernelcore
# (tests/fixtures/nft/tailscale-kernelcore.md says how it was captured): all six ts-* chains are
# recognised, and --can follows tailscaled's own rules: a tailnet source on tailscale0 is
# accepted, the same source on another interface is dropped as spoofed.
source "$(dirname "$0")/../integration/lib.sh"
fw=$(tool fw-status)
capture="$MESHOPS_SRC/tests/fixtures/nft/tailscale-kernelcore.json"

check_rc "reads the capture" 0 "$fw" --file "$capture" --json
check_eq "tailscale chains recognised" \
  "ip filter ts-forward|ip filter ts-input|ip nat ts-postrouting|ip6 filter ts-forward|ip6 filter ts-input|ip6 nat ts-postrouting" \
  "$(jq -r '[.tailscale_chains[] | "\(.family) \(.table) \(.chain)"] | sort | join("|")' <<<"$out")"

check_rc "--can from the tailnet on tailscale0" 0 "$fw" --file "$capture" --can 100.64.0.5 tcp/22 --iif tailscale0 --json
check_eq "accepted by ts-input" "accept ts-input" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_rc "--can from a tailnet address on eth0 (a drop exits 1)" 1 "$fw" --file "$capture" --can 100.64.0.5 tcp/22 --iif eth0 --json
check_eq "dropped by ts-input as spoofed" "drop ts-input" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_match "the deciding rule is tailscaled's CGNAT check" 'ip saddr 100\.64\.0\.0/10' "$(jq -r .decided_by.rule <<<"$out")"
finish
