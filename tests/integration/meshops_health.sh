#!/usr/bin/env bash
# needs: tailnet
# meshops-health on a real host: kernelcore's tailscaled of the shared tailnet, a real nginx in
# a temp prefix proxying to a real upstream, and the zones ruleset loaded with nft, the last two
# inside a network namespace this test creates (meshops-health runs there with ip netns exec).
# Healthy host: 0. kernelcore's tailscaled stopped: ts-status CRITICAL, whole 2. nginx config
# broken: 2. A check hanging past its deadline: UNKNOWN with the reason; with a critical one
# beside it the whole is CRITICAL (critical > unknown).
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
health=$(tool meshops-health)
sock=$TAILNET_SOCK_KERNELCORE
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

d=$(mktemp -d /tmp/meshops-health-test.XXXXXX)
chmod 755 "$d"
on_exit rm -rf "$d"
ns=mh-host-$$
on_exit ip netns del "$ns"
# Whatever still runs in the namespace ends before it is deleted, even after a failure.
on_exit bash -c "ip netns pids '$ns' | xargs -r kill"
ip netns add "$ns" || { echo "cannot create a namespace" >&2; exit 1; }
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

# The four checks run in-process: nothing of theirs is looked up in PATH.
present=(ts-status ts-quality fw-status nginx-test)
skip_absent=()
export PATH="/usr/sbin:/usr/bin:/sbin:/bin"

# The firewall of DESIGN.md's zones, in the namespace.
check "zones ruleset loads in $ns" in_ns nft -f "$MESHOPS_SRC/tests/fixtures/nft/zones.nft"

# nginx in the namespace on its loopback, proxying ollama to a python upstream.
port=8080 up=11434
mkdir -p "$d/nginx/conf" "$d/nginx/logs" "$d/nginx/tmp" "$d/www/api"
echo '{"models": []}' >"$d/www/api/tags"
{ nginx_conf_head; cat <<CONF; } >"$d/nginx/conf/nginx.conf"
  access_log logs/access.log;
  limit_req_zone \$binary_remote_addr zone=ollama:1m rate=20r/s;
  server {
    listen 127.0.0.1:$port;
    server_name ollama.kernelcore.example.ts.net;
    client_max_body_size 500M;
    location / {
      limit_req zone=ollama burst=10;
      proxy_pass http://127.0.0.1:$up;
    }
  }
}
CONF
cp "$d/nginx/conf/nginx.conf" "$d/nginx.conf.good"
cat >"$d/config.json" <<JSON
{"tailscale": {"socket": "$sock", "hostname": "kernelcore", "tailnetDomain": "example.ts.net"},
 "monitoring": {"maxLatency": 500, "maxPacketLoss": 20},
 "nginx": {"binary": "$nginx_bin", "config": "conf/nginx.conf", "prefix": "$d/nginx/",
   "services": {"ollama": {"subdomain": "ollama", "upstreamPort": $up, "rateLimit": "20r/s",
                           "maxBodySize": "500M", "healthPath": "/api/tags"}}},
 "firewall": {"defaultPolicy": "drop", "enableLogging": true,
   "zones": {"dmz": {"allowedTCPPorts": [80, 443], "allowedUDPPorts": [443]},
             "internal": {"interfaces": ["tailscale0"], "allowedServices": ["ssh", "postgresql", "ollama"]},
             "admin": {"allowedIPs": ["100.64.0.0/10"], "allowAllServices": true},
             "isolated": {}}}}
JSON
# ip netns exec execs python3 in place, so $! is the server itself (a function run with & would
# leave $! naming a subshell, and the server behind after the test).
ip netns exec "$ns" python3 -m http.server --bind 127.0.0.1 --directory "$d/www" "$up" >/dev/null 2>&1 &
on_exit kill $!
in_ns "$nginx_bin" -p "$d/nginx/" -c conf/nginx.conf
on_exit in_ns "$nginx_bin" -p "$d/nginx/" -c conf/nginx.conf -s stop
answers() { in_ns curl -sf -o /dev/null -H 'Host: ollama.kernelcore.example.ts.net' "http://127.0.0.1:$port/api/tags"; }
check "nginx proxies to the upstream in $ns" wait_until 20 answers

mh() { in_ns "$health" -c "$d/config.json" "$@"; }

# A healthy host.
check_rc "healthy host: exit 0" 0 mh "${skip_absent[@]}"
nl=$'\n'
for t in "${present[@]}"; do check_match "healthy host: $t OK" "(^|$nl)OK +$t " "$out"; done
check_match "healthy host: overall line" $'\nOK: all [0-9] checks ok$' "$out"
check_match "ts-status reason names the state" "OK +ts-status +Running, 2/2 peers online" "$out"
check_match "fw-status reason" "OK +fw-status +ruleset matches the declared zones" "$out"
check_rc "healthy host --json: exit 0" 0 mh --json "${skip_absent[@]}"
check_eq "--json: schema and status" "meshops/meshops-health/1 ok 0" "$(jq -r '"\(.schema) \(.status) \(.exit_code)"' <<<"$out")"
check_eq "--json: every check's own JSON under its name" \
  "$(printf '%s\n' "${present[@]}" | while read -r t; do echo "$t meshops/$t/1"; done | sort)" \
  "$(jq -r '.checks | to_entries[] | "\(.key) \(.value.result.schema)"' <<<"$out" | sort)"
check_eq "--json: ts-status's own backend_state" "Running" "$(jq -r '.checks["ts-status"].result.backend_state' <<<"$out")"
check_eq "--json: nginx-test's own syntax_ok" "true" "$(jq -r '.checks["nginx-test"].result.syntax_ok' <<<"$out")"
check_eq "--json: the argv passes the config through" "--config $d/config.json" \
  "$(jq -r '.checks["fw-status"].argv[1:3] | join(" ")' <<<"$out")"

# --prom-file: one atomic file with every check's metrics, written beside the target.
mkdir "$d/textfile"
check_rc "--prom-file: exit 0" 0 mh --prom-file "$d/textfile/meshops.prom" "${skip_absent[@]}"
prom=$(cat "$d/textfile/meshops.prom" 2>/dev/null)
check_match "--prom-file: own state metric" $'\nmeshops_health_check_state\\{check="nginx-test"\\} 0\n' "$prom"
check_match "--prom-file: ts-status's metrics" $'\nmeshops_ts_status_peers_online 2\n' "$prom"
check_match "--prom-file: fw-status's metrics" 'meshops_fw_status_drift_findings\{level="critical"\} 0' "$prom"
check_match "--prom-file: nginx-test's metrics" $'\nmeshops_nginx_test_syntax_ok 1\n' "$prom"
check_eq "--prom-file: no temp file left beside it" "meshops.prom" "$(ls -A "$d/textfile")"
check_eq "--prom-file: every metric family once" "" \
  "$(grep '^# TYPE' "$d/textfile/meshops.prom" | sort | uniq -d)"
check_rc "--prom-file into a missing directory: exit 3" 3 mh --prom-file "$d/none/x.prom" --only fw-status
check_match "--prom-file error names the file" "^meshops-health: $d/none/x.prom: cannot create a temporary file beside it" "$err"

# Paths passed through: the socket and nginx options override the config.
check_rc "--socket of another node" 0 mh --socket "$TAILNET_SOCK_LAPTOP" --only ts-status --json
check_eq "--socket reaches laptop" "laptop" "$(jq -r '.checks["ts-status"].result.self.name' <<<"$out")"
check_rc "--nginx-config to a missing file: exit 2" 2 mh --only nginx-test --nginx-config "$d/nope.conf"

# A check that cannot check: fw-status without CAP_NET_ADMIN is UNKNOWN with its hint, the others
# still run (a tool can no longer be missing: the checks are in-process).
check_rc "fw-status without CAP_NET_ADMIN: exit 3" 3 in_ns setpriv --inh-caps=-all --bounding-set=-net_admin -- \
  "$health" -c "$d/config.json" --only fw-status,nginx-test
check_match "no permission: UNKNOWN with the error" "UNKNOWN +fw-status +reading the ruleset: permission denied" "$out"
check_match "the other check still ran" "OK +nginx-test " "$out"
check_rc "fw-status without CAP_NET_ADMIN --json: exit 3" 3 in_ns setpriv --inh-caps=-all --bounding-set=-net_admin -- \
  "$health" -c "$d/config.json" --only fw-status --json
check_eq "in JSON: the tool's own document with its hint" "unknown 3 unknown true" \
  "$(jq -r '.checks["fw-status"] | "\(.state) \(.exit_code) \(.result.status) \(.result.hint != null)"' <<<"$out")"

# A check that hangs is cut at its deadline: nginx -t stuck (a binary that sleeps, saying its
# pid). meshops-health runs from a timer: the stuck nginx is killed with it, not left behind
# (it had been, for the whole 60 s).
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 60\n' "$d/hanging.pid" >"$d/hanging-nginx"
chmod 755 "$d/hanging-nginx"
start=$SECONDS
check_rc "hanging nginx: exit 3" 3 mh --only nginx-test,fw-status --nginx "$d/hanging-nginx" --timeout 2
((SECONDS - start <= 8)) && pass "cut at its deadline ($((SECONDS - start)) s)" || fail "took $((SECONDS - start)) s with --timeout 2"
hung=$(cat "$d/hanging.pid" 2>/dev/null)
check "the hanging nginx ran (pid $hung)" test -n "$hung"
check "the hanging nginx did not outlive meshops-health" test ! -e "/proc/$hung"
check_match "hanging check: timed out" "UNKNOWN +nginx-test +timed out after 2 s" "$out"
check_match "the other check is unaffected" "OK +fw-status " "$out"

# nginx config broken: CRITICAL, whole 2.
cat >"$d/nginx/conf/nginx.conf" <<'CONF'
events {}
http { server { listen 127.0.0.1:1; no_such_directive on; } }
CONF
check_rc "broken nginx config: exit 2" 2 mh "${skip_absent[@]}"
check_match "nginx-test CRITICAL with nginx's message" "CRITICAL +nginx-test +nginx \[emerg\] unknown directive \"no_such_directive\" in $d/nginx/conf/nginx.conf:2" "$out"
check_match "overall CRITICAL" $'\nCRITICAL: 1 critical of [0-9] checks$' "$out"
cp "$d/nginx.conf.good" "$d/nginx/conf/nginx.conf"
check_rc "config restored: exit 0" 0 mh --only nginx-test

# The firewall drifts: the dmz zone opens 8443 that nobody declared.
in_ns nft add rule inet meshops zone_dmz tcp dport 8443 accept
check_rc "undeclared open port: exit 2" 2 mh --only fw-status
check_match "fw-status finding" "CRITICAL +fw-status +tcp/8443 is open " "$out"
# --prom-file alone, as meshops-health.service runs it: the file is the output, and the journal
# (stderr) gets the state and why.
check_rc "undeclared open port, --prom-file alone: exit 2" 2 mh --only fw-status --prom-file "$d/textfile/drift.prom"
check_eq "--prom-file alone: nothing on stdout" "" "$out"
check_match "--prom-file alone: stderr says the state and the finding" "^meshops-health: CRITICAL - fw-status: tcp/8443 is open " "$err"
# Worst of a critical and an unknown check: CRITICAL (the man page's order), exit 2.
check_rc "drifted firewall and a hanging nginx: exit 2" 2 mh --only fw-status,nginx-test --nginx "$d/hanging-nginx" --timeout 2
check_match "the critical check" "^CRITICAL  fw-status   tcp/8443 is open " "$out"
check_match "the unknown check" $'\nUNKNOWN   nginx-test  timed out after 2 s\n' "$out"
check_eq "overall: critical outranks unknown" "CRITICAL: 1 critical, 1 unknown of 2 checks" "$(tail -1 <<<"$out")"
in_ns nft flush chain inet meshops zone_dmz
in_ns nft -f - <<<'add rule inet meshops zone_dmz tcp dport { 80, 443 } counter accept
add rule inet meshops zone_dmz udp dport 443 counter accept'

# kernelcore's tailscaled stopped: ts-status CRITICAL, the whole 2.
on_exit "$tailnet" start-node kernelcore
"$tailnet" stop-node kernelcore >/dev/null 2>&1
check_rc "tailscaled stopped: exit 2" 2 mh --only ts-status,fw-status,nginx-test --timeout 10
check_match "ts-status CRITICAL: not running" "CRITICAL +ts-status +tailscaled is not running: cannot reach tailscaled at $sock" "$out"
check_match "others still OK" "OK +nginx-test " "$out"
check_rc "tailscaled stopped --json: exit 2" 2 mh --only ts-status --json
check_eq "ts-status critical in JSON" "critical critical 3" "$(jq -r '"\(.status) \(.checks["ts-status"].state) \(.checks["ts-status"].exit_code)"' <<<"$out")"
"$tailnet" start-node kernelcore >/dev/null 2>&1
up_again() { mh --only ts-status >/dev/null; }
check "after start-node, healthy again" wait_until 60 up_again

finish
