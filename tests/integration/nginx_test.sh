#!/usr/bin/env bash
# nginx-test against the real nginx (/usr/sbin/nginx) in a temp prefix on 127.0.0.1 ports:
# a valid config with two declared services behind it (python http.server upstreams the test
# starts and stops), certificates made here with openssl (30, 10 and 3 days), each kind of
# configuration error with the level, file and line nginx reports, runs as the unprivileged
# user nobody, and nginx missing or hanging.
source "$(dirname "$0")/lib.sh"

bin=$(tool nginx-test)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
d=$(mktemp -d /tmp/meshops-nginx-test.XXXXXX)
chmod 755 "$d"
on_exit rm -rf "$d"

p_http=$(free_port) p_tls=$(free_port) up_a=$(free_port) up_b=$(free_port)
ollama=ollama.kernelcore.example.ts.net
llama=llama.kernelcore.example.ts.net

# make_cert DAYS NAME: a self-signed certificate for NAME in $d/conf/certs/NAME.{pem,key}.
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days "$1" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
    -keyout "$d/conf/certs/$2.key" -out "$d/conf/certs/$2.pem" 2>/dev/null
}

# write_conf PREFIX: the valid configuration under PREFIX/conf (nginx.conf + conf.d/llama.conf).
write_conf() {
  local pre=$1
  mkdir -p "$pre/conf/conf.d" "$pre/conf/certs" "$pre/logs" "$pre/tmp"
  { nginx_conf_head; cat <<CONF; } >"$pre/conf/nginx.conf"
  access_log off;
  limit_req_zone \$binary_remote_addr zone=ollama:1m rate=20r/s;
  limit_req_zone \$binary_remote_addr zone=llama:1m rate=10r/s;
  include conf.d/*.conf;
  server {
    listen 127.0.0.1:$p_http;
    listen 127.0.0.1:$p_tls ssl;
    server_name $ollama;
    ssl_certificate certs/$ollama.pem;
    ssl_certificate_key certs/$ollama.key;
    client_max_body_size 500M;
    location / {
      limit_req zone=ollama burst=10;
      proxy_pass http://127.0.0.1:$up_a;
    }
  }
}
CONF
  cat >"$pre/conf/conf.d/llama.conf" <<CONF
server {
  listen 127.0.0.1:$p_http;
  listen 127.0.0.1:$p_tls ssl;
  server_name $llama;
  ssl_certificate certs/$llama.pem;
  ssl_certificate_key certs/$llama.key;
  client_max_body_size 2m;
  location / {
    limit_req zone=llama burst=5;
    proxy_pass http://127.0.0.1:$up_b;
  }
}
CONF
}

write_conf "$d"
make_cert 30 "$ollama"
make_cert 30 "$llama"
cat >"$d/meshops.json" <<JSON
{"tailscale": {"hostname": "kernelcore", "tailnetDomain": "example.ts.net"},
 "nginx": {"binary": "$nginx_bin", "config": "conf/nginx.conf", "prefix": "$d",
   "services": {
     "ollama": {"subdomain": "ollama", "upstreamPort": $up_a, "rateLimit": "20r/s", "maxBodySize": "500M",
                "healthPath": "/api/tags"},
     "llama": {"subdomain": "llama", "upstreamPort": $up_b, "rateLimit": "600r/m", "maxBodySize": "2m"}}}}
JSON
nt() { "$bin" -c "$d/meshops.json" --timeout 3 "$@"; }

# Upstreams: python's http.server on 127.0.0.1, serving /api/tags.
mkdir -p "$d/www/api" && echo '{"models":[]}' >"$d/www/api/tags"
start_upstream() {  # start_upstream PORT VAR: starts it, its pid in VAR
  python3 -m http.server --bind 127.0.0.1 --directory "$d/www" "$1" >/dev/null 2>&1 &
  printf -v "$2" '%s' $!
  wait_until 10 nc -z 127.0.0.1 "$1" || fail "upstream on $1 did not start"
}
start_upstream "$up_a" pid_a
on_exit kill "$pid_a"
start_upstream "$up_b" pid_b
on_exit kill "$pid_b"

"$nginx_bin" -p "$d" -c conf/nginx.conf -g 'daemon off;' >"$d/nginx.out" 2>&1 &
nginx_pid=$!
on_exit kill "$nginx_pid"
wait_until 10 nc -z 127.0.0.1 "$p_tls" || fail "nginx did not start: $(cat "$d/nginx.out")"

# --- a valid configuration, everything up
check_rc "valid config, services up" 0 nt --json
check_eq "schema" "meshops/nginx-test/1" "$(jq -r .schema <<<"$out")"
check_eq "syntax_ok" "true" "$(jq -r .syntax_ok <<<"$out")"
check_eq "status ok" "ok" "$(jq -r .status <<<"$out")"
check_eq "every check ok" "" "$(jq -r '.checks[] | select(.status != "ok") | .name' <<<"$out")"
check_eq "check names" "$(echo "certificate:$d/conf/certs/$llama.pem
certificate:$d/conf/certs/$ollama.pem
service:llama
service:ollama
upstream:127.0.0.1:$up_a
upstream:127.0.0.1:$up_b
vhost:$llama@127.0.0.1:$p_http
vhost:$llama@127.0.0.1:$p_tls
vhost:$ollama@127.0.0.1:$p_http
vhost:$ollama@127.0.0.1:$p_tls" | sort)" "$(jq -r '.checks[].name' <<<"$out" | sort)"
check_match "health path probed" "GET /api/tags answered 200" "$(jq -r ".checks[] | select(.name == \"upstream:127.0.0.1:$up_a\") | .reason" <<<"$out")"
check_match "vhost over TLS reached with SNI/Host" "^https://$ollama:$p_tls/ via 127.0.0.1:$p_tls answered [0-9]+" \
  "$(jq -r ".checks[] | select(.name == \"vhost:$ollama@127.0.0.1:$p_tls\") | .reason" <<<"$out")"
check_match "latency is a number" '^[0-9.]+$' "$(jq -r ".checks[] | select(.kind == \"upstream\") | .latency_ms" <<<"$out" | head -1)"
check_eq "service check points at its proxy_pass" "$d/conf/nginx.conf" "$(jq -r '.checks[] | select(.name == "service:ollama") | .file' <<<"$out")"
check_rc "table output" 0 nt
check_match "table lists checks" "service:ollama +ok" "$out"
check_rc "prometheus output" 0 nt --prom
check_match "prom syntax metric" "meshops_nginx_test_syntax_ok 1" "$out"
check_match "prom check metric" "meshops_nginx_test_check_state\\{check=\"service:llama\",kind=\"service\"\\} 0" "$out"

# --- a candidate configuration (issue 13 item 14): its virtual hosts are not running yet, so
# they are not probed through the running nginx, and the output says so
cp -r "$d/conf" "$d/cand"
sed -i "s|^  include conf.d/\*.conf;|  include conf.d/*.conf;\n  server { listen 127.0.0.1:$p_http; server_name renamed.example.ts.net; location / { return 204; } }|" "$d/cand/nginx.conf"
check "the candidate has the new vhost" grep -q renamed.example "$d/cand/nginx.conf"
check_rc "--config-file candidate" 0 nt --json --config-file "$d/cand/nginx.conf"
check_eq "candidate: said so" "true vhosts" "$(jq -r '"\(.candidate) \([.skipped[].group] | join(","))"' <<<"$out")"
check_eq "candidate: no vhost probed" "0" "$(jq '[.checks[] | select(.kind == "vhost")] | length' <<<"$out")"
check_eq "candidate: services, upstreams, certificates from it" "certificate service upstream" \
  "$(jq -r '[.checks[].kind] | unique | join(" ")' <<<"$out")"
check_eq "candidate: config_file" "$d/cand/nginx.conf" "$(jq -r .config_file <<<"$out")"
check_rc "--config-file candidate, text" 0 nt --config-file "$d/cand/nginx.conf"
check_match "text: vhosts skipped, and why" "vhosts skipped: $d/cand/nginx.conf is a candidate, not the configuration nginx runs" "$out"
check_rc "--config-file naming the running configuration" 0 nt --json --config-file "$d/conf/nginx.conf"
check_eq "running: not a candidate, vhosts probed" "false 4" \
  "$(jq -r '"\(.candidate) \([.checks[] | select(.kind == "vhost")] | length)"' <<<"$out")"
check_match "generated_at is RFC 3339" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "$(jq -r .generated_at <<<"$out")"

# --- the fast path runs nginx -t only
check_rc "--only syntax" 0 nt --only syntax --json
check_eq "fast path ran -t" "-t" "$(jq -r '.nginx.argv[-1]' <<<"$out")"
check_eq "fast path has no checks" "0" "$(jq '.checks | length' <<<"$out")"

# --- an upstream the test stops: upstream and its vhost are critical
kill "$pid_b"
wait_until 10 bash -c "! nc -z 127.0.0.1 $up_b" || fail "upstream b did not stop"
check_rc "upstream down" 2 nt --json
check_eq "upstream critical" "critical" "$(jq -r ".checks[] | select(.name == \"upstream:127.0.0.1:$up_b\") | .status" <<<"$out")"
check_match "vhost through nginx answers 502" "answered 502" "$(jq -r ".checks[] | select(.name == \"vhost:$llama@127.0.0.1:$p_http\") | .reason" <<<"$out")"
check_eq "the other service stays ok" "ok" "$(jq -r ".checks[] | select(.name == \"upstream:127.0.0.1:$up_a\") | .status" <<<"$out")"
start_upstream "$up_b" pid_b
on_exit kill "$pid_b"
check_rc "upstream back" 0 nt

# --- certificates: 10 days is a warning, 3 days critical
make_cert 10 "$llama"
check_rc "certificate with 10 days" 1 nt --json --only certificates
check_match "10 days: warning" "^warning expires .*\\(9\\.[0-9]|10\\.0 days left\\)" \
  "$(jq -r ".checks[] | select(.name == \"certificate:$d/conf/certs/$llama.pem\") | .status + \" \" + .reason" <<<"$out")"
make_cert 3 "$llama"
check_rc "certificate with 3 days" 2 nt --json --only certificates
check_eq "3 days: critical" "critical" "$(jq -r ".checks[] | select(.name == \"certificate:$d/conf/certs/$llama.pem\") | .status" <<<"$out")"
check_eq "certificate check names its ssl_certificate line" "$d/conf/conf.d/llama.conf:5" \
  "$(jq -r ".checks[] | select(.kind == \"certificate\" and .status == \"critical\") | \"\(.file):\(.line)\"" <<<"$out")"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=other.example" \
  -keyout "$d/conf/certs/$llama.key" -out "$d/conf/certs/$llama.pem" 2>/dev/null
check_rc "certificate for another name" 1 nt --json --only certificates
check_match "name not covered" "does not cover $llama" "$(jq -r '.checks[] | select(.status == "warning") | .reason' <<<"$out")"
make_cert 30 "$llama"

# --- each kind of error, in a copy of the configuration: level, file and line from nginx
# error_case NAME FILE SED EXPECTED-RC LEVEL FILE LINE
error_case() {
  local name=$1 file=$2 script=$3 rc=$4 level=$5 want_file=$6 want_line=$7
  local e="$d/err-$name"
  rm -rf "$e"
  cp -r "$d/conf" "$d/logs" "$d/tmp" --target-directory="$(mkdir -p "$e" && echo "$e")"
  sed -i "$script" "$e/conf/$file"
  check_rc "$name" "$rc" "$bin" -c "$d/meshops.json" -p "$e" --only syntax --json
  local got
  got=$(jq -r "[.diagnostics[] | select(.level == \"$level\")][0] | \"\(.level) \(.file) \(.line)\"" <<<"$out")
  check_eq "$name: level, file, line" "$level $want_file $want_line" "$got"
  check_eq "$name: syntax_ok" "$([[ $rc == 2 ]] && echo false || echo true)" "$(jq -r .syntax_ok <<<"$out")"
}
error_case unknown_directive nginx.conf 's/^worker_processes 1;/worker_processes 1;\nfoo bar;/' 2 emerg "$d/err-unknown_directive/conf/nginx.conf" 2
error_case missing_semicolon nginx.conf 's/^pid logs\/nginx.pid;/pid logs\/nginx.pid/' 2 emerg "$d/err-missing_semicolon/conf/nginx.conf" 3
error_case missing_include nginx.conf 's/include conf.d\/\*.conf;/include conf.d\/missing.conf;/' 2 emerg "$d/err-missing_include/conf/nginx.conf" 11
error_case unknown_zone conf.d/llama.conf 's/zone=llama /zone=nope /' 2 emerg null null
check_match "unknown zone names the zone" 'zero size shared memory zone \\"nope\\"' "$out"
error_case duplicate_server_name conf.d/llama.conf "s/server_name $llama;/server_name $ollama;/" 1 warn null null
check_match "duplicate: nginx's warning" "conflicting server name \\\\\"$ollama\\\\\" on 127.0.0.1:$p_http, ignored" "$out"
check_rc "duplicate: both places named" 1 "$bin" -c "$d/meshops.json" -p "$d/err-duplicate_server_name" --only duplicates --json
check_eq "duplicate: first and second place" "$d/err-duplicate_server_name/conf/conf.d/llama.conf:4 $d/err-duplicate_server_name/conf/nginx.conf:15" \
  "$(jq -r "[.checks[] | select(.name == \"duplicate:$ollama@127.0.0.1:$p_http\")][0] | \"\(.file):\(.line) \(.also_file):\(.also_line)\"" <<<"$out")"
error_case missing_certificate conf.d/llama.conf 's/certs\/llama/certs\/gone/' 2 emerg null null
check_match "missing certificate named" "cannot load certificate .*gone" "$(jq -r '.diagnostics[0].message' <<<"$out")"

# --- as the unprivileged user nobody
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
n="$d/nonroot"
write_conf "$n"
cp "$d/conf/certs/"* "$n/conf/certs/"
chmod -R a+rX "$n"
chmod 1777 "$n/logs" "$n/tmp"
check_rc "nobody: valid config passes" 0 as_nobody "$bin" -c "$d/meshops.json" -p "$n" --only syntax --json
check_eq "nobody: syntax_ok" "true" "$(jq -r .syntax_ok <<<"$out")"
chmod 600 "$n/conf/certs/$llama.pem"
check_rc "nobody: unreadable certificate is unknown" 3 as_nobody "$bin" -c "$d/meshops.json" -p "$n" --only syntax --json
check_match "nobody: says which permission it lacks" "^nginx-test: nginx needs a permission user nobody lacks: cannot load certificate .*Permission denied" "$err"
check_eq "nobody: the diagnostic is still reported" "emerg" "$(jq -r '.diagnostics[0].level' <<<"$out")"
check_eq "nobody: JSON says why" "true" "$(jq '.problem | test("permission user nobody lacks")' <<<"$out")"
check_rc "root: the same certificate is readable" 0 "$bin" -c "$d/meshops.json" -p "$n" --only syntax
chmod 644 "$n/conf/certs/$llama.pem"
rm -f "$n/logs/"*
chmod 755 "$n/logs"
check_rc "nobody: pid file it cannot write" 3 as_nobody "$bin" -c "$d/meshops.json" -p "$n" --only syntax
check_match "nobody: pid/log permission named" "lacks: .*(13: Permission denied)" "$err"
check_match "nobody: hint given" "hint: run as root" "$err"

# --- nginx missing, hanging, or not nginx
check_rc "nginx missing" 3 nt --nginx /nonexistent/nginx
check_match "missing: one line naming it" "^nginx-test: /nonexistent/nginx: not found" "$err"
check_rc "nginx not in PATH" 3 env PATH=/nonexistent "$bin" -c "$d/meshops.json" --nginx no-such-nginx
printf '#!/bin/sh\nexec sleep 30\n' >"$d/hang" && chmod +x "$d/hang"
start=$SECONDS
check_rc "nginx hangs" 3 "$bin" -c "$d/meshops.json" --nginx "$d/hang" --timeout 1
check "hang: gave up within the timeout" test $((SECONDS - start)) -le 5
check_match "hang: says so" "no answer within 1000 ms" "$err"
# Failing without any [emerg]: not a rejected configuration but nginx not running it at all.
printf '#!/bin/sh\necho "nginx: invalid option: \\"t\\"" >&2\necho "nginx version: nginx/0 (fake)" >&2\nexit 1\n' >"$d/badopt"
chmod +x "$d/badopt"
check_rc "nginx: invalid option is unknown" 3 "$bin" -c "$d/meshops.json" --nginx "$d/badopt" --only syntax
check_eq "invalid option: exit status and first line" "nginx-test: nginx -t: exited 1: invalid option: \"t\"" "$(head -1 <<<"$err")"
check_eq "invalid option: hint" "hint: is $d/badopt really nginx?" "$(sed -n 2p <<<"$err")"
check_rc "a binary that is not nginx" 3 "$bin" -c "$d/meshops.json" --nginx /bin/cat
check_match "not nginx: cat's own words" "^nginx-test: nginx -T: exited 1: (/bin/)?cat: invalid option" "$err"

# A rejection shows nginx's lines without -v, notices included.
error_case text_unknown_directive nginx.conf 's/^worker_processes 1;/worker_processes 1;\nfoo bar;/' 2 emerg "$d/err-text_unknown_directive/conf/nginx.conf" 2
check_rc "rejected: text view" 2 "$bin" -c "$d/meshops.json" -p "$d/err-text_unknown_directive" --only syntax
check_match "rejected: the reason is shown" "emerg .*unknown directive \"foo\"" "$out"
check_match "rejected: nginx's notice too" "notice .*test failed" "$out"

check_rc "meshops config invalid" 3 "$bin" -c /nonexistent/meshops.json

finish
