#!/usr/bin/env bash
# needs: tailnet
# ts-monitor-logs on the real tailnet (issue 13 items 8, 9, 16): a --file that is not there is
# exit 3 at once, with -f too; a restart of laptop's tailscaled yields daemon_lost/daemon_back
# and no peer event (the view after it equals the last one before it), while a real change
# after it (other-server stopped) still yields its peer_offline; laptop's real log file gives
# the same kinds of events as the bus where the log says enough.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
logs=$(tool ts-monitor-logs)
sock=$TAILNET_SOCK_LAPTOP
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# Item 8: a missing file.
check_rc "--file /nonexistent: exit 3" 3 timeout 10 "$logs" --file /nonexistent/tailscaled.log
check_match "--file /nonexistent: says so" "^ts-monitor-logs: --file /nonexistent/tailscaled.log: No such file or directory" "$err"
check_rc "--file /nonexistent -f: exit 3, no silent wait" 3 timeout 10 "$logs" --file /nonexistent/tailscaled.log -f
check_rc "--source journal --file /nonexistent: exit 3" 3 timeout 10 "$logs" --source journal --file /nonexistent/x.journal

# Item 9: laptop's tailscaled restarted under a running ts-monitor-logs.
"$logs" --source localapi --socket "$sock" --json >"$tmp/bus.ndjson" 2>"$tmp/bus.err" &
pid=$!
on_exit kill "$pid"
has() { jq -e -s "[.[] | $1] | length > 0" "$tmp/bus.ndjson" >/dev/null; }
# Streaming once a LocalAPI write shows up in its log tap (a PATCH that changes nothing).
route_all=$(curl -sf --unix-socket "$sock" http://local-tailscaled.sock/localapi/v0/prefs | jq -r .RouteAll)
streaming() { "$TAILNET_TAILSCALE" --socket "$sock" set --accept-routes="$route_all" && has 'select(.source == "logtap")'; }
check "ts-monitor-logs streams laptop's log tap" wait_until 20 streaming
on_exit "$tailnet" start-node laptop
on_exit "$tailnet" start-node other-server
"$tailnet" stop-node laptop >/dev/null 2>&1
check "daemon_lost when laptop's tailscaled stops" wait_until 30 has 'select(.event == "daemon_lost")'
"$tailnet" start-node laptop >/dev/null 2>&1
check "daemon_back when it is up again" wait_until 30 has 'select(.event == "daemon_back")'
# A real change after the restart: its event comes after any the restart could have caused.
"$tailnet" stop-node other-server >/dev/null 2>&1
check "other-server stopped: peer_offline other-server" wait_until 60 \
  has 'select(.event == "peer_offline" and .peer == "other-server")'
"$tailnet" start-node other-server >/dev/null 2>&1
check_eq "the restart itself yielded no peer event: only other-server's offline after daemon_back" \
  "peer_offline:other-server" \
  "$(jq -r -s '(map(.event) | index("daemon_back")) as $b | [.[$b:][] | select(.event | startswith("peer_")) | "\(.event):\(.peer)"] | first' "$tmp/bus.ndjson")"
check_eq "and none before other-server went offline" "0" \
  "$(jq -r -s '(map(.event) | index("daemon_lost")) as $l | (map(.event == "peer_offline" and .peer == "other-server") | index(true)) as $o | [.[$l:$o][] | select(.event | startswith("peer_"))] | length' "$tmp/bus.ndjson")"
kill "$pid" 2>/dev/null

# Item 16: laptop's own log file of this tailnet run, read as a file: the events it says.
"$TAILNET_TAILSCALE" --socket "$sock" ping -c 3 kernelcore >/dev/null 2>&1
logfile="$TAILNET_RUN/laptop/log"
direct_seen() { "$logs" --file "$logfile" --socket "$sock" --json | jq -e -s '[.[] | select(.event == "path_changed" and .peer == "kernelcore")] | length > 0' >/dev/null; }
check "--file: a direct path to kernelcore, named through tailscaled" wait_until 20 direct_seen
check_rc "--file laptop's log: exit 0" 0 "$logs" --file "$logfile" --socket "$sock" --json
events=$(jq -r 'select(.event != "log") | .event' <<<"$out" | sort -u | tr '\n' ' ')
for kind in backend_state_changed derp_home_changed derp_connected derp_disconnected control_connected control_disconnected; do
  check_match "--file derives $kind" "(^| )$kind( |$)" "$events"
done
check_eq "--file: the restart's states in order" "NoState->Starting Starting->Running" \
  "$(jq -r -s '[.[] | select(.event == "backend_state_changed") | "\(.from)->\(.to)"] | .[-2:] | join(" ")' <<<"$out")"
check_rc "--file --category router: the routing lines have their own category" 0 "$logs" --file "$logfile" --category router --json
check_match "router lines are there" '"category":"router"' "$out"

# A line before the first time stamp keeps its time unknown (null), never the current time.
{ grep -v '^[0-9]' "$MESHOPS_SRC/tests/fixtures/tailscale-logs/tailscaled-events-laptop.log" | head -1
  grep '^[0-9]' "$MESHOPS_SRC/tests/fixtures/tailscale-logs/tailscaled-events-laptop.log" | head -2; } >"$tmp/unstamped.log"
check_rc "--file with an unstamped first line" 0 "$logs" --file "$tmp/unstamped.log" --json
check_eq "its ts is null, the next lines have theirs" "null 2026-12-01 2026-12-01" \
  "$(jq -r -s 'map(select(.event == "log") | (.ts // "null") | .[0:10]) | join(" ")' <<<"$out")"
finish
