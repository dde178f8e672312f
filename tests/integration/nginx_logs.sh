#!/usr/bin/env bash
# nginx-logs against a real nginx started here on 127.0.0.1 in a temp prefix: requests driven
# with curl (varied paths, statuses and sizes; two real limit_req zones, one answering 503 and
# one 429) and the counts nginx-logs reports equal to what was sent, for the access and the
# error log; then --follow across a real rotation (mv + nginx -s reopen) under load and across
# a copytruncate, no line lost or doubled.
source "$(dirname "$0")/lib.sh"

bin=$(tool nginx-logs)
nginx=/usr/sbin/nginx
[[ -x $nginx ]] || { fail "no $nginx"; finish; exit; }
prefix=$(mktemp -d)
chmod 755 "$prefix"  # nginx's workers run as nobody
on_exit rm -rf "$prefix"
mkdir -p "$prefix/logs" "$prefix/html" "$prefix/tmp"
echo hello >"$prefix/html/index.html"
head -c 5000 /dev/zero >"$prefix/html/big.bin"
port=$(free_port)
conf=$prefix/nginx.conf
{ nginx_conf_head info 256; cat <<EOF; } >"$conf"
  log_format timed '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent '
                   '"\$http_referer" "\$http_user_agent" \$request_time \$upstream_response_time \$host';
  limit_req_zone \$binary_remote_addr zone=slow:1m rate=1r/m;
  limit_req_zone \$binary_remote_addr zone=polite:1m rate=1r/m;
  server {
    listen 127.0.0.1:$port;
    server_name logs.test;
    root $prefix/html;
    access_log $prefix/logs/access.log combined;
    access_log $prefix/logs/timed.log timed;
    location = /limited { limit_req zone=slow; default_type text/plain; alias $prefix/html/index.html; }
    location = /polite { limit_req zone=polite; limit_req_status 429; default_type text/plain; alias $prefix/html/index.html; }
  }
}
EOF
$nginx -p "$prefix" -c "$conf" -g 'daemon off;' 2>"$prefix/nginx.stderr" &
nginx_pid=$!
on_exit kill "$nginx_pid"
wait_until 10 curl -s -o /dev/null "http://127.0.0.1:$port/warmup" || { fail "nginx did not start: $(cat "$prefix/nginx.stderr")"; finish; exit; }
u="http://127.0.0.1:$port"
# Conditions for wait_until, re-evaluated at each poll (an argument like "$(grep ...)" would be
# expanded once, when wait_until is called).
at_least() { (($(grep -ac -- "$1" "$2" 2>/dev/null || true) >= $3)); }
has_open() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q "$2"; }
waited() { wait_until "$@" || fail "timed out waiting for: ${*:2}"; }

# The traffic, with what curl saw recorded per request (status and body bytes).
sent=$prefix/sent
: >"$sent"
req() { curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$@" >>"$sent"; }
curl -s -o /dev/null "$u/warmup" -w '%{http_code} %{size_download}\n' >>"$sent"  # the second warmup
echo "404 153" >>"$sent"  # the first warmup (wait_until above), a 404 like this one
for i in $(seq 20); do req "$u/index.html?i=$i"; done
for i in $(seq 3); do req "$u/big.bin"; done
for i in $(seq 7); do req "$u/missing/$i"; done
for i in $(seq 5); do req "$u/limited"; done
for i in $(seq 4); do req "$u/polite"; done
for i in $(seq 3); do req -X POST -d x=1 "$u/index.html"; done
req -A 'agent "with" quotes' -u alice:pw "$u/index.html"
total=$(wc -l <"$sent")
waited 10 at_least '' "$prefix/logs/access.log" "$total"

check_rc "summary --json" 0 "$bin" --json "$prefix/logs/access.log"
summary=$out
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$summary"; }
count_status() { awk -v s="$1" '$1==s' "$sent" | wc -l; }
check_eq "lines = requests sent" "$total" "$(jq_ 'd["lines"]')"
check_eq "requests = requests sent" "$total" "$(jq_ 'd["requests"]')"
check_eq "no malformed lines" 0 "$(jq_ 'd["malformed"]')"
for s in 200 404 405 429 503; do
  check_eq "status $s as sent" "$(count_status $s)" "$(jq_ "d['status'].get('$s', 0)")"
done
# 5 requests to /limited and 4 to /polite at 1r/m: all but the first of each rejected.
check_eq "4 rejected with 503 by limit_req" 4 "$(jq_ "d['status'].get('503', 0)")"
check_eq "3 rejected with 429 by limit_req" 3 "$(jq_ "d['status'].get('429', 0)")"
check_eq "rate_limited total" 7 "$(jq_ 'd["rate_limited"]["total"]')"
check_eq "bytes_sent = body bytes curl received" "$(awk '{s+=$2} END{print s}' "$sent")" "$(jq_ 'd["bytes_sent"]')"
check_eq "top path is /index.html (query stripped)" "/index.html 24" "$(jq_ 'd["top_paths"][0]["path"], d["top_paths"][0]["requests"]')"
check_eq "one client" "127.0.0.1 $total" "$(jq_ 'd["top_clients"][0]["addr"], d["top_clients"][0]["requests"]')"
check_eq "status_class 4xx" "$(awk '$1 ~ /^4/' "$sent" | wc -l)" "$(jq_ 'd["status_class"]["4xx"]')"

check_rc "summary of the custom format via --format-from" 0 "$bin" --json --format-from "$conf:timed" --by host "$prefix/logs/timed.log"
summary=$out
check_eq "custom: requests" "$total" "$(jq_ 'd["requests"]')"
check_eq "custom: request_time samples" "$total" "$(jq_ 'd["request_time"]["count"]')"
check_eq "custom: one vhost (\$host is the address curl used)" "127.0.0.1 $total" "$(jq_ 'd["vhosts"][0]["host"], d["vhosts"][0]["requests"]')"
check_eq "custom: --by host" "host" "$(jq_ 'd["by"]["key"]')"

check_rc "filter --status 5xx" 0 "$bin" filter --status 5xx "$prefix/logs/access.log"
check_eq "filter prints the 503 lines" "$(count_status 503)" "$(grep -c '" 503 ' <<<"$out")"
check_rc "filter --json --path /missing/*" 0 "$bin" filter --json --path '/missing/*' --method GET "$prefix/logs/access.log"
check_eq "filter NDJSON records" 7 "$(grep -c '"status":404' <<<"$out")"
check_rc "filter --client 10.0.0.0/8 matches nothing" 0 "$bin" filter --client 10.0.0.0/8 "$prefix/logs/access.log"
check_eq "no output" "" "$out"

check_rc "errors --json" 0 "$bin" errors --json "$prefix/logs/error.log"
summary=$out
check_eq "zone slow rejected 4" 4 "$(jq_ '[z["limit_req_rejected"] for z in d["zones"] if z["zone"]=="slow"][0]')"
check_eq "zone polite rejected 3" 3 "$(jq_ '[z["limit_req_rejected"] for z in d["zones"] if z["zone"]=="polite"][0]')"
check_eq "limit_req_rejected total" 7 "$(jq_ 'd["limit_req_rejected"]')"
# At level error: one open() failure per 404 and one limit_req line per rejection (both zones).
check_eq "error entries" "$(($(count_status 404) + $(count_status 503) + $(count_status 429)))" "$(jq_ 'd["levels"]["error"]')"
# The last three entries at warn or worse are polite's three rejections (the info-level
# keepalive lines after them are left out by --level).
check_rc "errors --level warn --last 3 lists limit_req" 0 "$bin" errors --json --level warn --last 3 "$prefix/logs/error.log"
summary=$out
check_eq "the 3 listed are polite's limit_req rejections" "polite polite polite" \
  "$(jq_ '" ".join(r["zone"] or "-" for r in d["records"] if r["message"].startswith("limiting requests"))')"
check_eq "--level warn left the info lines out" 0 "$(jq_ 'd["levels"].get("info", 0)')"
check_rc "errors --level warn, text view" 0 "$bin" errors --level warn --last 3 "$prefix/logs/error.log"
check_eq "text view lists the 3 entries of zone polite" 3 "$(grep -c 'limiting requests.*polite' <<<"$out")"
check_rc "errors --prom" 0 "$bin" errors --prom "$prefix/logs/error.log"
check_match "prom has zone counter" 'meshops_nginx_logs_limit_req_rejected\{zone="slow"\} 4' "$out"
check_rc "a missing file is UNKNOWN" 3 "$bin" "$prefix/logs/nope.log"
check_match "error names the file" "^nginx-logs: .*nope.log" "$err"
check_rc "a bad format is usage" 64 "$bin" --format '$a$b' "$prefix/logs/access.log"

# The config is read with file arguments too, and its nginx.logFormat is the default format
# (issue 13 item 7); a format that leaves text unread says so, once.
timed_format=$(sed -n "/log_format timed/,/;/p" "$conf" | grep -o "'[^']*'" | tr -d "'" | tr -d '\n' | sed 's/\\\$/$/g')
jq -n --arg f "$timed_format" '{nginx: {logFormat: $f}}' >"$prefix/meshops.json"
check_rc "summary with the config's logFormat" 0 "$bin" --json -c "$prefix/meshops.json" "$prefix/logs/timed.log"
summary=$out
check_eq "config's format: request_time read" "$total" "$(jq_ 'd["request_time"]["count"]')"
check_eq "config's format: \$host read" "127.0.0.1 $total" "$(jq_ 'd["vhosts"][0]["host"], d["vhosts"][0]["requests"]')"
check_eq "config's format: nothing unread" "0" "$(jq_ 'd["unread_lines"]')"
check_eq "config's format: no warning" "" "$err"
check_rc "-c /nonexistent with a file argument is UNKNOWN" 3 "$bin" -c /nonexistent/meshops.json "$prefix/logs/access.log"
check_match "-c /nonexistent: names the file" "^nginx-logs: .*/nonexistent/meshops.json" "$err"
echo '{"nginx": {"logFormt": "combined"}}' >"$prefix/typo.json"
check_rc "a config typo with a file argument is UNKNOWN" 3 "$bin" -c "$prefix/typo.json" "$prefix/logs/access.log"
check_match "typo: names the key" "nginx.logFormt: unknown key" "$err"
check_rc "filter reads the config too" 3 "$bin" filter -c "$prefix/typo.json" "$prefix/logs/access.log"
echo '{"nginx": {"logFormat": "$a$b"}}' >"$prefix/badformat.json"
check_rc "a bad nginx.logFormat is the config's error" 3 "$bin" -c "$prefix/badformat.json" "$prefix/logs/access.log"
check_match "bad logFormat: names the key" "badformat.json: nginx.logFormat: " "$err"
check_rc "timed.log read as combined" 0 "$bin" --json --format combined "$prefix/logs/timed.log"
summary=$out
check_eq "every line has unread text" "$total" "$(jq_ 'd["unread_lines"]')"
check_eq "said once" 1 "$(grep -c 'goes unread' <<<"$err")"
check_match "says what is unread and where the format came from" 'timed.log:1: .*goes unread: " ?0\.[0-9]+ - 127\.0\.0\.1".*\(([0-9]+) lines like it\)' "$err"
check_match "names the format's origin" 'the format is --format combined' "$err"
check_rc "filter of timed.log as combined" 0 "$bin" filter --format combined --status 404 "$prefix/logs/timed.log"
check_eq "filter: said once" 1 "$(grep -c 'goes unread' <<<"$err")"

# summary takes filter's record filters (issue 13 item 15): the top paths returning 5xx in the
# last hour is one command.
# Two threads from 32 MB on, as measured (bench/nginx-logs-threads; issue 13 item 19).
"$MESHOPS_SRC/bench/nginx-logs-generate" "$prefix/mid.log" 40e6 2>/dev/null
head -c 10000000 "$prefix/mid.log" | sed '$d' >"$prefix/small.log"
check_rc "a 40 MB log" 0 "$bin" -vv --json "$prefix/mid.log"
check_match "a 40 MB log is read with 2 threads" "mid.log: read with 2 threads" "$err"
check_rc "a 10 MB log" 0 "$bin" -vv --json "$prefix/small.log"
check_match "a 10 MB log is read with 1 thread" "small.log: read with 1 thread\$" "$(grep 'read with' <<<"$err")"
rm -f "$prefix/mid.log" "$prefix/small.log"

check_rc "summary --status 5xx --since 1h" 0 "$bin" summary --json --status 5xx --since 1h "$prefix/logs/access.log"
summary=$out
check_eq "5xx in the last hour: the 503s" "$(count_status 503)" "$(jq_ 'd["requests"]')"
check_match "generated_at is RFC 3339" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "$(jq_ 'd["generated_at"]')"
check_eq "5xx: top path" "/limited $(count_status 503)" "$(jq_ 'd["top_paths"][0]["path"], d["top_paths"][0]["requests"]')"
check_eq "5xx: the rest left out" "$((total - $(count_status 503)))" "$(jq_ 'd["filtered_out"]')"
check_rc "the default verb takes them too" 0 "$bin" --json --status 4xx --path '/missing/*' --method GET "$prefix/logs/access.log"
summary=$out
check_eq "4xx under /missing/ by GET" 7 "$(jq_ 'd["requests"]')"
check_rc "summary --client 10.0.0.0/8" 0 "$bin" summary --json --client 10.0.0.0/8 "$prefix/logs/access.log"
summary=$out
check_eq "no client in 10/8" 0 "$(jq_ 'd["requests"]')"
check_rc "summary --host with a host-less format is usage" 64 "$bin" summary --host logs.test "$prefix/logs/access.log"
check_rc "errors --status is usage" 64 "$bin" errors --status 5xx "$prefix/logs/error.log"
check_match "errors --status: says why" "^nginx-logs: errors reads the error log" "$err"

# nginx-test's own probe (User-Agent meshops-probe/1) through this nginx: left out of the
# summary and the filter, counted apart, and back with --include-probes.
jq -n --arg b "$nginx" --arg c "$conf" --arg p "$prefix" '{nginx: {binary: $b, config: $c, prefix: $p}}' >"$prefix/nt.json"
check_rc "nginx-test probes the vhost" 0 "$(tool nginx-test)" -c "$prefix/nt.json" --only vhosts --json
waited 10 at_least 'meshops-probe/' "$prefix/logs/access.log" 1
probes=$(grep -c 'meshops-probe/' "$prefix/logs/access.log")
check_rc "summary after the probe" 0 "$bin" --json "$prefix/logs/access.log"
summary=$out
check_eq "the probe is not a request" "$total $probes" "$(jq_ 'd["requests"], d["own_requests"]')"
check_rc "summary --include-probes" 0 "$bin" --json --include-probes "$prefix/logs/access.log"
summary=$out
check_eq "--include-probes counts it" "$((total + probes)) 0" "$(jq_ 'd["requests"], d["own_requests"]')"
check_rc "summary text" 0 "$bin" "$prefix/logs/access.log"
check_match "text says the probes were left out" "$probes of meshops' own probes left out" "$out"
check_rc "filter leaves the probe out" 0 "$bin" filter --path / "$prefix/logs/access.log"
check_eq "filter: no probe" "" "$out"
check_rc "filter --include-probes" 0 "$bin" filter --include-probes --path / "$prefix/logs/access.log"
check_eq "filter: the probe" "$probes" "$(grep -c 'meshops-probe/' <<<"$out")"
# A path nginx logged with an invalid byte (\xFF): the table shows it escaped once.
printf '127.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /a\\xFFb HTTP/1.1" 404 0 "-" "curl"\n' >"$prefix/invalid.log"
check_rc "summary of a path with an invalid byte" 0 "$bin" "$prefix/invalid.log"
check_match "the table escapes the byte once" '/a\\xffb ' "$out"
check_eq "no doubled backslash" 0 "$(grep -c '\\\\' <<<"$out")"
check_rc "JSON keeps nginx's form" 0 "$bin" --json "$prefix/invalid.log"
summary=$out
check_eq "JSON path as logged" '/a\xFFb' "$(jq_ 'd["top_paths"][0]["path"]')"
check_rc "errors --last -1 is usage" 64 "$bin" errors --last -1 "$prefix/logs/error.log"
check_match "--last -1: says what it wants" "^nginx-logs: --last: '-1' is not a whole number" "$err"
check_rc "--top 0 is usage" 64 "$bin" --top 0 "$prefix/logs/access.log"
check_match "--top 0: a short message" "^nginx-logs: --top: must be at least 1\$" "$(head -1 <<<"$err")"
check_rc "--interval 0 is usage" 64 "$bin" -f --interval 0 "$prefix/logs/access.log"
check_match "--interval 0: a short message" "^nginx-logs: --interval: must be more than 0 seconds\$" "$(head -1 <<<"$err")"
check_rc "--since with an overflowing duration is usage" 64 "$bin" --since 9999999999999h "$prefix/logs/access.log"
check_match "--since overflow: says so" "^nginx-logs: '9999999999999h' is too long ago to be a time" "$err"

# --- follow across rename + nginx -s reopen, under load ---
follow_out=$prefix/follow.ndjson
"$bin" filter -f --json --path '/seq/*' "$prefix/logs/access.log" >"$follow_out" 2>"$prefix/follow.err" &
follow_pid=$!
on_exit kill "$follow_pid"
# The follower starts at the end of the file: wait until it has opened it.
waited 10 has_open "$follow_pid" access.log
n=1500
(for i in $(seq $n); do curl -s -o /dev/null "$u/seq/$i"; done) &
load_pid=$!
waited 20 at_least /seq/ "$prefix/logs/access.log" 100
mv "$prefix/logs/access.log" "$prefix/logs/access.log.1"
$nginx -p "$prefix" -c "$conf" -s reopen
wait "$load_pid"
waited 60 at_least /seq/ "$follow_out" $n
check "nginx reopened: a new access.log exists" test -s "$prefix/logs/access.log"
check "the rotation happened under load: requests in both files" \
  test "$(grep -c '/seq/' "$prefix/logs/access.log")" -gt 0 -a "$(grep -c '/seq/' "$prefix/logs/access.log.1")" -gt 0
# A sentinel after everything: once it is seen, nothing else is still in flight.
curl -s -o /dev/null "$u/seq/sentinel"
waited 10 grep -q '/seq/sentinel' "$follow_out"
check_eq "follow across rotation: every line once" "$((n + 1)) $((n + 1))" \
  "$(grep -c '/seq/' "$follow_out") $(grep -o '"path":"/seq/[^"]*"' "$follow_out" | sort -u | wc -l)"
kill "$follow_pid"; wait "$follow_pid" 2>/dev/null

# --- follow across copytruncate (between bursts: lines written between the copy and the
# truncation are in the copy, which is copytruncate's own gap) ---
"$bin" filter -f --json --path '/ct/*' "$prefix/logs/access.log" >"$follow_out" 2>>"$prefix/follow.err" &
follow_pid=$!
on_exit kill "$follow_pid"
waited 10 has_open "$follow_pid" access.log
for i in $(seq 50); do curl -s -o /dev/null "$u/ct/a$i"; done
waited 10 at_least /ct/ "$follow_out" 50
cp "$prefix/logs/access.log" "$prefix/logs/access.log.2"
truncate -s 0 "$prefix/logs/access.log"
for i in $(seq 30); do curl -s -o /dev/null "$u/ct/b$i"; done
waited 10 at_least /ct/ "$follow_out" 80
curl -s -o /dev/null "$u/ct/sentinel"
waited 10 grep -q '/ct/sentinel' "$follow_out"
check_eq "follow across copytruncate: every line once" "81 81" \
  "$(grep -c '/ct/' "$follow_out") $(grep -o '"path":"/ct/[^"]*"' "$follow_out" | sort -u | wc -l)"
kill "$follow_pid"; wait "$follow_pid" 2>/dev/null
check_eq "follower wrote no errors" "" "$(cat "$prefix/follow.err")"
finish
