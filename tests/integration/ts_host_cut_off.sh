#!/usr/bin/env bash
# needs: tailnet
# The host cut off, seen from kernelcore on the real tailnet: control (headscale) killed while
# the peers stay connected, then every peer's tailscaled killed. Neither may read OK: cut off
# from control, ts-status is WARNING (tailscaled raises no health warning for it; only
# Self.Online says so) and meshops-health with it; with every peer offline ts-status is WARNING
# and ts-quality CRITICAL (no peer to reach is the finding, not UNKNOWN), each with its whole
# JSON document and the reason in it; ts-monitor's check fails (it was "healthy" with no target
# to measure). Everything is put back on exit, whatever happened.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
ns=$TAILNET_NS_KERNELCORE
sock=$TAILNET_SOCK_KERNELCORE
in_ns() { ip netns exec "$ns" "$@"; }
ts_status() { in_ns "$(tool ts-status)" --socket "$sock" "$@"; }
q() { in_ns "$(tool ts-quality)" --socket "$sock" --no-netcheck --count 2 --interval 0.2 --timeout 2 "$@"; }
mh() { in_ns "$(tool meshops-health)" -c "$cfg" --socket "$sock" --only ts-status,ts-quality "$@"; }
localapi() { curl -sf --max-time 5 --unix-socket "$sock" "http://local-tailscaled.sock/localapi/v0/$1"; }
cfg=$(mktemp)
on_exit rm -f "$cfg"
echo '{}' >"$cfg"
# doc WHAT STATUS: $out is one document of its tool's schema with this status and a reason.
doc() {
  check_eq "$1: one document: schema first, the status, a reason" "$2 true" \
    "$(jq -rs 'if length == 1 then .[0] | "\(.status) \((keys_unsorted[0] == "schema") and (.reasons | length > 0))" else "\(length) documents" end' <<<"$out")"
}

on_exit "$tailnet" up
check_rc "all well: ts-status ok" 0 ts_status --json
check_eq "all well: Self.Online" "true" "$(localapi status | jq -r .Self.Online)"

# --- control gone: headscale killed, peers still connected
kill "$(cat "$TAILNET_RUN/headscale/pid")"
out_of_poll() { localapi status | jq -e '.BackendState == "Running" and (.Self.Online | not)' >/dev/null; }
check "kernelcore notices control is gone" wait_until 60 out_of_poll
check_eq "tailscaled itself raises no health warning for it" "[]" "$(localapi status | jq -c '.Health // []')"
check_rc "control down: ts-status is WARNING" 1 ts_status --json
doc "control down: ts-status" warning
check_match "the reason says control is unreachable" "^not connected to the coordination server" "$(jq -r '.reasons[0]' <<<"$out")"
check_rc "control down: text says so too" 1 ts_status
check_match "text: the warning" $'\nControl: +not connected to the coordination server' "$out"
check_rc "control down: the peers still answer: ts-quality ok" 0 q --json
check_rc "control down: meshops-health is WARNING" 1 mh
check_match "meshops-health names ts-status's reason" "WARNING +ts-status +not connected to the coordination server" "$out"
"$tailnet" up >/dev/null 2>&1
in_poll() { localapi status | jq -e '.Self.Online' >/dev/null; }
check "headscale back: kernelcore in the map poll again" wait_until 60 in_poll
check_rc "control back: ts-status ok" 0 ts_status --json

# --- every peer offline
on_exit "$tailnet" start-node laptop
on_exit "$tailnet" start-node other-server
"$tailnet" stop-node laptop >/dev/null 2>&1
"$tailnet" stop-node other-server >/dev/null 2>&1
all_offline() { localapi status | jq -e '[.Peer[] | select(.Online)] | length == 0' >/dev/null; }
check "kernelcore sees both peers offline" wait_until 60 all_offline
check_rc "all peers offline: ts-status is WARNING" 1 ts_status --json
doc "all peers offline: ts-status" warning
check_eq "the reason counts them" '["all 2 peers are offline: this node reaches no one"]' "$(jq -c .reasons <<<"$out")"
check_rc "all peers offline: ts-quality is CRITICAL" 2 q --json
doc "all peers offline: ts-quality" critical
check_eq "the reason, no hint" '["all 2 peers are offline in the netmap: none to measure"] null' "$(jq -c -r '"\(.reasons) \(.hint)"' <<<"$out")"
check_rc "all peers offline: ts-quality --plugin" 2 q --plugin
check_match "plugin line" "^TS-QUALITY CRITICAL - all 2 peers are offline in the netmap" "$out"
state=$(mktemp -d)
on_exit rm -rf "$state"
check_rc "all peers offline: ts-monitor --once, no targets configured, fails the check" 2 \
  in_ns "$(tool ts-monitor)" -c "$cfg" --socket "$sock" --once --state-dir "$state" --json
check_eq "its check event says why" "failed all 2 peers are offline in the netmap: none to measure" \
  "$(jq -r 'select(.event == "check") | "\(.health) \(.reason)"' <<<"$out")"
check_rc "all peers offline: meshops-health is CRITICAL" 2 mh --json
check_eq "its checks" "ts-status warning, ts-quality critical" \
  "$(jq -r '[.checks | to_entries[] | "\(.key) \(.value.state)"] | join(", ")' <<<"$out")"
finish
