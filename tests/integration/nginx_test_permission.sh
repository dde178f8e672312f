#!/usr/bin/env bash
# nginx-test as root whose environment refuses nginx what it needs (issue 17): a capability
# bounding set without CAP_NET_BIND_SERVICE (a systemd unit's), so the real nginx's `nginx -t`
# fails "bind() to 127.0.0.1:80 failed (13: Permission denied)"; and its log directory on a
# read-only mount (a unit's ProtectSystem=). Each is UNKNOWN (3) with a hint naming the
# permission, never CRITICAL; a real configuration error under the same bounding set stays
# CRITICAL (2). Port 80 is bound in a network namespace the test makes.
source "$(dirname "$0")/lib.sh"
bin=$(tool nginx-test)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
d=$(mktemp -d /tmp/meshops-nginx-perm.XXXXXX)
chmod 755 "$d"
on_exit rm -rf "$d"
ns=ntp-$$
on_exit ip netns del "$ns"
ip netns add "$ns" || { echo "cannot create a namespace" >&2; exit 1; }
ip -n "$ns" link set lo up

mkdir -p "$d/conf" "$d/logs" "$d/tmp"
{ nginx_conf_head; cat <<CONF; } >"$d/conf/nginx.conf"
  access_log logs/access.log;
  server { listen 127.0.0.1:80; server_name ollama.kernelcore.example.ts.net; return 204; }
}
CONF
echo '{}' >"$d/meshops.json"
nt=(ip netns exec "$ns" "$bin" -c "$d/meshops.json" --nginx "$nginx_bin" -p "$d/" --config-file "$d/conf/nginx.conf"
  --only syntax --json)
# The bounding set of a unit lacking the capability: root keeps every other one.
no_bind=(setpriv --bounding-set=-net_bind_service)

check_rc "root, every capability: ok" 0 "${nt[@]}"
check_rc "root without CAP_NET_BIND_SERVICE: unknown, not critical" 3 "${no_bind[@]}" "${nt[@]}"
check_eq "nginx's own message is kept" "true" \
  "$(jq '[.diagnostics[] | select(.message | test("^bind\\(\\) to 127.0.0.1:80 failed \\(13: Permission denied\\)"))] | length == 1' <<<"$out")"
check_match "the problem quotes nginx" "nginx needs a permission user root lacks: bind\(\) to 127.0.0.1:80 failed" \
  "$(jq -r .problem <<<"$out")"
check_match "the hint names the capability" "hint: root here lacks CAP_NET_BIND_SERVICE" "$err"
check_match "the JSON has the same hint" "^root here lacks CAP_NET_BIND_SERVICE" "$(jq -r .hint <<<"$out")"
check_eq "the JSON's first reason is the problem" "$(jq -r .problem <<<"$out")" "$(jq -r '.reasons[0]' <<<"$out")"

cp "$d/conf/nginx.conf" "$d/good.conf"
sed -i 's/return 204;/no_such_directive on;/' "$d/conf/nginx.conf"
check_rc "a configuration error under the same bounding set: critical" 2 "${no_bind[@]}" "${nt[@]}"
check_match "the error is nginx's" 'unknown directive "no_such_directive"' "$(jq -r '.diagnostics[0].message' <<<"$out")"
check_eq "a configuration error has no hint" "null" "$(jq -r .hint <<<"$out")"
cp "$d/good.conf" "$d/conf/nginx.conf"

# The log directory read-only, in a mount namespace of its own (nothing of the machine's changes).
ro_logs() { unshare --mount --propagation private bash -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' _ "$d/logs" "$@"; }
check_rc "logs on a read-only mount: unknown" 3 ro_logs "${nt[@]}"
check_match "the problem quotes nginx" "Read-only file system" "$(jq -r .problem <<<"$out")"
check_match "the hint says read-only" "hint: .*read-only here" "$err"

finish
