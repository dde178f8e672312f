#!/usr/bin/env bash
# ts-monitor keeps running through a /status reply nlohmann cannot hold (issue 18): a number
# past what a double holds (1e999) once made it exit 3 with "internal error" on the first
# check. Real tailscaled cannot write such a reply (Go's encoder has no such float), so a
# stand-in LocalAPI on a unix socket serves the status captured from the real laptop node
# (tests/fixtures/tailscale/status-laptop.json) first, then the same reply with 1e999 for a
# peer's RxBytes. The daemon must log each bad check as unknown, naming the reply and the
# field's trouble, keep checking, and stop cleanly on SIGTERM.
source "$(dirname "$0")/../integration/lib.sh"

work=$(mktemp -d)
on_exit rm -rf "$work"
sock="$work/tailscaled.sock"

cat >"$work/standin.py" <<'PY'
import re, socket, sys
sock_path, fixture = sys.argv[1], sys.argv[2]
good = open(fixture, "rb").read()
bad = re.sub(rb'"RxBytes": *[0-9]+', b'"RxBytes": 1e999', good, count=1)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sock_path)
s.listen(8)
served = 0
while True:
    c, _ = s.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = c.recv(4096)
        if not chunk:
            break
        req += chunk
    body = good if served == 0 else bad
    if not req.startswith(b"GET /localapi/v0/status"):
        body = b'{"error":"not served by this stand-in"}'
    served += 1
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    c.close()
PY
python3 "$work/standin.py" "$sock" "$MESHOPS_SRC/tests/fixtures/tailscale/status-laptop.json" &
standin=$!
on_exit kill "$standin"
wait_until 10 test -S "$sock" || { fail "the stand-in LocalAPI did not start"; finish; exit; }

printf '{"monitoring": {"checkInterval": 1, "targets": ["kernelcore"], "exitNodes": ["kernelcore"]}}\n' >"$work/config.json"
"$(tool ts-monitor)" --json --dry-run --socket "$sock" -c "$work/config.json" --state-dir "$work/state" \
  >"$work/out" 2>"$work/err" &
monitor=$!
on_exit kill "$monitor"

unknown_checks() { grep -c '"event":"check".*"health":"unknown"' "$work/out"; }
three_checks() { (($(unknown_checks) >= 3)); }
check "three checks on the hostile reply, each reported" wait_until 20 three_checks
check "ts-monitor is still running after them" kill -0 "$monitor"
line=$(grep -m1 '"event":"check"' "$work/out")
check_match "the check names the reply and the number" "tailscaled's /status reply: .*number overflow parsing '1e999'" "$line"
check_eq "nothing on stderr said internal error" "" "$(grep -i 'internal error' "$work/err")"
kill -TERM "$monitor"
wait "$monitor"
check_eq "SIGTERM ends it with exit 0" 0 "$?"
check_match "it says it stopped" '"event":"stopped"' "$(tail -n1 "$work/out")"
finish
