#!/usr/bin/env bash
# needs: tailnet
# meshops on a real systemd host (issue 17): `scripts/tailnet host-up` boots the Debian root with
# systemd as PID 1 as the tailnet's fourth node (tailscaled.service from tailscale's own unit,
# nginx.service, nftables.service with the zones, prometheus-node-exporter), and this build's
# .deb (`cpack -G DEB`) is installed there with apt, as the README's "Install on a host" says:
# - install creates the user and the missing textfile directory and enables nothing (opt-in);
#   an upgrade from a real older .deb (PREV_COMMIT's, built once by scripts/deb-at and cached),
#   with its units enabled and running, keeps /etc/meshops, /var/lib/meshops, the user and what
#   was enabled, restarts the running ts-monitor into the new binary and leaves the timers
#   scheduled; purge stops every unit and leaves no file of the package behind;
# - every service starts under systemd with its own hardening and ends healthy on this healthy
#   host (Result=success, exit 0; ts-monitor active, NRestarts=0, a STATUS= line), and the live
#   `systemd-analyze security` exposure of each is at most 2.0;
# - the timers fire (shortened by a drop-in), node_exporter serves the metrics they wrote;
# - ts-monitor, User=meshops and tailscaled's operator, fails over to other-server when
#   kernelcore's tailscaled stops, and back; SIGSTOPped it is restarted by its watchdog;
# - ts-monitor-logs --source journal -f follows tailscaled.service's journal: laptop stopped
#   (while the host sends to it) and started is peer_offline then peer_online; a restart is said
#   once;
# - nginx-test under the old unit's bounding set (no CAP_NET_BIND_SERVICE) is UNKNOWN, not
#   CRITICAL.
# The previous release: main as of the night of 1 December (24e0a41), whose .deb has the
# maintainer scripts but not the Prometheus rules and Icinga CheckCommands.
readonly PREV_COMMIT=24e0a413e342cac8b6ac14211930d206d70edb53
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
readonly MAX_EXPOSURE=2.0
work=$(mktemp -d /tmp/meshops-host.XXXXXX)
on_exit rm -rf "$work"
hx() { "$tailnet" host-exec "$@"; }
prop() { hx systemctl show -P "$2" "$1"; } # prop UNIT PROPERTY
lapse() { echo "# $1: $(($(date +%s) - $2)) s"; }

# --- the packages
t=$(date +%s)
check_rc "cpack -G DEB" 0 cpack -G DEB --config "$MESHOPS_BUILD/CPackConfig.cmake" -B "$work/out"
deb=$(ls "$work"/out/meshops_*.deb 2>/dev/null | head -1)
check "a .deb was made" test -f "$deb"
version=$(dpkg-deb --field "$deb" Version)
lapse "cpack" "$t"
t=$(date +%s)
check_rc "the .deb of ${PREV_COMMIT:0:12} (scripts/deb-at: built once, then cached)" 0 \
  "$MESHOPS_SRC/scripts/deb-at" "$PREV_COMMIT"
prev_deb=$out
prev_version=$(dpkg-deb --field "$prev_deb" Version 2>/dev/null)
check_match "its version is below this build's" "^$version~git\.${PREV_COMMIT:0:12}\$" "$prev_version"
lapse "the previous .deb ($(grep -o 'built in [0-9]* s' <<<"$err" || echo 'from the cache'))" "$t"
dpkg-deb -x "$deb" "$work/new"

# --- the host
on_exit "$tailnet" host-down
"$tailnet" host-down # a fresh boot, never a host left over by an earlier run
t=$(date +%s)
check "host-up: the systemd host boots and joins the tailnet" "$tailnet" host-up
lapse "host-up (boot, tailscaled, nginx, nftables, node_exporter)" "$t"
check_eq "systemd is the host's PID 1 and it is running" "systemd running" \
  "$(hx cat /proc/1/comm) $(hx systemctl is-system-running)"
check_eq "tailscaled.service is tailscale's own unit file" \
  "$(cat "$(dirname "$TAILNET_TAILSCALED")/../gopath/pkg/mod/tailscale.com@v1.98.10/cmd/tailscaled/tailscaled.service" 2>/dev/null | sha256sum)" \
  "$(hx cat /usr/lib/systemd/system/tailscaled.service | sha256sum)"
check_eq "tailscaled.service is active, tailscaled the pinned one" "active 1.98.10" \
  "$(hx systemctl is-active tailscaled.service) $(hx tailscaled --version | head -1)"

# --- install the previous package: user, textfile directory, nothing enabled
hx install -m 0644 /dev/stdin /root/meshops_prev.deb <"$prev_deb"
hx install -m 0644 /dev/stdin /root/meshops.deb <"$deb"
# As on a host without node_exporter's textfile directory (the package must make it).
check "no textfile directory before the install" hx rmdir /var/lib/prometheus/node-exporter
t=$(date +%s)
check_rc "apt-get install ./meshops_prev.deb ($prev_version)" 0 hx apt-get install -y -q /root/meshops_prev.deb
lapse "install" "$t"
check_eq "the previous version is installed" "$prev_version" "$(hx dpkg-query -W -f '${Version}' meshops)"
check_match "postinst made the user meshops" "^meshops:x:[0-9]+:[0-9]+:meshops ts-monitor:/var/lib/meshops:" \
  "$(hx getent passwd meshops)"
check "postinst made the textfile directory" hx test -d /var/lib/prometheus/node-exporter
units=(ts-monitor.service meshops-health.timer ts-quality.timer nginx-logs-summary.timer)
check_eq "no unit enabled on install (opt-in)" "disabled disabled disabled disabled" \
  "$(hx systemctl is-enabled "${units[@]}" | paste -sd' ')"

# The config of this host and the operator, as the README says.
hx install -D -m 0644 /dev/stdin /etc/meshops/config.json <<'JSON'
{"tailscale": {"hostname": "host", "tailnetDomain": "tailnet.test"},
 "monitoring": {"checkInterval": 1, "maxLatency": 500, "maxPacketLoss": 50, "failureThreshold": 3,
   "enableAutoFailover": true, "targets": [], "exitNodes": ["kernelcore", "other-server"],
   "restoreInterval": 1, "restoreThreshold": 2},
 "nginx": {"services": {"ollama": {"subdomain": "ollama", "upstreamPort": 11434, "rateLimit": "20r/s",
   "maxBodySize": "500M", "healthPath": "/api/tags"}}},
 "firewall": {"defaultPolicy": "drop", "enableLogging": true,
   "zones": {"dmz": {"allowedTCPPorts": [80, 443], "allowedUDPPorts": [443]},
             "internal": {"interfaces": ["tailscale0"], "allowedServices": ["ssh", "postgresql", "ollama"]},
             "admin": {"allowedIPs": ["100.64.0.0/10"], "allowAllServices": true},
             "isolated": {}}}}
JSON
check_rc "tailscale set --operator=meshops" 0 hx tailscale set --operator=meshops
check_rc "exit node kernelcore" 0 hx tailscale set --exit-node=kernelcore
check_rc "systemctl enable --now ts-monitor and the timers" 0 hx systemctl enable --now "${units[@]}"
ts_monitor_ok() {
  [[ "$(prop ts-monitor.service ActiveState)" == active && -n "$(prop ts-monitor.service StatusText)" ]]
}
check "ts-monitor active with a STATUS= line" wait_until 30 ts_monitor_ok
state_saved() { hx test -s /var/lib/meshops/ts-monitor.json; }
check "ts-monitor saved its state" wait_until 30 state_saved
timers=(meshops-health.timer ts-quality.timer nginx-logs-summary.timer)
# scheduled TIMER: active and waiting with a next elapse (OnUnitActiveSec/OnBootSec: monotonic).
scheduled() { [[ "$(prop "$1" ActiveState) $(prop "$1" SubState)" == "active waiting" && "$(prop "$1" NextElapseUSecMonotonic)" != 0 ]]; }
for u in "${timers[@]}"; do check "$prev_version: $u scheduled" wait_until 10 scheduled "$u"; done

# --- upgrade to this build's package
conf_sum=$(hx sha256sum /etc/meshops/config.json)
state_owner=$(hx stat -c %U /var/lib/meshops/ts-monitor.json)
invocation=$(prop ts-monitor.service InvocationID)
t=$(date +%s)
check_rc "apt-get install ./meshops.deb: the upgrade" 0 hx apt-get install -y -q /root/meshops.deb
lapse "upgrade" "$t"
check_eq "the new version is installed" "$version" "$(hx dpkg-query -W -f '${Version}' meshops)"
check_eq "upgrade kept /etc/meshops/config.json" "$conf_sum" "$(hx sha256sum /etc/meshops/config.json)"
check_eq "upgrade kept /var/lib/meshops and its owner" "$state_owner" "$(hx stat -c %U /var/lib/meshops/ts-monitor.json)"
check_eq "what was enabled stays enabled" "enabled enabled enabled enabled" \
  "$(hx systemctl is-enabled "${units[@]}" | paste -sd' ')"
check "the running ts-monitor was restarted into the new binary" \
  test "$(prop ts-monitor.service InvocationID)" != "$invocation"
check "ts-monitor active again with a STATUS= line" wait_until 30 ts_monitor_ok
pid=$(prop ts-monitor.service MainPID)
check_eq "its process runs /usr/bin/ts-monitor of the new package" \
  "/usr/bin/ts-monitor $(sha256sum <"$work/new/usr/bin/ts-monitor")" \
  "$(hx readlink "/proc/$pid/exe") $(hx sh -c 'sha256sum </proc/"$1"/exe' sh "$pid")"
check_eq "ts-monitor: no restart after the upgrade" "0" "$(prop ts-monitor.service NRestarts)"
check_match "the user meshops is still there" "^meshops:x:" "$(hx getent passwd meshops)"
for u in "${timers[@]}"; do check "after the upgrade: $u still scheduled" scheduled "$u"; done
check_eq "no unit of the package failed" "" \
  "$(hx systemctl list-units --failed --no-legend --plain "${units[@]}" "${timers[@]/.timer/.service}")"
check "the new package's files, e.g. /usr/share/meshops/prometheus/meshops.rules.yml" \
  hx test -f /usr/share/meshops/prometheus/meshops.rules.yml

# --- every service under systemd, on this healthy host
t=$(date +%s)
for s in meshops-health ts-quality nginx-logs-summary; do
  check_rc "systemctl start $s.service" 0 hx systemctl start "$s.service"
  check_eq "$s.service: Result=success, exit 0" "success 0" \
    "$(prop "$s.service" Result) $(prop "$s.service" ExecMainStatus)"
done
lapse "the three check services" "$t"
[[ "$(prop meshops-health.service ExecMainStatus)" == 0 ]] ||
  hx journalctl -u meshops-health.service -n 20 --no-pager | sed 's/^/# /'
check_rc "meshops-health from a root shell on the host: OK" 0 hx meshops-health
sed 's/^/# /' <<<"$out"  # the README's "Install on a host" shows this output
check_eq "ts-monitor: active, no restart, running as meshops" "active 0 meshops" \
  "$(prop ts-monitor.service ActiveState) $(prop ts-monitor.service NRestarts) $(hx ps -o user= -p "$(prop ts-monitor.service MainPID)")"
check_match "ts-monitor's STATUS= line" "." "$(prop ts-monitor.service StatusText)"
echo "# ts-monitor STATUS=$(prop ts-monitor.service StatusText)"
for s in ts-monitor meshops-health ts-quality nginx-logs-summary; do
  exposure=$(hx systemd-analyze security --no-pager "$s.service" |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  echo "# live exposure $s.service: $exposure"
  if [[ -n "$exposure" ]] && awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
    pass "$s.service: live exposure $exposure <= $MAX_EXPOSURE"
  else
    fail "$s.service: live exposure '$exposure' above $MAX_EXPOSURE"
  fi
done

# --- the timers fire (a drop-in: 1 s after the timer starts), node_exporter reads their metrics
for s in meshops-health ts-quality nginx-logs-summary; do
  hx install -D -m 0644 /dev/stdin "/etc/systemd/system/$s.timer.d/test.conf" <<'DROPIN'
[Timer]
OnBootSec=
OnUnitActiveSec=
OnActiveSec=1s
RandomizedDelaySec=0
AccuracySec=1s
DROPIN
done
hx systemctl daemon-reload
declare -A before
for s in meshops-health ts-quality nginx-logs-summary; do
  before[$s]=$(prop "$s.service" InvocationID)
  hx systemctl restart "$s.timer"
done
fired() { [[ "$(prop "$1.service" InvocationID)" != "${before[$1]}" && "$(prop "$1.service" ActiveState)" == inactive ]]; }
for s in meshops-health ts-quality nginx-logs-summary; do
  check "$s.timer fired its service" wait_until 60 fired "$s"
  check_eq "$s.service run by the timer: success" "success 0" \
    "$(prop "$s.service" Result) $(prop "$s.service" ExecMainStatus)"
done
metrics=$(hx curl -sf http://127.0.0.1:9100/metrics)
check_match "node_exporter: node_textfile_scrape_error 0" $'\nnode_textfile_scrape_error 0\n' "$metrics"
check_match "node_exporter: meshops-health's state 0" $'\nmeshops_health_state 0\n' "$metrics"
check_match "node_exporter: ts-status's peers online" $'\nmeshops_ts_status_peers_online [0-9]+\n' "$metrics"
for f in meshops-health meshops-ts-quality nginx-logs; do
  check_match "node_exporter read $f.prom" "node_textfile_mtime_seconds\\{file=\"[^\"]*$f.prom\"\\}" "$metrics"
done

# --- ts-monitor-logs follows tailscaled.service's live journal (a transient unit of the host)
check_rc "ts-monitor-logs --source journal -f started" 0 hx systemd-run --unit=meshops-test-logs \
  -p StandardOutput=file:/root/logs.ndjson /usr/bin/ts-monitor-logs --source journal -f --json
logs_has() { hx jq -se "map($1) | length > 0" /root/logs.ndjson >/dev/null 2>&1; }
check "it reads tailscaled.service's lines" wait_until 20 logs_has 'select(.source=="journal")'
# A peer offline and back in the live journal: laptop's tailscaled stopped while the host sends
# to it (tailscale ping, disco via DERP, as ts-monitor's probes do: tailscaled logs a peer's
# state only on traffic to it), then started (its new disco key is logged without traffic).
on_exit "$tailnet" start-node laptop
"$tailnet" stop-node laptop >/dev/null 2>&1
laptop_offline() {
  hx tailscale ping -c 1 --timeout 1s laptop >/dev/null 2>&1
  logs_has 'select(.event=="peer_offline" and .peer=="laptop")'
}
check "ts-monitor-logs: laptop went offline" wait_until 60 laptop_offline
"$tailnet" start-node laptop >/dev/null 2>&1
check "ts-monitor-logs: laptop is back" wait_until 60 logs_has 'select(.event=="peer_online" and .peer=="laptop")'
check_eq "offline then online, each once" "peer_offline peer_online" \
  "$(hx jq -rs '[.[] | select(.peer=="laptop" and (.event=="peer_offline" or .event=="peer_online")) | .event] | join(" ")' /root/logs.ndjson)"

# --- failover: kernelcore's tailscaled stopped; ts-monitor (the operator) moves to other-server
on_exit "$tailnet" start-node kernelcore
node_id() { hx tailscale status --json | jq -r --arg n "$1" '.Peer[] | select(.HostName == $n) | .ID'; }
exit_node_is() { [[ "$(hx tailscale status --json | jq -r '.ExitNodeStatus.ID // "none"')" == "$1" ]]; }
kc_id=$(node_id kernelcore) os_id=$(node_id other-server)
check "the host uses kernelcore as its exit node" exit_node_is "$kc_id"
t=$(date +%s)
"$tailnet" stop-node kernelcore >/dev/null 2>&1
check "ts-monitor failed over to other-server" wait_until 90 exit_node_is "$os_id"
lapse "failover" "$t"
check_match "the journal says the failover" "failover" "$(hx journalctl -u ts-monitor.service --no-pager -n 50)"
"$tailnet" start-node kernelcore >/dev/null 2>&1
check "ts-monitor restored kernelcore" wait_until 120 exit_node_is "$kc_id"
check_eq "ts-monitor never restarted meanwhile" "active 0" \
  "$(prop ts-monitor.service ActiveState) $(prop ts-monitor.service NRestarts)"

# tailscaled.service restarted: said once by ts-monitor-logs.
check_rc "systemctl restart tailscaled" 0 hx systemctl restart tailscaled.service
check "ts-monitor-logs: the restart" wait_until 30 logs_has 'select(.event=="daemon_restarted")'
check_eq "ts-monitor-logs said it once" "1" \
  "$(hx jq -s '[.[] | select(.event=="daemon_restarted")] | length' /root/logs.ndjson)"
hx systemctl stop meshops-test-logs.service

# --- the watchdog: a stopped ts-monitor is restarted after WatchdogSec (a drop-in: 3 s)
hx install -D -m 0644 /dev/stdin /etc/systemd/system/ts-monitor.service.d/test.conf <<<$'[Service]\nWatchdogSec=3s'
hx systemctl daemon-reload
hx systemctl restart ts-monitor.service
check "ts-monitor up under the short watchdog" wait_until 30 ts_monitor_ok
pid=$(prop ts-monitor.service MainPID)
t=$(date +%s)
hx kill -STOP "$pid"
restarted() { [[ "$(prop ts-monitor.service NRestarts)" == 1 && "$(prop ts-monitor.service MainPID)" != "$pid" ]]; }
check "SIGSTOPped ts-monitor restarted by the watchdog" wait_until 30 restarted
lapse "watchdog restart" "$t"
check_match "systemd says it was the watchdog" "[Ww]atchdog timeout" "$(hx journalctl -u ts-monitor.service --no-pager -n 30)"
check "ts-monitor active again" wait_until 30 ts_monitor_ok

# --- the environment at fault: nginx-test under the old unit's bounding set is UNKNOWN
check_rc "nginx-test without CAP_NET_BIND_SERVICE: unknown (3)" 3 hx systemd-run --wait --pipe --quiet \
  -p "CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_OVERRIDE" /usr/bin/nginx-test --only syntax --json
check_match "the JSON says why" "permission user root lacks: bind\(\) to 0.0.0.0:80 failed \(13: Permission denied\)" \
  "$(jq -r .problem <<<"$out")"
check_match "the hint names the capability" "hint: root here lacks CAP_NET_BIND_SERVICE" "$err"

# --- purge: the units stop, nothing of the package is left
mapfile -t files < <(hx dpkg-query -L meshops | sort -r)
t=$(date +%s)
check_rc "apt-get purge meshops" 0 hx apt-get purge -y -q meshops
lapse "purge" "$t"
check_eq "prerm stopped ts-monitor" "inactive" "$(prop ts-monitor.service ActiveState)"
check_eq "no ts-monitor process left" "" "$(hx ps -C ts-monitor -o pid= | tr -d ' ')"
left=()
for f in "${files[@]}"; do
  if hx test ! -d "$f" -a \( -f "$f" -o -L "$f" \); then left+=("$f"); fi
done
check_eq "no file of the package left" "" "${left[*]}"
check "/etc/meshops removed" hx test ! -e /etc/meshops
check "/var/lib/meshops removed" hx test ! -e /var/lib/meshops
check_eq "no metrics of meshops left" "" "$(hx ls /var/lib/prometheus/node-exporter | grep -E 'meshops|nginx-logs')"
check_eq "no enablement symlink left" "" "$(hx find /etc/systemd/system -type l \( -name ts-monitor.service \
  -o -name '*.timer' \) -lname '/lib/systemd/system/*' -print | grep -E 'ts-monitor|meshops|ts-quality|nginx-logs')"

# --- down: no container, namespace, copy or process left
t=$(date +%s)
check "host-down" "$tailnet" host-down
lapse "host-down" "$t"
check_eq "no namespace of the host" "" "$(ip netns list | grep "^$TAILNET_NAME-host\b")"
check_eq "no ephemeral copy" "" "$(ls -A /var/cache/meshops/host-root | grep '^\.#machine')"
check_eq "no systemd-nspawn of this run" "" "$(pgrep -f "systemd-nspawn.*$TAILNET_RUN/" || true)"
check_eq "no mount of this run" "" "$(grep -F "$TAILNET_RUN/host" /proc/self/mountinfo || true)"

finish
