#!/usr/bin/env bash
# The inputs of issue 18 that grew faster than linearly, at 1x and 2x size: prints each case's
# best-of-3 CPU time of the real tool and the ratio 2x/1x (linear: about 2).
#   nginx nesting      nginx-test --only duplicates on a -T dump of 400 location chains 48 and
#                      96 deep (each level copied its subtree again: 4x per 2x)
#   include fan-out    one snippet included from 20,000 and 40,000 server blocks
#   long line, pipe    nginx-logs summary of one 25 MB and 50 MB line from a pipe (4x per 2x)
#   nft named set      fw-status --check on a ruleset whose named set holds 4,000 and 8,000 ports
#   nft anon set       the same ports written inline in the rule (tcp dport { 1000, 1001, ... })
# The nginx dumps cannot come from the real nginx (it reads them, but -T of them is what we
# time, and nginx's own reading is not ours): a stand-in prints the generated dump for -T and
# nginx's two "ok" lines for -t, as tests/fixtures/nginx-test/valid.stderr has them.
# Usage: bench/complexity.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best_ms CMD...: the least CPU time (user + system, the command's processes) of three runs, in
# milliseconds. Not the wall time: on a shared machine that is mostly waiting for a core (a 25 MB
# line from a pipe took 0.15 s of CPU in 1.06 s and 1.36 s of wall time).
best_ms() {
  local best=0 i t TIMEFORMAT='%3U %3S'
  for i in 1 2 3; do
    t=$({ time "$@" >/dev/null 2>&1 || true; } 2>&1)
    t=$(awk '{ printf "%d", ($1 + $2) * 1000 }' <<<"$t")
    ((best == 0 || t < best)) && best=$t
  done
  echo "$best"
}
# report NAME MS1 MS2
report() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-22s 1x %6d ms   2x %6d ms   ratio %.2f\n", n, a, b, b / (a ? a : 1) }'; }

cat >"$work/nginx" <<'SH'
#!/bin/sh
# Stand-in for nginx: -T prints $DUMP, -t says the configuration is ok.
conf=/etc/nginx/nginx.conf
echo "nginx: the configuration file $conf syntax is ok" >&2
echo "nginx: configuration file $conf test is successful" >&2
for a in "$@"; do [ "$a" = -T ] && cat "$DUMP"; done
exit 0
SH
chmod +x "$work/nginx"
nginx_test() { DUMP=$1 "$build/tools/nginx-test/nginx-test" --nginx "$work/nginx" --config-file /etc/nginx/nginx.conf --only duplicates --json; }

nested_dump() {  # nested_dump DEPTH CHAINS
  python3 - "$1" "$2" <<'PY'
import sys
depth, chains = int(sys.argv[1]), int(sys.argv[2])
out = ["# configuration file /etc/nginx/nginx.conf:", "events {}", "http {"]
for c in range(chains):
    out.append("server { listen %d; server_name s%d.example;" % (10000 + c, c))
    out.append(" ".join("location /%s {" % "/".join(["a"] * (i + 1)) for i in range(depth)))
    out.append("return 204; " + "} " * depth + "}")
out.append("}")
print("\n".join(out))
PY
}
fanout_dump() {  # fanout_dump SERVERS
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
out = ["# configuration file /etc/nginx/nginx.conf:", "events {}", "http {"]
out += ["server { listen %d; server_name s%d.example; include snippet.conf; }" % (10000 + i, i) for i in range(n)]
out += ["}", "# configuration file /etc/nginx/snippet.conf:", "client_max_body_size 1m; proxy_set_header Host $host;"]
print("\n".join(out))
PY
}
nested_dump 48 400 >"$work/nest1" && nested_dump 96 400 >"$work/nest2"
report "nginx nesting" "$(best_ms nginx_test "$work/nest1")" "$(best_ms nginx_test "$work/nest2")"
fanout_dump 20000 >"$work/fan1" && fanout_dump 40000 >"$work/fan2"
report "include fan-out" "$(best_ms nginx_test "$work/fan1")" "$(best_ms nginx_test "$work/fan2")"

long_line() {  # long_line MB
  printf '10.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /'
  head -c "$(($1 * 1000000))" /dev/zero | tr '\0' a
  printf ' HTTP/1.1" 200 5 "-" "curl"\n'
}
long_line 25 >"$work/line1" && long_line 50 >"$work/line2"
from_pipe() { cat "$1" | "$build/tools/nginx-logs/nginx-logs" summary --json -; }
report "long line, pipe" "$(best_ms from_pipe "$work/line1")" "$(best_ms from_pipe "$work/line2")"

ruleset() {  # ruleset PORTS named|anon: an input chain accepting tcp dport @ports (or the ports inline), the rest dropped
  python3 - "$1" "$2" <<'PY'
import json, sys
n, kind = int(sys.argv[1]), sys.argv[2]
t = {"family": "inet", "table": "t"}
ports = list(range(1000, 1000 + n))
items = [{"table": {"family": "inet", "name": "t", "handle": 1}},
         {"chain": dict(t, name="input", handle=1, type="filter", hook="input", prio=0, policy="drop")},
         {"set": dict(t, name="ports", handle=2, type="inet_service", elem=ports)},
         {"rule": dict(t, chain="input", handle=3, expr=[
             {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                        "right": "@ports" if kind == "named" else {"set": ports}}},
             {"accept": None}])}]
print(json.dumps({"nftables": items}))
PY
}
printf '{"firewall": {"zones": {"dmz": {"allowedTCPPorts": [80, 443]}}}}\n' >"$work/config.json"
fw_check() { "$build/tools/fw-status/fw-status" --file "$1" --check -c "$work/config.json" --json; }
for kind in named anon; do
  ruleset 4000 $kind >"$work/set1.json" && ruleset 8000 $kind >"$work/set2.json"
  report "nft $kind set --check" "$(best_ms fw_check "$work/set1.json")" "$(best_ms fw_check "$work/set2.json")"
done
