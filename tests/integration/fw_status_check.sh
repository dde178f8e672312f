#!/usr/bin/env bash
# fw-status --check and the zones view on a real ruleset in a namespace the test creates:
# - an admin zone of one host (allowedIPs 100.64.0.10/32, allowAllServices) whose set holds
#   that host is no drift, and --check agrees with --can (issue 13 item 4);
# - a config that declares nothing checks nothing and says so (item 5);
# - SYNs that no zone takes are dropped by the input chain's final drop, and that row shows
#   them in the zones table, its JSON and --watch (item 6).
source "$(dirname "$0")/lib.sh"
fw=$(tool fw-status)
fixtures=$MESHOPS_SRC/tests/fixtures/nft
work=$(mktemp -d)
on_exit rm -rf "$work"
server_and_client fwc
ip -n "$srv" link add eth1 type veth peer name c-eth netns "$cli"
S ip addr add 198.18.9.1/24 dev eth1
C ip addr add 198.18.9.2/24 dev c-eth
S ip link set eth1 up
C ip link set c-eth up

# The zones of DESIGN.md, admin narrowed to one tailnet host.
sed 's|elements = { 100.64.0.0/10 }|elements = { 100.64.0.10 }|' "$fixtures/zones.nft" >"$work/zones.nft"
check "zones ruleset with a one-host admin set loads" S nft -f "$work/zones.nft"
jq '.firewall.zones.admin.allowedIPs = ["100.64.0.10/32"]' "$fixtures/config.json" >"$work/config.json"

# Item 4: the /32 is probed from its own address, not from .11.
check_rc "--can from the admin host to a port nobody lists" 0 S "$fw" --json --can 100.64.0.10 tcp/1 --iif eth1
check_eq "--can: the admin zone accepts it" "accept zone_admin" "$(jq -r '"\(.verdict) \(.decided_by.chain)"' <<<"$out")"
check_rc "--check on a one-host admin zone" 0 S "$fw" --check -c "$work/config.json"
check_match "--check: no drift" '^OK: ' "$out"
check_rc "--can from the next address" 1 S "$fw" --json --can 100.64.0.11 tcp/1 --iif eth1
check_eq "--can: .11 is not admin" "drop" "$(jq -r .verdict <<<"$out")"
jq '.firewall.zones.admin.allowedIPs = ["100.64.0.10/33"]' "$fixtures/config.json" >"$work/bad.json"
check_rc "--check with an allowedIPs that is no network" 3 S "$fw" --check -c "$work/bad.json"
check_match "names the field" 'firewall\.zones\.admin\.allowedIPs\[0\]' "$err"
# UNKNOWN is a state of the check too: its document is printed (issue 13 item 2).
check_rc "--check --json with an allowedIPs that is no network" 3 S "$fw" --check --json -c "$work/bad.json"
check_eq "--json: status unknown, the error, no finding" "unknown true 0" \
  "$(jq -r '"\(.status) \(.error | test("allowedIPs\\[0\\]")) \(.findings | length)"' <<<"$out")"
check_rc "--check --json without CAP_NET_ADMIN" 3 S setpriv --bounding-set=-net_admin "$fw" --check --json -c "$work/config.json"
check_eq "--json: status unknown, with the hint" "unknown true" "$(jq -r '"\(.status) \(.hint != null)"' <<<"$out")"

# Item 5: nothing declared, nothing checked (a fresh host, a plain tailnet node).
echo '{}' >"$work/empty.json"
check_rc "--check with an empty config" 0 S "$fw" --check -c "$work/empty.json"
check_match "says the default policy is not checked" 'defaultPolicy is not declared' "$out"
check_match "says the zones are not checked" 'no firewall.zones' "$out"
check_rc "--check --json with an empty config" 0 S "$fw" --check --json -c "$work/empty.json"
check_eq "--json: ok, with what was not checked" "ok default_policy,zones" \
  "$(jq -r '"\(.status) \(.not_checked | map(.what) | join(","))"' <<<"$out")"
if [[ ! -e /etc/meshops/config.json && -z ${MESHOPS_CONFIG:-} ]]; then
  check_rc "--check with no config at all" 0 S "$fw" --check
fi
# Declared, it is checked: policy accept against a declared drop is critical.
jq -n '{firewall: {defaultPolicy: "drop"}}' >"$work/drop.json"
check_rc "--check with defaultPolicy drop declared and met" 0 S "$fw" --check -c "$work/drop.json"
S nft delete table inet meshops
S nft add table inet open
S nft add chain inet open input '{ type filter hook input priority 10; policy accept; }'
S nft add rule inet open input tcp dport 22 drop
check_rc "--check with defaultPolicy drop declared, no chain drops" 2 S "$fw" --check -c "$work/drop.json"
check_match "names the declaration" 'declared defaultPolicy: drop' "$out"
# The same host, nothing declared: a fresh install or a plain tailnet node is not CRITICAL.
check_rc "--check with nothing declared, input accepting everything" 0 S "$fw" --check -c "$work/empty.json"
check_match "says the policy is not checked" 'not checked: firewall.defaultPolicy is not declared' "$out"
S nft delete table inet open
check "zones ruleset loads again" S nft -f "$work/zones.nft"

# Item 6: SYNs to a port no zone opens, from a plain address, end in input's final drop.
before=$(S "$fw" --json -c "$fixtures/config.json" | jq '.base_chains[] | select(.chain=="input") | .dropped_packets')
check_match "base chain row has a dropped counter" '^[0-9]+$' "$before"
for port in 7 9 13; do
  C timeout 5 python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.3)
try: s.connect(("198.18.9.1", int(sys.argv[1])))
except OSError: pass' "$port"
done
zones=$(S "$fw" --json -c "$fixtures/config.json")
after=$(jq '.base_chains[] | select(.chain=="input") | .dropped_packets' <<<"$zones")
((after >= before + 3)) && pass "input's final drop counted the 3 SYNs ($before -> $after)" || fail "input drops $before -> $after, expected +3"
check_eq "the drop is input's last rule" "true" "$(jq '.base_chains[] | select(.chain=="input") | .final_drop.handle != null' <<<"$zones")"
check_rc "zones table" 0 S "$fw" -c "$fixtures/config.json" --color never
check_match "zones table has the base chain's row with its drops" "\(input\) +inet meshops input .* $after pkts" "$out"
check_rc "--watch --count 2 --json" 0 S "$fw" --watch 0.2 --count 2 --json -c "$fixtures/config.json"
check_match "--watch samples carry the base chain's drops" "\"chain\":\"input\".*\"dropped_packets\":$after" "$(sed -n 1p <<<"$out")"
check_rc "--watch --count 1 text" 0 S "$fw" --watch 0.2 --count 1 -c "$fixtures/config.json" --color never
check_match "--watch table has the base chain's row" "\(input\) .* $after" "$out"

finish
