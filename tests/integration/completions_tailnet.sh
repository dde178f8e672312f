#!/usr/bin/env bash
# needs: tailnet
# A PEER value completes to every peer of the real tailnet (issue 13 item 11: the old bash
# completion's greedy sed over compact JSON offered only the last one): ts-status
# --complete-peers lists the node's peers as `tailscale status` names them, and bash, fish and
# zsh offer them all for ts-status --peer, ts-quality --peer and ts-benchmark's PEER, asking
# the tailscaled of the line's --socket (or $TS_SOCKET).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/completion.bash"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
sock=$TAILNET_SOCK_KERNELCORE
export PATH="$MESHOPS_BIN/ts-status:$PATH"

want=$("$TAILNET_TAILSCALE" --socket "$sock" status --json | jq -r '.Peer[].DNSName | split(".")[0]' | sort)
check "kernelcore has two peers or more" test "$(wc -l <<<"$want")" -ge 2
check_rc "ts-status --complete-peers" 0 "$(tool ts-status)" --socket "$sock" --complete-peers
check_eq "it lists every peer, one a line" "$want" "$(sort <<<"$out")"

for t in ts-status ts-quality; do
  check_eq "bash: $t --peer offers every peer" "$want" "$(complete_bash "$t" --socket "$sock" --peer '')"
done
check_eq "bash: ts-benchmark PEER offers every peer" "$want" "$(complete_bash ts-benchmark --socket "$sock" '')"
check_eq "fish: ts-status --peer offers every peer (TS_SOCKET)" "$want" "$(TS_SOCKET=$sock complete_fish 'ts-status --peer ')"
check_eq "zsh: ts-quality --peer offers every peer (TS_SOCKET)" "$want" "$(TS_SOCKET=$sock complete_zsh 'ts-quality --peer ')"
check_eq "zsh: the line's --socket reaches ts-status" "$want" "$(complete_zsh "ts-status --socket $sock --peer ")"
finish
