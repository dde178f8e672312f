#!/usr/bin/env bash
# needs: tailnet
# The shipped CheckCommands (packaging/icinga2/meshops.conf) run by a real Icinga 2
# (lib_icinga.sh), and the states and performance data read back from what Icinga wrote. One OK
# and one CRITICAL case per tool (meshops-reach --check: tests/integration/meshops_reach.sh):
#   ts-status, ts-quality  laptop of the real tailnet (a wrapper runs them in its namespace):
#                          OK while healthy; CRITICAL once other-server, laptop's exit node and
#                          the measured peer, has its tailscaled stopped;
#   fw-status --check      the DESIGN.md zones loaded into a namespace of this test: OK with the
#                          config that declares them, CRITICAL with one that leaves 443 out;
#   nginx-test             Debian's nginx on tests/fixtures/nginx-test/conf: OK for --only
#                          syntax, CRITICAL for every check (its upstreams are down);
#   nginx-logs             judges nothing: OK, with the counts as perfdata;
#   meshops-health         OK and CRITICAL with ts-status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_icinga.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
command -v icinga2 >/dev/null || { fail "icinga2 is not installed (scripts/install-deps)"; finish; exit; }
d=$(mktemp -d /tmp/meshops-icinga2.XXXXXX)
chmod 755 "$d"
on_exit rm -rf "$d"
mkdir -p "$d"/{bin,nginx/logs,nginx/conf/certs}

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
# meshops-health finds its checks on PATH beside it: the built ts-status, in laptop's namespace.
mkdir -p "$d/health"
ln -s "$(tool ts-status)" "$d/health/ts-status"
printf '#!/bin/sh\nexec ip netns exec %q env PATH=%q %q "$@"\n' "$TAILNET_NS_LAPTOP" "$d/health:/usr/bin:/bin" \
  "$(tool meshops-health)" >"$d/bin/meshops-health"
chmod 755 "$d/bin/meshops-health"

sock=$TAILNET_SOCK_LAPTOP
# The faults are undone whatever happens (last registered runs first).
on_exit "$tailnet" start-node other-server
on_exit "$TAILNET_TAILSCALE" --socket "$sock" set --exit-node=
"$TAILNET_TAILSCALE" --socket "$sock" set --exit-node="$TAILNET_IP4_OTHER_SERVER"
localapi() { curl -sf --max-time 5 --unix-socket "$sock" "http://local-tailscaled.sock/localapi/v0/$1"; }
using() { localapi status | jq -e '.ExitNodeStatus.Online == true' >/dev/null; }
check "laptop uses other-server as exit node" wait_until 30 using

# --- Icinga 2 ------------------------------------------------------------------------------
icinga_start "$d/icinga" <<EOF || { finish; exit; }
template Service "meshops-test" {
  import "test-service"
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
object Service "meshops-health" {
  import "meshops-test"
  check_command = "meshops-health"
  vars.meshops_health_only = "ts-status"
}
EOF

# --- healthy: OK (and the drift, the dead upstreams CRITICAL) ------------------------------
declare -A want=([ts-status]=OK [ts-quality]=OK [fw-status-ok]=OK [fw-status-drift]=CRITICAL
  [nginx-test-syntax]=OK [nginx-test-all]=CRITICAL [nginx-logs]=OK [meshops-health]=OK)
for s in ts-status ts-quality fw-status-ok fw-status-drift nginx-test-syntax nginx-test-all nginx-logs meshops-health; do
  check "Icinga has $s ${want[$s]} within 60 s" wait_until 60 icinga_has "$s" "${want[$s]}"
done
r=$(icinga_result ts-status OK)
check_match "ts-status OK: its text" "^TS-STATUS OK - Running, 2/2 peers online ?$" "$(icinga_field OUTPUT <<<"$r")"
check_match "ts-status OK: Icinga parsed the perfdata" "(^| )peers_online=2( |$)" "$(icinga_field PERFDATA <<<"$r")"
r=$(icinga_result ts-quality OK)
check_match "ts-quality OK: rtt in seconds with its warn threshold" "'other-server rtt_avg'=[0-9.]+s;0\.2;;0" "$(icinga_field PERFDATA <<<"$r")"
check_match "ts-quality OK: loss in %" "'other-server loss'=0%;5;;0;100" "$(icinga_field PERFDATA <<<"$r")"
r=$(icinga_result fw-status-drift CRITICAL)
check_match "fw-status CRITICAL: names the undeclared port" "^FW-STATUS CRITICAL - tcp/443 is open .* but no zone declares it" "$(icinga_field OUTPUT <<<"$r")"
check_match "fw-status CRITICAL: one critical finding" "'critical drift_findings'=1" "$(icinga_field PERFDATA <<<"$r")"
check_match "fw-status OK: matches" "^FW-STATUS OK - ruleset matches the declared zones" "$(icinga_result fw-status-ok OK | icinga_field OUTPUT)"
r=$(icinga_result nginx-test-all CRITICAL)
check_match "nginx-test CRITICAL: the upstream down" "^NGINX-TEST CRITICAL - upstream:127\.0\.0\.1:[0-9]+: TCP connect .* refused" "$(icinga_field OUTPUT <<<"$r")"
check_match "nginx-test CRITICAL: check_state 2 in perfdata" "upstream check_state'=2" "$(icinga_field PERFDATA <<<"$r")"
check_match "nginx-test syntax OK" "(^| )syntax_ok=1( |$)" "$(icinga_result nginx-test-syntax OK | icinga_field PERFDATA)"
r=$(icinga_result nginx-logs OK)
check_match "nginx-logs OK: the counts" "^NGINX-LOGS OK - 16 requests, 3 5xx, 2 rate limited ?$" "$(icinga_field OUTPUT <<<"$r")"
check_match "nginx-logs: bytes in B" "(^| )sent=6213B;;;0( |$)" "$(icinga_field PERFDATA <<<"$r")"

# --- other-server stopped: ts-status and ts-quality CRITICAL -------------------------------
t0=$(date +%s)
"$tailnet" stop-node other-server >/dev/null 2>&1
gone() { localapi status | jq -e '.ExitNodeStatus != null and .ExitNodeStatus.Online == false' >/dev/null; }
check "laptop's netmap says the exit node is offline within 90 s" wait_until 90 gone
for s in ts-status ts-quality meshops-health; do
  check "Icinga has $s CRITICAL within 60 s of the stop" wait_until 60 icinga_has "$s" CRITICAL "$t0"
done
check_match "ts-status CRITICAL: names the exit node" "^TS-STATUS CRITICAL - exit node other-server is offline" \
  "$(icinga_result ts-status CRITICAL "$t0" | icinga_field OUTPUT)"
r=$(icinga_result ts-quality CRITICAL "$t0")
check_match "ts-quality CRITICAL: other-server down" "^TS-QUALITY CRITICAL - other-server: down" "$(icinga_field OUTPUT <<<"$r")"
check_match "ts-quality CRITICAL: 100% loss in perfdata" "'other-server loss'=100%;5;;0;100" "$(icinga_field PERFDATA <<<"$r")"
echo "# services checked: ${!want[*]}"
finish
