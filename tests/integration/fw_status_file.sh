#!/usr/bin/env bash
# fw-status on files and a large live ruleset: a 10,000-rule ruleset loaded in a namespace the
# test creates (read live through libnftables, and --can deep inside it), the same saved with
# `nft -j` and read back with --file, and malformed or truncated JSON giving its position.
source "$(dirname "$0")/lib.sh"
fw=$(tool fw-status)
ns=fwt-big-$$
work=$(mktemp -d)
on_exit rm -rf "$work"
on_exit ip netns del "$ns"
ip netns add "$ns" || { echo "cannot create a namespace" >&2; exit 1; }

"$MESHOPS_SRC/bench/fw-status-ruleset" 10000 >"$work/big.nft"
check "10k-rule ruleset loads" ip netns exec "$ns" nft -f "$work/big.nft"
check_rc "live --json on 10k rules" 0 ip netns exec "$ns" "$fw" --json
rules=$(jq .rules <<<"$out")
((rules >= 10000)) && pass "counts $rules rules" || fail "counts $rules rules, expected >= 10000"
check_eq "four zones discovered" "admin internal dmz isolated" "$(jq -r '[.zones[].name] | join(" ")' <<<"$out")"

# Deep in zone_dmz: rule i = 4*k+2 drops veth$b tcp port-range; a plain source on eth0 matches
# nothing there and falls to the final drop; the first accept of zone_dmz takes 10.0.1.0/24.
check_rc "--can deep in the ruleset" 0 ip netns exec "$ns" "$fw" --json --can 10.0.1.7 tcp/1024 --iif eth0
check_eq "accepted by zone_dmz's first rule" "accept zone_dmz" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_rc "--can to a port nobody opens" 0 ip netns exec "$ns" "$fw" --json --can 192.0.2.1 tcp/9 --iif eth0
check_eq "dropped by the input chain's last rule" "drop input" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"

# The same through --file, without any privilege.
ip netns exec "$ns" nft -j list ruleset >"$work/big.json"
chmod 755 "$work" && chmod 644 "$work/big.json"
check_rc "--file as nobody" 0 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$fw" --file "$work/big.json" --json
check_eq "same rule count from the file" "$rules" "$(jq .rules <<<"$out")"

# Malformed and truncated JSON: exit 3, one line naming file, line and column.
head -c 5000 "$work/big.json" >"$work/truncated.json"
check_rc "truncated JSON" 3 "$fw" --file "$work/truncated.json"
check_match "truncated: position" "^fw-status: $work/truncated.json:1:[0-9]+: not valid JSON: syntax error" "$err"
printf '{"nftables": [\n  {"table": {"family": "inet", "name": "x"}},\n  {"chain": oops}\n]}\n' >"$work/bad.json"
check_rc "malformed JSON" 3 "$fw" --file "$work/bad.json"
check_match "malformed: line 3" "^fw-status: $work/bad.json:3:[0-9]+: not valid JSON" "$err"
printf '{"nftables": [{"rule": {"family": "inet", "table": "x", "chain": "c", "expr": []}}]}' >"$work/shape.json"
check_rc "JSON of the wrong shape" 3 "$fw" --file "$work/shape.json"
check_eq "wrong shape: the item" "fw-status: $work/shape.json: nftables[0].rule: rule of unknown chain inet x c" "$err"
check_rc "missing file" 3 "$fw" --file "$work/none.json"
check_rc "bad --can address" 64 "$fw" --file "$work/big.json" --can 1.2.3 tcp/22
check_rc "bad --can port" 64 "$fw" --file "$work/big.json" --can 1.2.3.4 tcp/99999
check_rc "bad flag" 64 "$fw" --no-such-flag

finish
