#!/usr/bin/env bash
# needs: tailnet
# ts-monitor and ts-monitor-logs on the real tailnet of scripts/tailnet, run for laptop (which
# uses kernelcore as exit node), with 1 s checks from a test config. UDP to kernelcore dropped:
# the path goes to DERP relay and ts-monitor-logs says so. All of kernelcore's traffic dropped
# with nft in its namespace: after failureThreshold (3) failed checks laptop's exit node is
# other-server (tailscale status says so) and the webhook receiver run here got the failover
# POST; the drop removed, kernelcore is restored after restoreThreshold healthy probes. laptop's
# tailscaled killed: the monitor reports unknown, keeps running, recovers; ts-monitor-logs says
# the restart once. SIGTERM saves the state and exits 0; a restart resumes from it; --dry-run
# decides without acting; --status reads it. Every nft table, node and exit node is restored.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
monitor=$(tool ts-monitor)
logs=$(tool ts-monitor-logs)
sock=$TAILNET_SOCK_LAPTOP
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
tsl() { "$TAILNET_TAILSCALE" --socket "$sock" "$@"; }
exit_node() { tsl status --json | jq -r '.ExitNodeStatus.ID // "none"'; }
node_id() { tsl status --json | jq -r --arg n "$1" '.Peer[] | select(.HostName == $n) | .ID'; }
kc_nft() { ip netns exec "$TAILNET_NS_KERNELCORE" nft "$@"; }

# What we perturb, restored whatever happens (last registered runs first).
on_exit tsl set --exit-node=
on_exit "$tailnet" start-node laptop
on_exit kc_nft delete table inet tsmon_all
on_exit kc_nft delete table inet tsmon_udp

# The webhook receiver: records each POST body as a line.
port=$(free_port)
python3 "$MESHOPS_SRC/tests/integration/webhook_receiver.py" 127.0.0.1 "$port" "$tmp/hook.ndjson" &
hook_pid=$!
on_exit kill "$hook_pid"
wait_until 10 bash -c "echo >/dev/tcp/127.0.0.1/$port" || fail "webhook receiver did not start"

cat >"$tmp/config.json" <<EOF
{"monitoring": {"checkInterval": 1, "maxLatency": 500, "maxPacketLoss": 50, "failureThreshold": 3,
  "enableAutoFailover": true, "targets": [], "exitNodes": ["kernelcore", "other-server"],
  "restoreInterval": 1, "restoreThreshold": 2, "stateDir": "$tmp/state",
  "alert": {"webhook": "http://tester:s3cret@127.0.0.1:$port/hook"}}}
EOF
mon() { "$monitor" -c "$tmp/config.json" --socket "$sock" --timeout 3 --probes 3 "$@"; }

kc_id=$(node_id kernelcore)
os_id=$(node_id other-server)
check "laptop sees kernelcore and other-server" test -n "$kc_id" -a -n "$os_id"
check "laptop uses kernelcore as exit node" tsl set --exit-node=kernelcore
tsl ping -c 3 kernelcore >/dev/null 2>&1

# --dry-run --once: decides, does not write the state.
check_rc "--once --dry-run on a healthy tailnet: exit 0" 0 mon --once --dry-run --json
check_eq "--dry-run: check healthy, marked" "healthy true" \
  "$(jq -r 'select(.event=="check") | "\(.health) \(.dry_run)"' <<<"$out")"
check "--dry-run wrote no state file" test ! -e "$tmp/state/ts-monitor.json"

# ts-monitor-logs follows laptop's LocalAPI streams through the whole run.
"$logs" --source localapi --socket "$sock" --json >"$tmp/logs.ndjson" 2>"$tmp/logs.err" &
logs_pid=$!
on_exit kill "$logs_pid"
# Started directly (not through the mon function) so that $! is ts-monitor itself.
"$monitor" -c "$tmp/config.json" --socket "$sock" --timeout 3 --probes 3 --json >"$tmp/events.ndjson" 2>"$tmp/monitor.err" &
mon_pid=$!
on_exit kill "$mon_pid"
# file_has FILE FILTER: some record of the NDJSON file passes FILTER (-s: plain jq -e would
# judge by the last record only).
file_has() { jq -se "map($2) | length > 0" "$1" >/dev/null 2>&1; }
has_event() { grep -q "\"event\":\"$1\"" "$tmp/events.ndjson"; }
logs_has() { file_has "$tmp/logs.ndjson" "$1"; }
exit_node_is() { [[ "$(exit_node)" == "$1" ]]; }
check "monitor started" wait_until 15 has_event started
check "a healthy check on kernelcore" wait_until 15 \
  file_has "$tmp/events.ndjson" 'select(.event=="check" and .health=="healthy" and .exit_node=="kernelcore")'

# 1. UDP to kernelcore dropped: the path goes through DERP; checks stay healthy.
kc_nft -f - <<'NFT'
table inet tsmon_udp {
  chain i { type filter hook input priority -10; iifname "eth0" udp dport 41641 drop; }
  chain o { type filter hook output priority -10; oifname "eth0" udp sport 41641 drop; }
}
NFT
check "ts-monitor-logs: kernelcore's path direct -> relay" wait_until 60 \
  logs_has 'select(.event=="path_changed" and .peer=="kernelcore" and (.to|startswith("relay")))'
kc_nft delete table inet tsmon_udp

# 2. All of kernelcore's traffic dropped: fail over to other-server.
kc_nft -f - <<'NFT'
table inet tsmon_all {
  chain i { type filter hook input priority -10; iifname "eth0" drop; }
  chain o { type filter hook output priority -10; oifname "eth0" drop; }
}
NFT
check "laptop's exit node is other-server (tailscale status)" wait_until 60 exit_node_is "$os_id"
check_eq "3 failed checks in a row before the failover" "3" \
  "$(jq -s '[.[] | select(.event=="check" or .event=="failover")] | (map(.event) | index("failover")) as $f |
            [.[:$f] | reverse | .[] | .health] | (index("healthy") // length)' "$tmp/events.ndjson")"
check "the webhook got the failover" wait_until 15 \
  file_has "$tmp/hook.ndjson" 'select(.event=="failover" and .transition.to_exit_node=="other-server")'
check "ts-monitor-logs: exit node kernelcore -> other-server" wait_until 15 \
  logs_has 'select(.event=="exit_node_changed" and .from=="kernelcore" and .to=="other-server")'
# The check that failed over was failed (exit 2); the next one, on other-server, is healthy.
status_rc_is() { mon --status >/dev/null 2>&1; [[ $? == "$1" ]]; }
check "--status once healthy on the fallback: warning (exit 1)" wait_until 15 status_rc_is 1
check_rc "--status --json" 1 mon --status --json
check_eq "--status: mode failover on other-server" "failover other-server" \
  "$(jq -r '.state | "\(.mode) \(.exit_node)"' <<<"$out")"

# 3. The drop removed: kernelcore restored after the healthy probes.
kc_nft delete table inet tsmon_all
check "laptop's exit node is kernelcore again" wait_until 90 exit_node_is "$kc_id"
check_eq "two healthy probes in a row before the restore" "healthy healthy" \
  "$(jq -rs '(map(.event) | index("restore")) as $r | [.[:$r][] | select(.event=="restore_probe") | .health][-2:] | join(" ")' "$tmp/events.ndjson")"
check "the webhook got the restore" wait_until 15 file_has "$tmp/hook.ndjson" 'select(.event=="restore")'
check "ts-monitor-logs: exit node other-server -> kernelcore" wait_until 15 \
  logs_has 'select(.event=="exit_node_changed" and .from=="other-server" and .to=="kernelcore")'
check "the webhook URL's credentials never printed" bash -c "! grep -q s3cret '$tmp/events.ndjson' '$tmp/monitor.err'"

# 4. laptop's tailscaled killed: unknown, the monitor keeps running, and recovers.
"$tailnet" stop-node laptop >/dev/null 2>&1
check "monitor reports unknown" wait_until 30 has_event unknown
check "monitor still running" kill -0 "$mon_pid"
"$tailnet" start-node laptop >/dev/null 2>&1
check "monitor recovered" wait_until 60 has_event recovered
check "the webhook got unknown and recovered" wait_until 15 \
  bash -c "grep -q '\"event\":\"unknown\"' '$tmp/hook.ndjson' && grep -q '\"event\":\"recovered\"' '$tmp/hook.ndjson'"
check "ts-monitor-logs: back after the restart" wait_until 30 logs_has 'select(.event=="daemon_back")'
check_eq "ts-monitor-logs said the restart once each way" "1 1" \
  "$(jq -rs '"\([.[] | select(.event=="daemon_lost")] | length) \([.[] | select(.event=="daemon_back")] | length)"' "$tmp/logs.ndjson")"
check "ts-monitor-logs still running" kill -0 "$logs_pid"

# 5. SIGTERM: state saved, exit 0; a restart resumes from it.
checks_before=$(jq -s '[.[] | select(.event=="check")] | length' "$tmp/events.ndjson")
kill -TERM "$mon_pid"
wait "$mon_pid"
check_eq "SIGTERM: exit 0" "0" "$?"
check "SIGTERM: stopped event" has_event stopped
check_eq "state file: primary on kernelcore, every check counted" "primary kernelcore true" \
  "$(jq -r --argjson n "$checks_before" '"\(.mode) \(.exit_node) \(.checks >= $n)"' "$tmp/state/ts-monitor.json")"
check_eq "state file: the failover and the restore kept" "failover primary" \
  "$(jq -r '[.transitions[].to] | join(" ")' "$tmp/state/ts-monitor.json")"
check_rc "restart with --once: resumes, healthy on the primary" 0 mon --once --json
check_match "restart resumed from the state file" '"event":"started".*"reason":"resumed from' "$out"
check_rc "--status: ok" 0 mon --status
check_match "--status text" "primary +kernelcore" "$out"

finish
