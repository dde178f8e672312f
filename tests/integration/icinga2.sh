#!/usr/bin/env bash
# needs: tailnet
# The shipped CheckCommands (packaging/icinga2/meshops.conf) run by a real Icinga 2 (Debian's
# 2.13, as root with its own paths in a temp folder, never the system service), and the
# states and performance data read back from what Icinga wrote (its PerfdataWriter, with the
# plugin output added to the line). One OK and one CRITICAL case per tool:
#   ts-status, ts-quality  laptop of the real tailnet (a wrapper runs them in its namespace):
#                          OK while healthy; CRITICAL once other-server, laptop's exit node and
#                          the measured peer, has its tailscaled stopped;
#   fw-status --check      the DESIGN.md zones loaded into a namespace of this test: OK with the
#                          config that declares them, CRITICAL with one that leaves 443 out;
#   nginx-test             Debian's nginx on tests/fixtures/nginx-test/conf: OK for --only
#                          syntax, CRITICAL for every check (its upstreams are down);
#   nginx-logs             judges nothing: OK, with the counts as perfdata;
#   meshops-health         OK and CRITICAL with ts-status, when it is the C++ tool (--plugin).
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
command -v icinga2 >/dev/null || { fail "icinga2 is not installed (scripts/install-deps)"; finish; exit; }
d=$(mktemp -d /tmp/meshops-icinga2.XXXXXX)
chmod 755 "$d"
on_exit rm -rf "$d"
mkdir -p "$d"/{etc,lib,cache,log,spool/tmp,run,bin,nginx/logs,nginx/conf/certs}

# --- the checked things ------------------------------------------------------------------
# fw-status: the zones of DESIGN.md in a namespace (fw_status_check.sh's narrowed admin set).
fixtures=$MESHOPS_SRC/tests/fixtures/nft
fwns=icinga-fw-$$
on_exit ip netns del "$fwns"
ip netns add "$fwns"
sed 's|elements = { 100.64.0.0/10 }|elements = { 100.64.0.10 }|' "$fixtures/zones.nft" >"$d/zones.nft"
check "zones ruleset loads in $fwns" ip netns exec "$fwns" nft -f "$d/zones.nft"
jq '.firewall.zones.admin.allowedIPs = ["100.64.0.10/32"]' "$fixtures/config.json" >"$d/fw-ok.json"
jq '.firewall.zones.dmz.allowedTCPPorts = [80]' "$d/fw-ok.json" >"$d/fw-drift.json"
# nginx-test: the fixture configuration with a fresh certificate; its upstreams are not running.
cp -r "$MESHOPS_SRC/tests/fixtures/nginx-test/conf/." "$d/nginx/conf/"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=llama.kernelcore.example.ts.net \
  -keyout "$d/nginx/conf/certs/llama.key" -out "$d/nginx/conf/certs/llama.pem" 2>/dev/null
echo '{}' >"$d/empty.json"

# The binaries Icinga runs (vars.meshops_bin_dir): the tailnet tools in laptop's namespace,
# fw-status in the firewall's, the others as they are.
wrap() {  # wrap NAME NETNS|- : $d/bin/NAME execs the built NAME, in NETNS unless "-"
  local real
  real=$(tool "$1")
  if [[ $2 == - ]]; then printf '#!/bin/sh\nexec %q "$@"\n' "$real" >"$d/bin/$1"
  else printf '#!/bin/sh\nexec ip netns exec %q %q "$@"\n' "$2" "$real" >"$d/bin/$1"; fi
  chmod 755 "$d/bin/$1"
}
wrap ts-status "$TAILNET_NS_LAPTOP"
wrap ts-quality "$TAILNET_NS_LAPTOP"
wrap fw-status "$fwns"
wrap nginx-test -
wrap nginx-logs -
health=no
if [[ -x $(tool meshops-health) ]] && "$(tool meshops-health)" --help 2>/dev/null | grep -q -- --plugin; then
  health=yes
  # Its checks are found on PATH beside it: the built ts-status, run in laptop's namespace.
  mkdir -p "$d/health"
  ln -s "$(tool ts-status)" "$d/health/ts-status"
  printf '#!/bin/sh\nexec ip netns exec %q env PATH=%q %q "$@"\n' "$TAILNET_NS_LAPTOP" "$d/health:/usr/bin:/bin" \
    "$(tool meshops-health)" >"$d/bin/meshops-health"
  chmod 755 "$d/bin/meshops-health"
else
  echo "# meshops-health is not the C++ tool with --plugin in this build: its services are left out"
fi

# --- Icinga 2 ------------------------------------------------------------------------------
sock=$TAILNET_SOCK_LAPTOP
cat >"$d/etc/icinga2.conf" <<EOF
include <itl>
include "$MESHOPS_SRC/packaging/icinga2/meshops.conf"
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$d/spool/service-perfdata"
  service_temp_path = "$d/spool/tmp/service-perfdata"
  host_perfdata_path = "$d/spool/host-perfdata"
  host_temp_path = "$d/spool/tmp/host-perfdata"
  service_format_template = "SERVICE::\$service.name\$\tSTATE::\$service.state\$\tTIMET::\$icinga.timet\$\tPERFDATA::\$service.perfdata\$\tOUTPUT::\$service.output\$"
  rotation_interval = 1s
}
object Host "testhost" {
  check_command = "dummy"
  vars.dummy_state = 0
  check_interval = 1m
}
template Service "meshops-test" {
  host_name = "testhost"
  check_interval = 1s
  retry_interval = 1s
  max_check_attempts = 1
  vars.meshops_bin_dir = "$d/bin"
  vars.meshops_config = "$d/empty.json"
  vars.meshops_socket = "$sock"
}
object Service "ts-status" { import "meshops-test"; check_command = "meshops-ts-status" }
object Service "ts-quality" {
  import "meshops-test"
  check_command = "meshops-ts-quality"
  vars.meshops_ts_quality_peers = [ "other-server" ]
  vars.meshops_ts_quality_count = 3
  vars.meshops_ts_quality_interval = 0.2
  vars.meshops_ts_quality_no_netcheck = true
  vars.meshops_timeout = 2
}
object Service "fw-status-ok" {
  import "meshops-test"
  check_command = "meshops-fw-status"
  vars.meshops_config = "$d/fw-ok.json"
}
object Service "fw-status-drift" {
  import "meshops-test"
  check_command = "meshops-fw-status"
  vars.meshops_config = "$d/fw-drift.json"
}
object Service "nginx-test-syntax" {
  import "meshops-test"
  check_command = "meshops-nginx-test"
  vars.meshops_nginx_test_nginx = "/usr/sbin/nginx"
  vars.meshops_nginx_test_prefix = "$d/nginx"
  vars.meshops_nginx_test_config_file = "$d/nginx/conf/nginx.conf"
  vars.meshops_nginx_test_only = "syntax"
  vars.meshops_timeout = 1
}
object Service "nginx-test-all" {
  import "meshops-test"
  check_command = "meshops-nginx-test"
  vars.meshops_nginx_test_nginx = "/usr/sbin/nginx"
  vars.meshops_nginx_test_prefix = "$d/nginx"
  vars.meshops_nginx_test_config_file = "$d/nginx/conf/nginx.conf"
  vars.meshops_timeout = 1
}
object Service "nginx-logs" {
  import "meshops-test"
  check_command = "meshops-nginx-logs"
  vars.meshops_nginx_logs_file = "$MESHOPS_SRC/tests/fixtures/nginx-logs/combined.log"
}
EOF
if [[ $health == yes ]]; then
  cat >>"$d/etc/icinga2.conf" <<EOF
object Service "meshops-health" {
  import "meshops-test"
  check_command = "meshops-health"
  vars.meshops_health_only = "ts-status"
}
EOF
fi
icinga_args=(-c "$d/etc/icinga2.conf" -DConfiguration.DataDir="$d/lib" -DConfiguration.LogDir="$d/log"
  -DConfiguration.CacheDir="$d/cache" -DConfiguration.SpoolDir="$d/spool" -DConfiguration.InitRunDir="$d/run"
  -DConfiguration.PidPath="$d/run/icinga2.pid" -DConfiguration.RunAsUser=root -DConfiguration.RunAsGroup=root
  -DConfiguration.ConfigDir="$d/etc" -DConfiguration.ZonesDir="$d/etc/zones.d"
  -DConfiguration.StatePath="$d/lib/icinga2.state" -DConfiguration.ObjectsPath="$d/cache/icinga2.debug"
  -DConfiguration.VarsPath="$d/cache/icinga2.vars" -DConfiguration.ModAttrPath="$d/lib/modified-attributes.conf")
check_rc "icinga2 validates the shipped CheckCommands and the test's services" 0 icinga2 daemon -C "${icinga_args[@]}"
((_failed == 0)) || { echo "$out" | tail -n 20 >&2; finish; exit; }

# The faults are undone whatever happens (last registered runs first).
on_exit "$tailnet" start-node other-server
on_exit "$TAILNET_TAILSCALE" --socket "$sock" set --exit-node=
"$TAILNET_TAILSCALE" --socket "$sock" set --exit-node="$TAILNET_IP4_OTHER_SERVER"
localapi() { curl -sf --max-time 5 --unix-socket "$sock" "http://local-tailscaled.sock/localapi/v0/$1"; }
using() { localapi status | jq -e '.ExitNodeStatus.Online == true' >/dev/null; }
check "laptop uses other-server as exit node" wait_until 30 using

icinga2 daemon "${icinga_args[@]}" >"$d/icinga2.log" 2>&1 &
icinga_pid=$!
exited() { [[ ! -e /proc/$1 || $(ps -o stat= -p "$1") == Z* ]]; }
stop_icinga() { kill "$icinga_pid" 2>/dev/null; wait_until 20 exited "$icinga_pid" || kill -9 "$icinga_pid"; wait "$icinga_pid" 2>/dev/null; }
on_exit stop_icinga
show_log() { ((_failed == 0)) || grep -E 'warning|critical' "$d/icinga2.log" | tail -n 20 >&2; }
on_exit show_log

# result SERVICE STATE [AFTER]: the last line Icinga wrote for SERVICE in STATE (at or after
# the Unix time AFTER). Icinga writes the perfdata as it parsed it (labels quoted only where
# they need it) and the text before '|' with its trailing blank.
result() {
  cat "$d"/spool/service-perfdata.* 2>/dev/null |
    awk -F '\t' -v s="SERVICE::$1" -v st="STATE::$2" -v after="${3:-0}" '
      $1 == s && $2 == st { t = $3; sub("TIMET::", "", t); if (t + 0 >= after + 0) last = $0 }
      END { if (last == "") exit 1; print last }'
}
has() { result "$@" >/dev/null; }
field() { awk -F '\t' -v k="$1::" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }'; }

# --- healthy: OK (and the drift, the dead upstreams CRITICAL) ------------------------------
declare -A want=([ts-status]=OK [ts-quality]=OK [fw-status-ok]=OK [fw-status-drift]=CRITICAL
  [nginx-test-syntax]=OK [nginx-test-all]=CRITICAL [nginx-logs]=OK)
[[ $health == yes ]] && want[meshops-health]=OK
for s in ts-status ts-quality fw-status-ok fw-status-drift nginx-test-syntax nginx-test-all nginx-logs meshops-health; do
  [[ -v want[$s] ]] || continue
  check "Icinga has $s ${want[$s]} within 60 s" wait_until 60 has "$s" "${want[$s]}"
done
r=$(result ts-status OK)
check_match "ts-status OK: its text" "^TS-STATUS OK - Running, 2/2 peers online ?$" "$(field OUTPUT <<<"$r")"
check_match "ts-status OK: Icinga parsed the perfdata" "(^| )peers_online=2( |$)" "$(field PERFDATA <<<"$r")"
r=$(result ts-quality OK)
check_match "ts-quality OK: rtt in seconds with its warn threshold" "'other-server rtt_avg'=[0-9.]+s;0\.2;;0" "$(field PERFDATA <<<"$r")"
check_match "ts-quality OK: loss in %" "'other-server loss'=0%;5;;0;100" "$(field PERFDATA <<<"$r")"
r=$(result fw-status-drift CRITICAL)
check_match "fw-status CRITICAL: names the undeclared port" "^FW-STATUS CRITICAL - tcp/443 is open .* but no zone declares it" "$(field OUTPUT <<<"$r")"
check_match "fw-status CRITICAL: one critical finding" "'critical drift_findings'=1" "$(field PERFDATA <<<"$r")"
check_match "fw-status OK: matches" "^FW-STATUS OK - ruleset matches the declared zones" "$(result fw-status-ok OK | field OUTPUT)"
r=$(result nginx-test-all CRITICAL)
check_match "nginx-test CRITICAL: the upstream down" "^NGINX-TEST CRITICAL - upstream:127\.0\.0\.1:[0-9]+: TCP connect .* refused" "$(field OUTPUT <<<"$r")"
check_match "nginx-test CRITICAL: check_state 2 in perfdata" "upstream check_state'=2" "$(field PERFDATA <<<"$r")"
check_match "nginx-test syntax OK" "(^| )syntax_ok=1( |$)" "$(result nginx-test-syntax OK | field PERFDATA)"
r=$(result nginx-logs OK)
check_match "nginx-logs OK: the counts" "^NGINX-LOGS OK - 16 requests, 3 5xx, 2 rate limited ?$" "$(field OUTPUT <<<"$r")"
check_match "nginx-logs: bytes in B" "(^| )sent=6213B;;;0( |$)" "$(field PERFDATA <<<"$r")"

# --- other-server stopped: ts-status and ts-quality CRITICAL -------------------------------
t0=$(date +%s)
"$tailnet" stop-node other-server >/dev/null 2>&1
gone() { localapi status | jq -e '.ExitNodeStatus != null and .ExitNodeStatus.Online == false' >/dev/null; }
check "laptop's netmap says the exit node is offline within 90 s" wait_until 90 gone
for s in ts-status ts-quality meshops-health; do
  [[ $s == meshops-health && $health != yes ]] && continue
  check "Icinga has $s CRITICAL within 60 s of the stop" wait_until 60 has "$s" CRITICAL "$t0"
done
check_match "ts-status CRITICAL: names the exit node" "^TS-STATUS CRITICAL - exit node other-server is offline" \
  "$(result ts-status CRITICAL "$t0" | field OUTPUT)"
r=$(result ts-quality CRITICAL "$t0")
check_match "ts-quality CRITICAL: other-server down" "^TS-QUALITY CRITICAL - other-server: down" "$(field OUTPUT <<<"$r")"
check_match "ts-quality CRITICAL: 100% loss in perfdata" "'other-server loss'=100%;5;;0;100" "$(field PERFDATA <<<"$r")"
echo "# services checked: ${!want[*]}"
finish
