#!/usr/bin/env bash
# needs: tailnet
# The exit node in use goes offline (issue 13 item 1): laptop uses other-server as its exit
# node, other-server's tailscaled is killed, and once laptop's netmap says so every check says
# CRITICAL: ts-status (reason naming it), ts-quality (measures it although it is offline, also
# beside configured targets, and calls it down) and meshops-health. Everything runs in laptop's
# namespace, where its tailscaled and its routes are. The exit node and other-server are put
# back on exit, whatever happened.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
ns=$TAILNET_NS_LAPTOP
sock=$TAILNET_SOCK_LAPTOP
in_ns() { ip netns exec "$ns" "$@"; }
ts() { in_ns "$TAILNET_TAILSCALE" --socket "$sock" "$@"; }
ts_status() { in_ns "$(tool ts-status)" --socket "$sock" "$@"; }
q() { in_ns "$(tool ts-quality)" --socket "$sock" --no-netcheck "$@"; }
localapi() { curl -sf --max-time 5 --unix-socket "$sock" "http://local-tailscaled.sock/localapi/v0/$1"; }

# meshops-health: the C++ tool when it is built, else the script; ts-status and ts-quality on
# its PATH are the ones built here.
bin=$(mktemp -d)
on_exit rm -rf "$bin"
ln -s "$(tool ts-status)" "$bin/ts-status"
ln -s "$(tool ts-quality)" "$bin/ts-quality"
health=$(tool meshops-health)
[[ -x "$health" ]] || health="$MESHOPS_BUILD/scripts/meshops-health"
mh() { in_ns env PATH="$bin:/usr/sbin:/usr/bin:/sbin:/bin" "$health" --socket "$sock" --only ts-status,ts-quality "$@"; }

on_exit "$tailnet" start-node other-server
on_exit "$TAILNET_TAILSCALE" --socket "$sock" set --exit-node=
ts set --exit-node="$TAILNET_IP4_OTHER_SERVER"
using() { localapi status | jq -e '.ExitNodeStatus.Online == true' >/dev/null; }
check "laptop uses other-server as exit node" wait_until 30 using
check_rc "exit node online: ts-status ok" 0 ts_status --json
check_eq "exit node online: no reason" "ok []" "$(jq -c -r '"\(.status) \(.reasons)"' <<<"$out")"

"$tailnet" stop-node other-server >/dev/null 2>&1
gone() { localapi status | jq -e '.ExitNodeStatus != null and .ExitNodeStatus.Online == false' >/dev/null; }
t0=$SECONDS
check "laptop's netmap says the exit node is offline within 90 s" wait_until 90 gone
echo "# the netmap said offline after $((SECONDS - t0)) s"

check_rc "ts-status: exit node offline is CRITICAL" 2 ts_status --json
check_eq "ts-status: the reason names it" \
  'critical ["exit node other-server is offline: this node'"'"'s exit traffic goes nowhere"]' \
  "$(jq -c -r '"\(.status) \(.reasons)"' <<<"$out")"
check_eq "ts-status: exit_node online false, addresses without /32" "false $TAILNET_IP4_OTHER_SERVER" \
  "$(jq -r '"\(.exit_node.online) \(.exit_node.tailscale_ips[0])"' <<<"$out")"
check_rc "ts-status text: exit 2" 2 ts_status
check_match "ts-status text: says offline" "Exit node: +using other-server \(offline\)" "$out"

check_rc "ts-quality, every online peer: the offline exit node is measured too, exit 2" 2 q -n 2 -i 0.2 --timeout 1 --json
check_eq "ts-quality: other-server down, offline in the netmap" "down false offline in the netmap" \
  "$(jq -r '.targets[] | select(.name == "other-server") | "\(.verdict) \(.online) \(.reasons[0])"' <<<"$out")"
check_eq "ts-quality: kernelcore still ok, status critical" "ok critical" \
  "$(jq -r '"\(.targets[] | select(.name == "kernelcore") | .verdict) \(.status)"' <<<"$out")"
cfg=$(mktemp)
on_exit rm -f "$cfg"
echo '{"monitoring": {"targets": ["kernelcore"]}}' >"$cfg"
check_rc "ts-quality with configured targets: the exit node on top, exit 2" 2 q -c "$cfg" -n 2 -i 0.2 --timeout 1 --json
check_eq "ts-quality: configured target and exit node" "kernelcore:ok other-server:down" \
  "$(jq -r '[.targets[] | "\(.name):\(.verdict)"] | join(" ")' <<<"$out")"

check_rc "meshops-health: CRITICAL" 2 mh --timeout 20
check_match "meshops-health: ts-status names the exit node" "CRITICAL +ts-status +exit node other-server is offline" "$out"
check_match "meshops-health: ts-quality says other-server is down" "CRITICAL +ts-quality .*other-server: down" "$out"

"$tailnet" start-node other-server >/dev/null 2>&1
check "other-server back: ts-status ok again within 60 s" wait_until 60 ts_status
finish
