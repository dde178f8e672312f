#!/usr/bin/env bash
# needs: tailnet
# Ctrl-C on a long ts-quality run (issue 13 item 18), on a real terminal: ts-quality runs under
# a pseudo-terminal (its stderr and controlling tty; stdout to a file), shows progress on
# stderr once the run has lasted a second, and the ^C typed into the terminal (the tty driver
# sends SIGINT) ends it with the partial result printed. Measured from laptop's namespace.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# pty_run OUT TTYLOG CMD...: runs CMD with stdout to OUT and stderr + controlling tty on a new
# pty whose output goes to TTYLOG; types ^C once "probes ended" shows there (20 s deadline);
# prints CMD's exit status (128+N for a signal), or "timeout" when it did not end within 20 s.
pty_run() {
  python3 - "$@" <<'PY'
import fcntl, os, select, subprocess, sys, termios, time
out, ttylog, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = os.openpty()
def child():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
with open(out, "wb") as o:
    p = subprocess.Popen(cmd, stdin=slave, stdout=o, stderr=slave, preexec_fn=child)
os.close(slave)
seen, sent, deadline = b"", False, time.monotonic() + 20
while time.monotonic() < deadline and p.poll() is None:
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
    if not sent and b"probes ended" in seen:
        os.write(master, b"\x03")
        sent = True
try:
    rc = p.wait(timeout=max(0.1, deadline - time.monotonic()))
    print(rc if rc >= 0 else 128 - rc)
except subprocess.TimeoutExpired:
    p.kill()
    print("timeout")
open(ttylog, "wb").write(seen)
PY
}

q=(ip netns exec "$TAILNET_NS_LAPTOP" "$(tool ts-quality)" --socket "$TAILNET_SOCK_LAPTOP" --no-netcheck)
rc=$(pty_run "$tmp/out.json" "$tmp/tty.log" "${q[@]}" -n 100 -i 0.1 --json)
check_eq "^C ends the run: exit 3 (unknown: a partial run cannot say ok)" 3 "$rc"
check_match "progress showed on the terminal (stderr)" "ts-quality: [0-9]+/200 probes ended \(2 peers\)" "$(cat "$tmp/tty.log")"
json_ok() { jq -e . "$1" >/dev/null; }
check "the partial result is one JSON document" json_ok "$tmp/out.json"
check_eq "marked interrupted, status unknown, a reason" "true unknown true" \
  "$(jq -r '"\(.interrupted) \(.status) \(.reasons[0] | startswith("interrupted after"))"' "$tmp/out.json")"
sent=$(jq '[.targets[].sent] | add' "$tmp/out.json")
check "some probes were measured, not all 200 ($sent)" test "$sent" -gt 0 -a "$sent" -lt 200
check_eq "each peer's probes all ended (replies, none lost to the interrupt)" "0 0" \
  "$(jq -r '[.targets[] | .sent - .received] | map(tostring) | join(" ")' "$tmp/out.json")"

rc=$(pty_run "$tmp/out.txt" "$tmp/tty2.log" "${q[@]}" -n 100 -i 0.1)
check_eq "text: ^C, exit 3" 3 "$rc"
check_match "text: the partial table and why" "UNKNOWN: interrupted after .*: partial result" "$(cat "$tmp/out.txt")"
check_match "text: a row per peer" "kernelcore +100\.64\.0\.1" "$(cat "$tmp/out.txt")"

# Without a terminal there is no progress, and a short run shows none either.
check_rc "no terminal: no progress on stderr" 0 "${q[@]}" -n 2 -i 0.1 --json
check_eq "stderr is empty" "" "$err"
finish
