#!/usr/bin/env bash
# scripts/tailnet itself, on a tailnet of its own (not the shared "ci" one): `down` cleans up an
# interrupted `up`; `up` brings every node to Running with its peers online, exit nodes offered
# and routes approved, the lan reachable through kernelcore, /etc/resolv.conf untouched; a
# second `up` changes nothing; stop-node/start-node take a node offline and back; `down` leaves
# no process, namespace or file behind, and a second `down` is harmless.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
export MESHOPS_TAILNET="h$(printf '%07d' $(($$ % 10000000)))"
run_dir=/run/meshops-tailnet/$MESHOPS_TAILNET
on_exit "$tailnet" down
quiet() { "$@" >/dev/null 2>&1; }

# Nothing of this run is left: no process naming the run dir, no namespace, no file.
nothing_left() {
  ! pgrep -f -- "$run_dir/" >/dev/null &&
    ! ip netns list | grep -q "^$MESHOPS_TAILNET-" &&
    [[ ! -e $run_dir && ! -e /run/meshops-tailnet/$MESHOPS_TAILNET.lock ]]
}

# 1. An `up` killed half-way (headscale and a tailscaled started), then `down`.
"$tailnet" up >/dev/null 2>&1 &
up_pid=$!
check "the interrupted up got as far as starting a tailscaled" wait_until 120 test -s "$run_dir/kernelcore/pid"
kill -TERM "$up_pid"
wait "$up_pid"
check "the interrupted up left daemons to clean" quiet pgrep -f -- "$run_dir/"
check_rc "down after an interrupted up" 0 "$tailnet" down
check "nothing left after the interrupted up" nothing_left

# 2. A full `up`.
resolv_before=$(sha256sum </etc/resolv.conf)
t0=$(date +%s%N)
check_rc "up" 0 "$tailnet" up
echo "# up took $((($(date +%s%N) - t0) / 1000000)) ms"
eval "$("$tailnet" env)"
ts=$TAILNET_TAILSCALE
sock_of() { local v="TAILNET_SOCK_$(tr 'a-z-' 'A-Z_' <<<"$1")"; echo "${!v}"; }
ns_of() { local v="TAILNET_NS_$(tr 'a-z-' 'A-Z_' <<<"$1")"; echo "${!v}"; }
status_of() { "$ts" --socket="$(sock_of "$1")" status --json; }

for node in $TAILNET_NODES; do
  st=$(status_of "$node")
  check_eq "$node is Running" Running "$(jq -r .BackendState <<<"$st")"
  check_eq "$node's hostname" "$node" "$(jq -r .Self.HostName <<<"$st")"
  check_match "$node has a tailnet IPv4" '^100\.64\.0\.[0-9]+$' "$(jq -r '.Self.TailscaleIPs[0]' <<<"$st")"
  check "$node has a tailscale0 in its namespace" quiet ip -n "$(ns_of "$node")" link show tailscale0
  for peer in $TAILNET_NODES; do
    [[ $peer == "$node" ]] && continue
    p=$(jq -c --arg p "$peer" '.Peer[] | select(.HostName == $p)' <<<"$st")
    check_eq "$node sees $peer online" true "$(jq -r .Online <<<"$p")"
    case $peer in
      kernelcore | other-server) check_eq "$node sees $peer offer an exit node" true "$(jq -r .ExitNodeOption <<<"$p")" ;;
      *) check_eq "$node sees $peer offer no exit node" false "$(jq -r .ExitNodeOption <<<"$p")" ;;
    esac
  done
done
check_eq "laptop sees kernelcore's lan route" "$TAILNET_LAN_SUBNET" \
  "$(status_of laptop | jq -r '.Peer[] | select(.HostName == "kernelcore") | .PrimaryRoutes | join(",")')"

hs() { "$TAILNET_HEADSCALE" -c "$TAILNET_HEADSCALE_CONFIG" "$@"; }
approved() { # approved NODE: the routes headscale approved for NODE, sorted, comma-separated
  local id
  id=$(hs nodes list -o json | jq -r --arg n "$1" '.[] | select(.given_name == $n) | .id')
  hs nodes list-routes --identifier "$id" -o json | jq -r '[.[0].approved_routes[]?] | sort | join(",")'
}
check_eq "headscale approved kernelcore's routes" "0.0.0.0/0,198.19.0.0/24,::/0" "$(approved kernelcore)"
check_eq "headscale approved other-server's exit routes" "0.0.0.0/0,::/0" "$(approved other-server)"
check_eq "headscale approved nothing for laptop" "" "$(approved laptop)"
check "laptop reaches the lan host through kernelcore's subnet route" \
  quiet ip netns exec "$TAILNET_NS_LAPTOP" ping -c 1 -W 5 "$TAILNET_LAN_HOST"
check "laptop pings kernelcore over the tailnet" \
  quiet "$ts" --socket="$TAILNET_SOCK_LAPTOP" ping --c 5 --timeout 5s "$TAILNET_IP4_KERNELCORE"
check_eq "/etc/resolv.conf untouched" "$resolv_before" "$(sha256sum </etc/resolv.conf)"
check_rc "status says all Running" 0 "$tailnet" status

# 3. `up` again: already up, same daemons.
pids_before=$(cat "$run_dir"/*/pid)
check_rc "second up" 0 "$tailnet" up
check_match "second up says already up" "already up" "$err"
check_eq "second up kept the daemons" "$pids_before" "$(cat "$run_dir"/*/pid)"

# 4. One node down and back, state kept.
peer_online() { [[ "$(status_of laptop | jq -r --arg p "$1" '.Peer[] | select(.HostName == $p) | .Online')" == "$2" ]]; }
other_ip=$TAILNET_IP4_OTHER_SERVER
check_rc "stop-node other-server" 0 "$tailnet" stop-node other-server
check "laptop sees other-server offline within 60 s" wait_until 60 peer_online other-server false
check_rc "status is not all Running with a node stopped" 1 "$tailnet" status
check_rc "start-node other-server" 0 "$tailnet" start-node other-server
check "laptop sees other-server online again within 60 s" wait_until 60 peer_online other-server true
eval "$("$tailnet" env)"
check_eq "other-server kept its tailnet IP" "$other_ip" "$TAILNET_IP4_OTHER_SERVER"
check_rc "stop-node of an unknown node" 1 "$tailnet" stop-node nosuch

# 5. `down`, twice.
t0=$(date +%s%N)
check_rc "down" 0 "$tailnet" down
echo "# down took $((($(date +%s%N) - t0) / 1000000)) ms"
check "nothing left after down" nothing_left
check_rc "second down" 0 "$tailnet" down
check "nothing left after the second down" nothing_left
check_rc "status after down" 3 "$tailnet" status
finish
