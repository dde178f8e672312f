#!/usr/bin/env bash
# fw-status against real packets: the four zones of DESIGN.md (tests/fixtures/nft/zones.nft)
# and tailscale's chains in a second table on the same hooks (tailscale.nft) are loaded in a
# server namespace; a client namespace sends real TCP SYNs and UDP datagrams across veth pairs
# (one of them named tailscale0). For every source/interface/port of the grid, `fw-status
# --can` must give the verdict the packets met, and the counter of the rule it names must
# have moved by the packets sent.
source "$(dirname "$0")/lib.sh"
fw=$(tool fw-status)
fixtures=$MESHOPS_SRC/tests/fixtures/nft
work=$(mktemp -d)
on_exit rm -rf "$work"
server_and_client fwt

# server iface <-> client iface, 198.18.N.1 (server) / 198.18.N.2 (client)
link() {
  ip -n "$srv" link add "$1" type veth peer name "$2" netns "$cli"
  S ip addr add "198.18.$3.1/24" dev "$1"
  C ip addr add "198.18.$3.2/24" dev "$2"
  S ip link set "$1" up
  C ip link set "$2" up
}
link tailscale0 c-ts 1
link eth1 c-eth 2
link iso1 c-iso 3
# Tailnet-range sources on the client: one arriving on tailscale0, one on a plain interface.
C ip addr add 100.64.6.6/32 dev c-ts
C ip addr add 100.64.5.5/32 dev c-eth
S ip route add 100.64.6.6/32 dev tailscale0
S ip route add 100.64.5.5/32 dev eth1

check "zones ruleset loads" S nft -f "$fixtures/zones.nft"
check "tailscale ruleset loads" S nft -f "$fixtures/tailscale.nft"

# Listeners on every port of the grid: TCP accepts, UDP datagrams logged as "udp PORT SRC".
tcp_ports=(22 443 5432 8080 11434)
udp_ports=(443 5353 41641)
cat >"$work/listen.py" <<'PY'
import selectors, socket, sys
log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()
for p in sys.argv[2].split(","):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(64); sel.register(s, selectors.EVENT_READ, "tcp")
for p in sys.argv[3].split(","):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(p)))
    sel.register(s, selectors.EVENT_READ, "udp")
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        if key.data == "tcp":
            c, _ = key.fileobj.accept(); c.close()
        else:
            data, addr = key.fileobj.recvfrom(2048)
            log.write("udp %d %s\n" % (key.fileobj.getsockname()[1], addr[0]))
PY
touch "$work/udp.log"
# Directly, not through S: $! must be the listener itself for the cleanup to reach it.
ip netns exec "$srv" python3 "$work/listen.py" "$work/udp.log" "$(IFS=,; echo "${tcp_ports[*]}")" "$(IFS=,; echo "${udp_ports[*]}")" >"$work/listen.out" 2>&1 &
listener=$!
on_exit kill "$listener"
wait_until 10 grep -q ready "$work/listen.out" || fail "listener did not start"

# The grid: source address, client interface it leaves by, server interface it arrives on.
grid=("198.18.2.2 eth1" "198.18.1.2 tailscale0" "100.64.6.6 tailscale0" "100.64.5.5 eth1" "198.18.3.2 iso1")

# TCP: a connect that completes was accepted; a timeout was a drop; refused is a reject.
tcp_probe() {
  C timeout 5 python3 - "$1" "$2" <<'PY'
import socket, sys
src, port = sys.argv[1], int(sys.argv[2])
dst = {"198.18.1.2": "198.18.1.1", "100.64.6.6": "198.18.1.1", "198.18.2.2": "198.18.2.1",
       "100.64.5.5": "198.18.2.1", "198.18.3.2": "198.18.3.1"}[src]
s = socket.socket(); s.bind((src, 0)); s.settimeout(1.5)
try:
    s.connect((dst, port)); print("accept")
except ConnectionRefusedError:
    print("reject")
except OSError:
    print("drop")
PY
}
udp_send() {
  C timeout 5 python3 - "$1" "$2" <<'PY'
import socket, sys
src, port = sys.argv[1], int(sys.argv[2])
dst = {"198.18.1.2": "198.18.1.1", "100.64.6.6": "198.18.1.1", "198.18.2.2": "198.18.2.1",
       "100.64.5.5": "198.18.2.1", "198.18.3.2": "198.18.3.1"}[src]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, 0)); s.sendto(b"probe", (dst, port))
PY
}

declare -A expected_accepts expected_drops  # "chain handle" -> packets the rule must have seen
accepts=0 drops=0
probe() {  # probe SRC IFACE PROTO PORT
  local src=$1 ifc=$2 proto=$3 port=$4 real said rule
  local can want_rc
  can=$(S "$fw" --json --can "$src" "$proto/$port" --iif "$ifc")
  local rc=$?
  [[ $(jq -r .verdict <<<"$can") == accept ]] && want_rc=0 || want_rc=1
  ((rc == want_rc)) || fail "--can $src $proto/$port: exit $rc, expected $want_rc for its verdict"
  said=$(jq -r .verdict <<<"$can")
  rule=$(jq -r 'if .decided_by == null or .decided_by.handle == null then "" else "\(.decided_by.family) \(.decided_by.table) \(.decided_by.chain) \(.decided_by.handle)" end' <<<"$can")
  if [[ $proto == tcp ]]; then
    real=$(tcp_probe "$src" "$port")
  else
    udp_send "$src" "$port"
    if wait_until 2 grep -q "^udp $port $src\$" "$work/udp.log"; then real=accept; else real=drop; fi
  fi
  check_eq "--can $src $proto/$port --iif $ifc agrees with real packets" "$real" "$said"
  if [[ -n $rule ]]; then
    if [[ $said == accept ]]; then
      expected_accepts[$rule]=$((${expected_accepts[$rule]:-0} + 1))
      accepts=$((accepts + 1))
    else
      expected_drops[$rule]=$((${expected_drops[$rule]:-0} + 1))
      drops=$((drops + 1))
    fi
  fi
}
for g in "${grid[@]}"; do
  read -r src ifc <<<"$g"
  for p in "${tcp_ports[@]}"; do probe "$src" "$ifc" tcp "$p"; done
  for p in "${udp_ports[@]}"; do probe "$src" "$ifc" udp "$p"; done
done
((accepts > 5 && drops > 5)) && pass "the grid has accepts ($accepts) and drops ($drops)" || fail "grid too one-sided: $accepts accepts, $drops drops"

# Counters: each accepting rule saw exactly the first packets sent its way (the rest of a
# connection is ct established); each dropping rule at least as many (SYNs are retried).
S "$fw" --json --rules >"$work/after.json"
counter_of() {  # family table chain handle
  jq -r --arg f "$1" --arg t "$2" --arg c "$3" --argjson h "$4" \
    '.chain_rules[] | select(.family==$f and .table==$t and .chain==$c) | .rules[] | select(.handle==$h) | .packets' "$work/after.json"
}
for rule in "${!expected_accepts[@]}"; do
  read -r f t c h <<<"$rule"
  check_eq "counter of accepting rule $rule" "${expected_accepts[$rule]}" "$(counter_of "$f" "$t" "$c" "$h")"
done
for rule in "${!expected_drops[@]}"; do
  read -r f t c h <<<"$rule"
  got=$(counter_of "$f" "$t" "$c" "$h")
  if [[ $got =~ ^[0-9]+$ ]] && ((got >= ${expected_drops[$rule]})); then
    pass "counter of dropping rule $rule ($got >= ${expected_drops[$rule]})"
  else
    fail "counter of dropping rule $rule: $got, expected >= ${expected_drops[$rule]}"
  fi
done

# The zone view reads the same counters, live through libnftables.
zones=$(S "$fw" --json -c "$fixtures/config.json")
check_eq "schema" "meshops/fw-status/1" "$(jq -r .schema <<<"$zones")"
check_match "dmz accepted packets moved" '^[1-9]' "$(jq -r '.zones[] | select(.name=="dmz") | .accepted_packets' <<<"$zones")"
check_match "isolated dropped packets moved" '^[1-9]' "$(jq -r '.zones[] | select(.name=="isolated") | .dropped_packets' <<<"$zones")"
check_eq "ts-input recognised as tailscale's, hooked from INPUT" "ip filter ts-input INPUT (hook input, priority 0)" \
  "$(jq -r '.tailscale_chains[] | select(.chain=="ts-input") | "\(.family) \(.table) \(.chain) \(.hooked_from[0])"' <<<"$zones")"
check_eq "internal zone comes from tailscale0" "tailscale0" "$(jq -r '.zones[] | select(.name=="internal") | .interfaces | join(",")' <<<"$zones")"

# --check: the fixture matches the declared zones; then drift it.
check_rc "--check on the declared zones" 0 S "$fw" --check -c "$fixtures/config.json"
S nft add rule inet meshops zone_dmz tcp dport 8080 accept
check_rc "--check with an undeclared open port" 2 S "$fw" --check -c "$fixtures/config.json"
check_match "names the port" 'tcp/8080 is open' "$out"
S nft flush chain inet meshops zone_dmz
S nft add rule inet meshops zone_dmz tcp dport '{ 80, 443 }' accept
S nft add rule inet meshops zone_dmz udp dport 443 accept
handle=$(S nft -a list chain inet meshops input | sed -n 's/.*udp dport 41641 .*# handle \([0-9]*\)/\1/p')
S nft delete rule inet meshops input handle "$handle"
check_rc "--check with tailscaled's port closed" 1 S "$fw" --check -c "$fixtures/config.json"
check_match "explains DERP fallback" 'DERP' "$out"
check_rc "--check --json" 1 S "$fw" --check --json -c "$fixtures/config.json"
check_eq "--check --json status" "warning" "$(jq -r .status <<<"$out")"

# Without CAP_NET_ADMIN: exit 3 and a clear message.
check_rc "no CAP_NET_ADMIN" 3 S setpriv --bounding-set=-net_admin --inh-caps=-net_admin "$fw"
check_match "says why" '^fw-status: reading the ruleset: permission denied \(CAP_NET_ADMIN needed\)' "$err"

# --watch: rates per sample, bounded by --count, and ended cleanly by SIGINT.
check_rc "--watch --count 3 --json" 0 S "$fw" --watch 0.2 --count 3 --json
check_eq "three NDJSON samples" 3 "$(grep -c '"event":"sample"' <<<"$out")"
check_match "second sample has rates" '"accepted_packets_per_s":[0-9]' "$(sed -n 2p <<<"$out")"
# ip netns exec execs the tool, so $! is fw-status itself (a function would put a subshell,
# which ignores SIGINT in the background, in between).
ip netns exec "$srv" "$fw" --watch 0.2 >"$work/watch.out" 2>&1 &
watcher=$!
on_exit kill "$watcher"
wait_until 10 grep -q ZONE "$work/watch.out" || fail "--watch printed nothing"
kill -INT "$watcher"
deadline=$((SECONDS + 10))
while kill -0 "$watcher" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
if kill -0 "$watcher" 2>/dev/null; then
  fail "--watch still running 10 s after SIGINT"
else
  wait "$watcher"
  check_eq "--watch ends on SIGINT with exit 0" 0 "$?"
fi

finish
