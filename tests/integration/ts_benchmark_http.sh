#!/usr/bin/env bash
# ts-benchmark --url against a real nginx on 127.0.0.1 proxying to a real upstream (python3
# http.server): the requests it counts equal the lines nginx wrote to its access log (counted
# by nginx-logs when built, and by wc -l), status counts match, a dead upstream shows as 502s
# and exit 1, a closed port as failed requests and no result (exit 2, no rate, no history
# line); --header and --resolve reach a name-based virtual host; --history/--compare keep and
# compare results.
source "$(dirname "$0")/lib.sh"
jq_true() { jq -e "$@" >/dev/null; }  # jq_true FILTER: the JSON on stdin makes FILTER true
bench=$(tool ts-benchmark)
nginx=/usr/sbin/nginx
[[ -x $nginx ]] || { fail "no $nginx"; finish; exit; }
prefix=$(mktemp -d)
chmod 755 "$prefix"
on_exit rm -rf "$prefix"
mkdir -p "$prefix/logs" "$prefix/tmp" "$prefix/www"
head -c 2048 /dev/urandom | base64 >"$prefix/www/page.txt"
port=$(free_port)
up_port=$(free_port)
dead_port=$(free_port)
python3 -m http.server "$up_port" --bind 127.0.0.1 --directory "$prefix/www" >/dev/null 2>&1 &
on_exit kill $!
{ nginx_conf_head warn 512; cat <<EOF; } >"$prefix/nginx.conf"
  upstream app { server 127.0.0.1:$up_port; keepalive 16; }
  log_format vhost '\$host \$http_x_bench';
  server {
    listen 127.0.0.1:$port;
    server_name vhost.test;
    access_log $prefix/logs/vhost.log vhost;
    location / { return 204; }
  }
  server {
    listen 127.0.0.1:$port default_server;
    access_log $prefix/logs/access.log combined;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /dead/ { proxy_pass http://127.0.0.1:$dead_port/; }
  }
}
EOF
$nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' 2>"$prefix/nginx.stderr" &
on_exit kill $!
wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$port/page.txt" || { fail "nginx/upstream did not start: $(cat "$prefix/nginx.stderr")"; finish; exit; }
: >"$prefix/logs/access.log"  # the warm-up requests are not part of the count

lines() { wc -l <"$prefix/logs/access.log" | tr -d ' '; }
logged_requests() {
  if [[ -x "$(tool nginx-logs)" ]]; then "$(tool nginx-logs)" --json --include-probes "$prefix/logs/access.log" | jq .requests; else lines; fi
}

check_rc "--url: 300 requests, 8 concurrent" 0 "$bench" --url "http://127.0.0.1:$port/page.txt" --requests 300 --concurrency 8 --json
check_eq "schema and kind" "meshops/ts-benchmark/1 http" "$(jq -r '"\(.schema) \(.kind)"' <<<"$out")"
check_eq "300 requests, all 200" "300 300 0" "$(jq -r '.http | "\(.requests) \(.status_counts["200"]) \(.failed)"' <<<"$out")"
check "requests/s and latency percentiles are measured" jq_true '.http.requests_per_s > 0 and .http.latency.p50_ms > 0 and .http.latency.p99_ms >= .http.latency.p50_ms' <<<"$out"
# nginx writes the log line after the response: wait for the last ones.
wait_until 10 test "$(lines)" -ge 300
check_eq "nginx's access log counts the same 300 requests" 300 "$(logged_requests)"
check_eq "and as many lines" 300 "$(lines)"
check_eq "all with status 200 in the log" 300 "$(awk '$9 == 200' "$prefix/logs/access.log" | wc -l | tr -d ' ')"

: >"$prefix/logs/access.log"
check_rc "dead upstream: 502s are a warning, exit 1" 1 "$bench" --url "http://127.0.0.1:$port/dead/x" --requests 20 --concurrency 4 --json
check_eq "20 answered 502" 20 "$(jq '.http.status_counts["502"]' <<<"$out")"
wait_until 10 test "$(lines)" -ge 20
check_eq "nginx logged 20 requests with 502" 20 "$(awk '$9 == 502' "$prefix/logs/access.log" | wc -l | tr -d ' ')"

hist_dead=$prefix/dead.ndjson
check_rc "closed port: every request failed, no result, exit 2" 2 "$bench" --url "http://127.0.0.1:$dead_port/" --requests 5 --concurrency 2 --json --history "$hist_dead"
check_eq "5 failed, none answered, no status, no rate" "5 0 {} null" \
  "$(jq -c '"\(.http.failed) \(.http.answered) \(.http.status_counts) \(.http.requests_per_s)"' -r <<<"$out")"
check_match "curl's reason is counted" "Could not connect|Connection refused|Failed to connect" "$(jq -r '.http.errors | keys[0]' <<<"$out")"
check "a run with no result is not kept in --history" test ! -s "$hist_dead"
check_match "and says so" "not recorded, every request failed" "$err"
check_rc "closed port, text: exit 2" 2 "$bench" --url "http://127.0.0.1:$dead_port/" --requests 3
check_match "text: says there is no result" "3 requests, .*every request failed, no result" "$out"
check_eq "text: no requests/s from failures" "" "$(grep -o 'requests/s' <<<"$out")"

check_rc "--resolve and --header: a name-based virtual host" 0 "$bench" --url "http://vhost.test:$port/" \
  --resolve "vhost.test:$port:127.0.0.1" --header "X-Bench: yes" --requests 10 --concurrency 2 --json
check_eq "10 answered 204 by the vhost" "10 10" "$(jq -r '.http | "\(.answered) \(.status_counts["204"])"' <<<"$out")"
wait_until 10 test "$(wc -l <"$prefix/logs/vhost.log")" -ge 10
check_eq "nginx saw the Host and the header on every request" "10 vhost.test yes" "$(sort "$prefix/logs/vhost.log" | uniq -c | awk '{print $1, $2, $3}')"
check_rc "--resolve malformed: usage" 64 "$bench" --url "http://vhost.test:$port/" --resolve "vhost.test:nope:127.0.0.1"
check_match "--resolve malformed: says the form" "HOST:PORT:ADDR" "$err"
check_rc "--header malformed: usage" 64 "$bench" --url "http://vhost.test:$port/" --header "no colon"

hist=$prefix/history.ndjson
check_rc "first run into --history" 0 "$bench" --url "http://127.0.0.1:$port/page.txt" --requests 50 --concurrency 5 --history "$hist" --compare "$hist" --json
check_match "no earlier run: says so on stderr" "no earlier http result" "$err"
first_at=$(jq -r .generated_at <<<"$out")
check_rc "second run compares with the first" 0 "$bench" --url "http://127.0.0.1:$port/page.txt" --requests 50 --concurrency 5 --history "$hist" --compare "$hist" --json
check_eq "compare.previous_at is the first run" "$first_at" "$(jq -r .compare.previous_at <<<"$out")"
check "requests/s change is computed" jq_true '.compare.changes | map(select(.metric == "http.requests_per_s")) | length == 1' <<<"$out"
check_eq "history has one line per run" 2 "$(wc -l <"$hist" | tr -d ' ')"
check_rc "text view of the comparison" 0 "$bench" --url "http://127.0.0.1:$port/page.txt" --requests 20 --compare "$hist"
check_match "text shows the comparison" "Compared with the run of .*http.requests_per_s" "$(tr '\n' ' ' <<<"$out")"
echo 'not json {' >>"$hist"
check_rc "a truncated history line is skipped" 0 "$bench" --url "http://127.0.0.1:$port/page.txt" --requests 20 --compare "$hist" --json
check "and the comparison still found the last good run" jq_true '.compare.previous_at != null' <<<"$out"

check_rc "bad URL is a usage error" 64 "$bench" --url "not a url"
check_rc "two modes at once is a usage error" 64 "$bench" --url "http://127.0.0.1:$port/" --serve
check_rc "nothing to do is a usage error" 64 "$bench"
finish
