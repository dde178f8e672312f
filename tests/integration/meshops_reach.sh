#!/usr/bin/env bash
# needs: tailnet
# meshops-reach on kernelcore against what real packets do: for each case a real connection
# from the peer's namespace through the tailnet (curl with the service's Host, or nc) and the
# walk run in kernelcore's namespace must agree: reachable when the connection succeeds, and
# when it fails the blocking layer named is the one that stops it. kernelcore runs real nginx
# (two services with real upstreams, a default server answering 444), an nft table dropping
# 8080 from tailscale0 for one case, a listener on 22/5432/3000; MagicDNS records go to
# headscale's extra-records file; a policy change is pushed with SIGHUP. --check is run against
# the same host, and by Icinga 2 through the shipped CheckCommand. Everything this test
# starts, writes or loads is undone on exit.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_icinga.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
reach=$(tool meshops-reach)
kc_ns=$TAILNET_NS_KERNELCORE
kc=$TAILNET_IP4_KERNELCORE
laptop=$TAILNET_IP4_LAPTOP
suffix=tailnet.test
in_kc() { ip netns exec "$kc_ns" "$@"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

d=$(mktemp -d /tmp/meshops-reach.XXXXXX)
on_exit rm -rf "$d"

# --- upstreams in kernelcore's namespace: ollama on 127.0.0.1:11434, llama on 0.0.0.0:8080,
# plain listeners on 22, 5432 and 3000 (a port no rule allows).
mkdir -p "$d/www/api" && echo '{"models": []}' >"$d/www/api/tags" && echo ok >"$d/www/health"
# serve ADDR PORT: a python http.server in kernelcore's namespace (ip netns exec execs it, so
# $! is the server itself), stopped on exit.
serve() {
  ip netns exec "$kc_ns" python3 -m http.server --bind "$1" --directory "$d/www" "$2" >/dev/null 2>&1 &
  server_pid=$!
  on_exit kill "$server_pid"
}
serve 127.0.0.1 11434
ollama_pid=$server_pid
for port in 8080 22 5432 3000; do serve 0.0.0.0 "$port"; done
listening() { in_kc ss -Hltn "sport = :$1" | grep -q LISTEN; }
for port in 11434 8080 22 5432 3000; do check "upstream listens on $port in kernelcore" wait_until 10 listening "$port"; done

# --- nginx in kernelcore's namespace.
mkdir -p "$d/nginx/conf" "$d/nginx/logs" "$d/nginx/tmp"
{ nginx_conf_head; cat <<CONF; } >"$d/nginx/conf/nginx.conf"
  access_log off;
  limit_req_zone \$binary_remote_addr zone=ollama:1m rate=20r/s;
  server {
    listen 80 default_server;
    server_name _;
    return 444;
  }
  server {
    listen 80;
    server_name ollama.kernelcore.$suffix nodns.kernelcore.$suffix;
    client_max_body_size 500M;
    location / {
      limit_req zone=ollama burst=10;
      proxy_pass http://127.0.0.1:11434;
    }
  }
  server {
    listen 80;
    server_name llama.kernelcore.$suffix;
    location /private/ {
      deny $laptop;
      allow all;
      proxy_pass http://127.0.0.1:8080;
    }
    location / { proxy_pass http://127.0.0.1:8080; }
  }
}
CONF
in_kc nginx -p "$d/nginx" -c conf/nginx.conf
on_exit in_kc nginx -p "$d/nginx" -c conf/nginx.conf -s stop
check "nginx listens on 80 in kernelcore" wait_until 10 listening 80

cat >"$d/config.json" <<JSON
{
  "tailscale": {"socket": "$TAILNET_SOCK_KERNELCORE"},
  "nginx": {"binary": "nginx", "config": "$d/nginx/conf/nginx.conf", "prefix": "$d/nginx",
            "services": {
              "ollama": {"upstreamPort": 11434, "healthPath": "/api/tags"},
              "llama": {"upstreamPort": 8080, "healthPath": "/health"},
              "ghost": {"upstreamPort": 9999},
              "nodns": {"upstreamPort": 11434, "healthPath": "/api/tags"}}}
}
JSON

# --- MagicDNS names for the services, except nodns (headscale re-reads the file on change).
cp "$TAILNET_EXTRA_RECORDS" "$d/extra-records.orig"
on_exit cp "$d/extra-records.orig" "$TAILNET_EXTRA_RECORDS"
printf '[%s]\n' "$(for n in ollama llama ghost; do printf '{"name":"%s.kernelcore.%s","type":"A","value":"%s"},' "$n" "$suffix" "$kc"; done | sed 's/,$//')" \
  >"$TAILNET_EXTRA_RECORDS"
resolves() { # resolves NS SOCK NAME: tailscaled's resolver at that node answers NAME with kernelcore
  in_ns "$1" "$TAILNET_TAILSCALE" --socket "$2" dns query "$3" A 2>/dev/null | grep -qF "$kc"
}
check "laptop's MagicDNS answers ollama.kernelcore.$suffix within 30 s" \
  wait_until 30 resolves "$TAILNET_NS_LAPTOP" "$TAILNET_SOCK_LAPTOP" "ollama.kernelcore.$suffix"

# walk SRC TARGET [ARGS...]: meshops-reach in kernelcore's namespace, JSON in $out, exit in $rc.
walk() {
  out=$(in_kc "$reach" -c "$d/config.json" --json --timeout 3 "$@" 2>"$d/walk.err")
  rc=$?
}
blocked_at() { jq -r '.blocked_at // "none"' <<<"$out"; }
# http_code NS URL [HOST]: the HTTP status a real curl from NS gets ("000" when none came).
http_code() {
  local ns=$1 url=$2 host=${3:-}
  in_ns "$ns" curl -s -o /dev/null -w '%{http_code}' --max-time 4 ${host:+-H "Host: $host"} "$url" || true
}
connects() { in_ns "$1" nc -z -w 3 "$kc" "$2"; }  # connects NS PORT: a TCP handshake completes
lt=$TAILNET_NS_LAPTOP
os=$TAILNET_NS_OTHER_SERVER

# case CASE RC LAYER CONNECTED: the walk's exit and blocking layer, and what the packet did.
case_is() {
  local what=$1 want_rc=$2 want_layer=$3 real=$4
  check_eq "$what: meshops-reach exit" "$want_rc" "$rc"
  check_eq "$what: blocking layer" "$want_layer" "$(blocked_at)"
  check_eq "$what: the real connection agrees" "$real" "$5"
}

# 1. ollama from laptop: reachable; curl through the tailnet with its Host gets 200.
walk laptop ollama
case_is "ollama from laptop" 0 none "200" "$(http_code "$lt" "http://$kc/api/tags" "ollama.kernelcore.$suffix")"
check_eq "ollama: the JSON says status, in the words of every tool" "ok" "$(jq -r '.status' <<<"$out")"
check_match "ollama: the proxy layer names the server block and proxy_pass with file:line" \
  "conf/nginx.conf:[0-9]+" "$(jq -r '.layers[] | select(.name == "proxy") | .evidence[] | select(.key == "proxy_pass") | .value' <<<"$out")"
check_match "ollama: the tailnet policy match allows port 80" "80" "$(jq -r '.layers[] | select(.name == "tailnet policy") | .summary' <<<"$out")"

# 2. llama by URL from laptop: reachable (upstream answers its health path).
walk laptop "http://llama.kernelcore.$suffix/"
case_is "llama URL from laptop" 0 none "200" "$(http_code "$lt" "http://$kc/" "llama.kernelcore.$suffix")"

# 3. tcp/22 from laptop: no rule for 22; tailscaled drops the SYN (a timeout, not a reset).
walk laptop tcp/22
connects "$lt" 22 && real=connects || real=fails
case_is "tcp/22 from laptop" 2 "tailnet policy" fails "$real"
check_match "tcp/22: says what to add to the policy" 'tag:client.*tag:server:22' "$(jq -r .change <<<"$out")"

# 4. tcp/22 from other-server (the admin's node): allowed by the admin rule.
walk other-server tcp/22
connects "$os" 22 && real=connects || real=fails
case_is "tcp/22 from the admin's node" 0 none connects "$real"

# 5. tcp/5432 from laptop: allowed, something listens.
walk laptop tcp/5432
connects "$lt" 5432 && real=connects || real=fails
case_is "tcp/5432 from laptop" 0 none connects "$real"

# 6. tcp/3000 from laptop: no rule.
walk laptop tcp/3000
connects "$lt" 3000 && real=connects || real=fails
case_is "tcp/3000 from laptop" 2 "tailnet policy" fails "$real"

# 7. tcp/8080 from laptop: allowed by policy and firewall.
walk laptop tcp/8080
connects "$lt" 8080 && real=connects || real=fails
case_is "tcp/8080 from laptop" 0 none connects "$real"

# 8. A zone dropping 8080 on tailscale0: blocked at the host firewall, with its handle.
in_kc nft -f - <<'NFT'
table inet rc_zone {
  chain input { type filter hook input priority 0; policy accept; iifname "tailscale0" tcp dport 8080 drop; }
}
NFT
on_exit in_kc nft delete table inet rc_zone
walk laptop tcp/8080
connects "$lt" 8080 && real=connects || real=fails
case_is "tcp/8080 with the zone dropping it" 2 "host firewall" fails "$real"
check_match "the firewall layer names the rule's table, chain and handle" "rc_zone input handle [0-9]+" \
  "$(jq -r '.layers[] | select(.name == "host firewall") | .summary' <<<"$out")"
in_kc nft delete table inet rc_zone

# 9. Wrong Host: the tailnet IP as host matches no server_name; the default server says 444.
walk laptop "http://$kc/api/tags"
case_is "wrong Host (the bare IP)" 2 proxy "000" "$(http_code "$lt" "http://$kc/api/tags")"
check_match "wrong Host: names the default_server and its return" "default_server.*return 444" \
  "$(jq -r '.layers[] | select(.name == "proxy") | .summary' <<<"$out")"

# 10. A declared service with a DNS name but no server block.
walk laptop ghost
case_is "ghost: no server block" 2 proxy "000" "$(http_code "$lt" "http://$kc/" "ghost.kernelcore.$suffix")"

# 11. A deny line in the location.
walk laptop "http://llama.kernelcore.$suffix/private/x"
case_is "deny line for laptop" 2 proxy "403" "$(http_code "$lt" "http://$kc/private/x" "llama.kernelcore.$suffix")"
check_match "deny: names the line" "deny $laptop.*nginx.conf:[0-9]+" "$(jq -r '.layers[] | select(.name == "proxy") | .summary' <<<"$out")"

# 12. The same location from other-server: the deny does not match it; the upstream answers
# (its 404 for a path it lacks is the upstream's own answer: the connection got through).
walk other-server "http://llama.kernelcore.$suffix/private/x"
case_is "deny line, other source" 0 none "404" "$(http_code "$os" "http://$kc/private/x" "llama.kernelcore.$suffix")"

# 13. A name that does not resolve (nginx would serve it).
walk laptop nodns
resolves "$lt" "$TAILNET_SOCK_LAPTOP" "nodns.kernelcore.$suffix" && real=resolves || real=fails
case_is "nodns: no MagicDNS record" 2 name fails "$real"

# --- --check: allowFrom against the walk, by meshops-reach and by a real Icinga 2 running it
# through the shipped CheckCommand (lib_icinga.sh). First an intent the tailnet keeps (OK); then
# one whose ollama list leaves out the admin's node, which still reaches it (CRITICAL), beside a
# declared peer that ghost's missing server block stops (WARNING).
# intent OLLAMA LLAMA [GHOST]: $d/intent.json, the config with these allowFrom lists (JSON
# arrays), replaced in one rename so Icinga never reads half a file.
intent() {
  jq --argjson o "$1" --argjson l "$2" --argjson g "${3:-null}" \
    '.nginx.services.ollama.allowFrom = $o | .nginx.services.llama.allowFrom = $l
     | if $g then .nginx.services.ghost.allowFrom = $g else . end' "$d/config.json" >"$d/intent.json.new" &&
    mv "$d/intent.json.new" "$d/intent.json"
}
reach_check() { in_kc "$reach" -c "$d/intent.json" --check --timeout 3 "$@"; }
intent '["laptop", "other-server"]' '["tag:client", "other-server"]'
check_rc "--check, the intent the tailnet keeps: exit 0" 0 reach_check --json
check_eq "--check OK: no findings" "0 ok" "$(jq -r '"\(.findings | length) \(.status)"' <<<"$out")"
check_rc "--check --plugin OK" 0 reach_check --plugin
check_match "--check --plugin OK: its line" "^MESHOPS-REACH OK - 4 pairs agree with allowFrom \|" "$(head -n 1 <<<"$out")"

mkdir -p "$d/icinga-bin"
printf '#!/bin/sh\nexec ip netns exec %q %q "$@"\n' "$kc_ns" "$reach" >"$d/icinga-bin/meshops-reach"
chmod 755 "$d/icinga-bin/meshops-reach"
icinga_start "$d/icinga" <<EOF || { finish; exit; }
object Service "reach-check" {
  import "test-service"
  check_command = "meshops-reach"
  vars.meshops_bin_dir = "$d/icinga-bin"
  vars.meshops_config = "$d/intent.json"
  vars.meshops_timeout = 3
}
EOF
check "Icinga has reach-check OK within 60 s" wait_until 60 icinga_has reach-check OK
check_match "Icinga's reach-check OK: the text" "^MESHOPS-REACH OK - 4 pairs agree with allowFrom ?$" \
  "$(icinga_result reach-check OK | icinga_field OUTPUT)"

t0=$(date +%s)
intent '["tag:client"]' '["tag:client", "other-server"]' '["laptop"]'
check_rc "--check, other-server unlisted for ollama and ghost blocked for laptop: exit 2" 2 reach_check --json
check_eq "--check: the findings" \
  "critical other-server ollama|warning laptop ghost" \
  "$(jq -r '[.findings[] | "\(.severity) \(.source) \(.service)"] | sort | join("|")' <<<"$out")"
check_eq "the unlisted access is real: other-server gets ollama's 200" "200" \
  "$(http_code "$os" "http://$kc/api/tags" "ollama.kernelcore.$suffix")"
check_rc "--check --prom: exit 2" 2 reach_check --prom
check_match "--check --prom: one critical finding" 'meshops_reach_check_findings\{severity="critical"\} 1' "$out"
check_match "--check --prom: one warning" 'meshops_reach_check_findings\{severity="warning"\} 1' "$out"
check "Icinga has reach-check CRITICAL within 60 s of the change" wait_until 60 icinga_has reach-check CRITICAL "$t0"
r=$(icinga_result reach-check CRITICAL "$t0")
check_match "Icinga's reach-check CRITICAL: the unlisted peer leads" \
  "^MESHOPS-REACH CRITICAL - other-server reaches ollama but its allowFrom does not list it" "$(icinga_field OUTPUT <<<"$r")"
check_match "Icinga's reach-check CRITICAL: the findings as perfdata" "'critical check_findings'=1" "$(icinga_field PERFDATA <<<"$r")"
icinga_stop

# 14. Upstream down: ollama's server stopped; nginx answers 502.
kill "$ollama_pid" 2>/dev/null
gone() { ! listening 11434; }
check "ollama's upstream stopped" wait_until 10 gone
walk laptop ollama
case_is "ollama with its upstream down" 2 upstream "502" "$(http_code "$lt" "http://$kc/api/tags" "ollama.kernelcore.$suffix")"

# 15. A policy change pushed to headscale is seen by the next run: 22 allowed for tag:client.
cp "$TAILNET_POLICY" "$d/policy.orig"
on_exit "$tailnet" reload-policy
on_exit cp "$d/policy.orig" "$TAILNET_POLICY"
sed -i 's/"tag:server:80,443,11434,8080,5432"/"tag:server:22,80,443,11434,8080,5432"/' "$TAILNET_POLICY"
check_rc "reload-policy" 0 "$tailnet" reload-policy
walk_passes() { walk "$@"; ((rc == 0)); }
check "after the reload, meshops-reach sees tcp/22 allowed within 30 s" wait_until 30 walk_passes laptop tcp/22
connects "$lt" 22 && real=connects || real=fails
case_is "tcp/22 from laptop after the policy change" 0 none connects "$real"
cp "$d/policy.orig" "$TAILNET_POLICY"
"$tailnet" reload-policy 2>/dev/null
walk_blocks() { walk "$@"; ((rc == 2)); }
check "the restored policy blocks tcp/22 again within 30 s" wait_until 30 walk_blocks laptop tcp/22

# 16. A peer offline: other-server stopped; no connection from it can be made.
on_exit "$tailnet" start-node other-server
check_rc "stop-node other-server" 0 "$tailnet" stop-node other-server
walk_offline() { walk "$@"; [[ $(blocked_at) == source ]]; }
check "meshops-reach sees other-server offline within 60 s" wait_until 60 walk_offline other-server tcp/22
connects "$os" 22 && real=connects || real=fails
case_is "other-server offline" 2 source fails "$real"
"$tailnet" start-node other-server 2>/dev/null

# Bad input: an unknown peer and an unknown service are exit 3 with the list of what exists.
walk no-such-peer ollama
check_eq "unknown peer: exit 3" 3 "$rc"
check_match "unknown peer: lists the peers" "laptop" "$(jq -r .hint <<<"$out")"
walk laptop no-such-service
check_eq "unknown service: exit 3" 3 "$rc"
check_match "unknown service: lists the services" "ollama" "$(jq -r .hint <<<"$out")"
finish
