#!/usr/bin/env bash
# needs: tailnet
# nginx-logs keyed by tailnet identity (issue 16): from laptop's tailscaled, --by peer names
# tailnet clients "kernelcore (tag:server)" (its IPv4 and IPv6 rows added up) and leaves other
# addresses alone; --peer NAME filters summary and filter to the node's addresses; without
# tailscaled --by peer says so once and carries on with addresses, --peer cannot and exits 3;
# --peer with --by peer reads tailscaled's status once for both.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
logs=$(tool nginx-logs)
d=$(mktemp -d)
on_exit rm -rf "$d"
sock=$TAILNET_SOCK_LAPTOP
nl() { ip netns exec "$TAILNET_NS_LAPTOP" "$logs" --socket "$sock" "$@"; }

# Requests as nginx logs them (combined): kernelcore twice over IPv4 and once over IPv6,
# laptop once, an address outside the tailnet twice.
line() { echo "$1 - - [02/Dec/2026:07:00:0$2 +0000] \"GET /$3 HTTP/1.1\" $4 100 \"-\" \"curl/7.88\""; }
{
  line "$TAILNET_IP4_KERNELCORE" 1 a 200
  line "$TAILNET_IP4_KERNELCORE" 2 b 502
  line "$TAILNET_IP6_KERNELCORE" 3 c 200
  line "$TAILNET_IP4_LAPTOP" 4 d 404
  line 198.51.100.9 5 e 200
  line 198.51.100.9 6 f 200
} >"$d/access.log"

check_rc "--by peer: exit 0" 0 nl summary --by peer --json "$d/access.log"
check_eq "--by peer: nodes by name and tags, the stranger by address" \
  "kernelcore (tag:server):3:1 198.51.100.9:2:0 laptop (tag:client):1:0" \
  "$(jq -r '[.by.rows[] | "\(.key):\(.requests):\(.status_class["5xx"])"] | join(" ")' <<<"$out")"
check_eq "--by peer: the key is peer" "peer" "$(jq -r .by.key <<<"$out")"
check_eq "--by peer: nothing on stderr" "" "$err"
check_rc "--by peer text" 0 nl summary --by peer "$d/access.log"
check_match "--by peer text: a row for kernelcore" "kernelcore \(tag:server\) +3 " "$out"
check_rc "--by peer --top 1" 0 nl summary --by peer --top 1 --json "$d/access.log"
check_eq "--top cuts after the merge" "kernelcore (tag:server)" "$(jq -r '[.by.rows[].key] | join(",")' <<<"$out")"

check_rc "--peer kernelcore: exit 0" 0 nl summary --peer kernelcore --json "$d/access.log"
check_eq "--peer kernelcore: its IPv4 and IPv6 requests" "3" "$(jq .requests <<<"$out")"
check_rc "filter --peer laptop" 0 nl filter --peer laptop "$d/access.log"
check_eq "filter --peer laptop: its one line" "1 /d" "$(wc -l <<<"$out") $(awk '{print $7}' <<<"$out")"
check_rc "--peer kernelcore --by peer: exit 0" 0 nl summary --peer kernelcore --by peer --json "$d/access.log"
check_eq "--peer kernelcore --by peer: one row, named (one status call serves both)" "kernelcore (tag:server):3" \
  "$(jq -r '[.by.rows[] | "\(.key):\(.requests)"] | join(" ")' <<<"$out")"
check_rc "--peer of no node: exit 3" 3 nl summary --peer no-such-node "$d/access.log"
check_match "--peer of no node: says so" "--peer no-such-node: no node of the tailnet has that name" "$err"

# Without tailscaled.
nx() { "$logs" --socket "$d/no-tailscaled.sock" "$@"; }
check_rc "--by peer without tailscaled: carries on" 0 nx summary --by peer --json "$d/access.log"
check_eq "--by peer without tailscaled: addresses" "$TAILNET_IP4_KERNELCORE 198.51.100.9" \
  "$(jq -r '[.by.rows[:2][].key] | join(" ")' <<<"$out")"
check_eq "--by peer without tailscaled: said once" "1" "$(grep -c 'clients stay addresses' <<<"$err")"
check_rc "--peer without tailscaled: exit 3" 3 nx summary --peer kernelcore "$d/access.log"
check_match "--peer without tailscaled: why" "--peer needs tailscaled's status: cannot reach tailscaled" "$err"
check_rc "--peer --by peer without tailscaled: exit 3" 3 nx summary --peer kernelcore --by peer "$d/access.log"
check_eq "--peer --by peer without tailscaled: one error, no --by peer warning" \
  "1 0" "$(grep -c "needs tailscaled's status" <<<"$err") $(grep -c 'clients stay addresses' <<<"$err")"

# A follow reads the status once and keeps it: lines appended later are named too.
ip netns exec "$TAILNET_NS_LAPTOP" "$logs" --socket "$sock" summary -f --from-start --by peer --interval 0.2 --json \
  "$d/access.log" >"$d/follow.ndjson" 2>"$d/follow.err" &
follow_pid=$!
on_exit kill "$follow_pid"
line "$TAILNET_IP4_LAPTOP" 7 g 200 >>"$d/access.log"
laptop_twice() { tail -n 1 "$d/follow.ndjson" | jq -e '.by.rows[] | select(.key == "laptop (tag:client)" and .requests == 2)'; }
check "follow: the appended laptop line is counted under laptop's name within 10 s" wait_until 10 laptop_twice
kill "$follow_pid"
finish
