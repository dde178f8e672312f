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
check_rc "--can to a port nobody opens: a drop exits 1" 1 ip netns exec "$ns" "$fw" --json --can 192.0.2.1 tcp/9 --iif eth0
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

# A number nlohmann cannot hold, and fields of the wrong type: one line with the place, exit 3.
printf '{"nftables": [\n{"chain": {"family": "inet", "table": "t", "name": "c", "handle": 1e400}}]}' >"$work/overflow.json"
check_rc "number overflow" 3 "$fw" --file "$work/overflow.json"
check_match "overflow: position, no internal error" "^fw-status: $work/overflow.json:2:[0-9]+: not valid JSON: number overflow parsing '1e400'\$" "$err"
printf '{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": 7}}]}' >"$work/types.json"
check_rc "policy of the wrong type" 3 "$fw" --file "$work/types.json"
check_eq "wrong type: the field named" "fw-status: $work/types.json: nftables[1].chain.policy: expected a string, got number" "$err"

# Names from the ruleset reach the terminal escaped, in the --can line too (an OSC title
# sequence in a table name, a colour in a chain name).
printf '{"nftables": [{"table": {"family": "inet", "name": "t\\u001b]0;owned\\u0007"}}, {"chain": {"family": "inet", "table": "t\\u001b]0;owned\\u0007", "name": "c\\u001b[31m", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]}' >"$work/esc.json"
check_rc "--can on hostile names (policy drop: exit 1)" 1 "$fw" --file "$work/esc.json" --can 192.0.2.1 tcp/22
check_eq "--can: no control byte reaches the terminal" "" "$(LC_ALL=C tr -d '[:print:]\n' <<<"$out")"
check_match "--can: the names escaped once" 'by the policy of inet t\\e\]0;owned\\x07 c\\e\[31m' "$out"
check_rc "bad --can address" 64 "$fw" --file "$work/big.json" --can 1.2.3 tcp/22
check_rc "bad --can port" 64 "$fw" --file "$work/big.json" --can 1.2.3.4 tcp/99999
check_rc "bad flag" 64 "$fw" --no-such-flag
check_rc "--can with --check is usage" 64 "$fw" --file "$work/big.json" --can 10.0.1.7 tcp/22 --check
check_match "--can/--check: CLI11 names the clash" "excludes" "$err"
check_rc "--can with --watch is usage" 64 "$fw" --file "$work/big.json" --can 10.0.1.7 tcp/22 --watch 1
check_rc "--check with --watch is usage" 64 "$fw" --file "$work/big.json" --check --watch 1
check_rc "--watch --prom is usage" 64 "$fw" --file "$work/big.json" --watch 1 --count 1 --prom
check_eq "--watch --prom: one line and a hint" "fw-status: --watch prints rates as a table or NDJSON (--json), not Prometheus metrics" "$(head -1 <<<"$err")"

# --can names a service of /etc/services for the port; the help has no CLI11 leftover (issue 13
# item 17 and polish).
zt=$MESHOPS_SRC/tests/fixtures/nft/zones_tailscale.json
check_rc "--can with a service name" 0 "$fw" --file "$zt" --json --can 198.51.100.9 tcp/https --iif eth0
check_eq "https is 443, accepted by dmz" "443 https accept zone_dmz" "$(jq -r '"\(.query.port) \(.query.service) \(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_rc "--can with a service name unknown for the protocol" 64 "$fw" --file "$zt" --can 198.51.100.9 tcp/no-such-service
check_match "names the service" 'no-such-service.*neither a port nor a tcp service' "$err"
check_rc "--can from a tailnet address without --iif" 0 "$fw" --file "$zt" --json --can 100.64.0.7 tcp/22
check_eq "tailscale0 assumed" "tailscale0 true" "$(jq -r '"\(.query.iif) \(.query.iif_assumed)"' <<<"$out")"
check_rc "--can from another address without --iif" 1 "$fw" --file "$zt" --json --can 198.51.100.9 tcp/22
check_eq "nothing assumed" "null false" "$(jq -r '"\(.query.iif) \(.query.iif_assumed)"' <<<"$out")"
check_rc "--help" 0 "$fw" --help
check_match "--help shows --can SRC PROTO/PORT" '--can SRC PROTO/PORT ' "$out"
check_eq "--help: no 'x 2' leftover" 0 "$(grep -c 'PROTO/PORT x 2' <<<"$out")"
check_rc "zones --json" 0 "$fw" --file "$zt" --json
check_match "generated_at is RFC 3339" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "$(jq -r .generated_at <<<"$out")"

finish
