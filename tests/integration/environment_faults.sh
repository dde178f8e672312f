#!/usr/bin/env bash
# needs: tailnet
# When the environment, not the thing checked, is at fault (issue 17), every tool is UNKNOWN
# (3) with a hint naming the permission that is missing, never WARNING or CRITICAL, in text
# and in JSON. Each run here is unprivileged (setpriv: user nobody, no capabilities) against
# the real thing: a tailscaled socket of the test tailnet made 0600 (as a socket only root may
# use), a log file only root may read, a state directory and a textfile directory nobody may
# write. A tool that fails before its document still prints one in JSON (tool_main's).
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
sock=$TAILNET_SOCK_KERNELCORE
work=$(mktemp -d)
chmod 0755 "$work"
on_exit rm -rf "$work"

# nob CMD...: CMD as user nobody, group nogroup, no supplementary groups and no capabilities.
nob() { setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"; }

# fault WHAT HINT CMD...: CMD exits 3 with `hint: ...HINT...` on stderr; CMD --json exits 3
# and prints one document whose status is unknown and whose hint matches HINT.
fault() {
  local what=$1 hint=$2
  shift 2
  check_rc "$what: text" 3 "$@"
  check_match "$what: text: the hint" "^hint: .*$hint" "$(grep '^hint: ' <<<"$err")"
  check_rc "$what: JSON" 3 "$@" --json
  check_eq "$what: JSON: one document, status unknown" "unknown" \
    "$(jq -rs 'if length == 1 then .[0].status else "\(length) documents" end' <<<"$out")"
  check_match "$what: JSON: the hint" "$hint" "$(jq -r '.hint // empty' <<<"$out" 2>/dev/null)"
}

# --- tailscaled's socket, which only root may use
on_exit chmod 0666 "$sock"
chmod 0600 "$sock"
operator="root or as tailscaled's operator"
fault "ts-benchmark, socket 0600" "$operator" nob "$(tool ts-benchmark)" --socket "$sock" laptop --duration 0.2
fault "meshops-reach, socket 0600" "$operator" nob "$(tool meshops-reach)" --socket "$sock" laptop tcp/80
fault "ts-monitor --once, socket 0600" "$operator" nob "$(tool ts-monitor)" --socket "$sock" --once --state-dir "$work"
chmod 0666 "$sock"

# --- a state directory and a textfile directory the user may not write
mkdir -m 0755 "$work/ro"
fault "ts-monitor --once, state dir not writable" "lacks write permission on $work/ro" \
  nob "$(tool ts-monitor)" --socket "$sock" --once --state-dir "$work/ro"
check_rc "ts-status --prom-file in a directory it may not write" 3 nob "$(tool ts-status)" --socket "$sock" --prom-file "$work/ro/ts.prom"
check_match "the hint names the directory and the permission" "hint: user nobody lacks write permission on $work/ro" "$err"
check "no file was left there" test -z "$(ls -A "$work/ro")"
# Beside --json and --plugin the measured state is not the result: the textfile is.
for t in ts-status nginx-logs; do
  args=(--socket "$sock")
  [[ $t == nginx-logs ]] && args=(summary "$MESHOPS_SRC/tests/fixtures/nginx-logs/combined.log")
  fault "$t --prom-file in a directory it may not write" "lacks write permission on $work/ro" \
    nob "$(tool "$t")" "${args[@]}" --prom-file "$work/ro/$t.prom"
  check_rc "$t --plugin --prom-file there: unknown" 3 nob "$(tool "$t")" "${args[@]}" --plugin --prom-file "$work/ro/$t.prom"
  check_match "$t --plugin: the UNKNOWN line names the file, the hint follows" \
    "^${t^^} UNKNOWN - .*$work/ro/$t.prom.*"$'\n'"hint: user nobody lacks write permission on $work/ro" "$out"
done
check "still no file there" test -z "$(ls -A "$work/ro")"

# --- the ruleset without CAP_NET_ADMIN (in a namespace of this test): as nobody, and as root
# whose bounding set lacks it (a unit's CapabilityBoundingSet= without it)
fwns=envfault-fw-$$
on_exit ip netns del "$fwns"
ip netns add "$fwns"
fw=$(tool fw-status)
netadmin="lacks CAP_NET_ADMIN: .*CapabilityBoundingSet=CAP_NET_ADMIN.*AmbientCapabilities=CAP_NET_ADMIN"
fault "fw-status as nobody" "$netadmin" ip netns exec "$fwns" setpriv --reuid nobody --regid nogroup --clear-groups \
  --inh-caps=-all --bounding-set=-all -- "$fw"
fault "fw-status --check, root without CAP_NET_ADMIN" "$netadmin" ip netns exec "$fwns" \
  setpriv --inh-caps=-all --bounding-set=-net_admin -- "$fw" --check -c "$MESHOPS_SRC/tests/fixtures/nft/config.json"
check_match "fw-status: the error names the capability" "^fw-status: reading the ruleset: permission denied \(CAP_NET_ADMIN needed\)" "$err"

# --- a log only root may read
printf '%s\n' '127.0.0.1 - - [02/Dec/2026:07:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"' >"$work/access.log"
chmod 0600 "$work/access.log"
fault "nginx-logs, log not readable" "lacks read permission on $work/access.log \\(root:root 0600\\)" \
  nob "$(tool nginx-logs)" "$work/access.log"
fault "nginx-logs errors, log not readable" "lacks read permission" nob "$(tool nginx-logs)" errors "$work/access.log"
fault "ts-monitor-logs --file, log not readable" "lacks read permission on $work/access.log \\(root:root 0600\\): run as root$" \
  nob "$(tool ts-monitor-logs)" --file "$work/access.log"

# --- the check tools' own documents (issue 17): ts-status and ts-quality print their JSON
# themselves, with the hint in it, when tailscaled's socket refuses them.
chmod 0600 "$sock"
fault "ts-status, socket 0600" "$operator" nob "$(tool ts-status)" --socket "$sock"
fault "ts-quality, socket 0600" "$operator" nob "$(tool ts-quality)" --socket "$sock" --no-netcheck -n 1
check_eq "ts-quality, socket 0600: the document is the check's own (options, no targets)" "1 0" \
  "$(jq -r '"\(.options.count) \(.targets | length)"' <<<"$out")"
chmod 0666 "$sock"
finish
