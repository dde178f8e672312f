#!/usr/bin/env bash
# scripts/tailnet host-exec runs a command only in the systemd host's namespaces: a recorded
# leader pid that is alive but not in the host's network namespace (the container died and the
# pid was reused) is refused, so nothing reaches the root namespace. No tailnet and no container
# are needed: the run directory is this test's, the "leader" a process of this test.
source "$(dirname "$0")/../integration/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
run=$(mktemp -d /tmp/meshops-hostexec.XXXXXX)
on_exit rm -rf "$run"
mkdir -p "$run/host"
# A process of the root namespace standing in for a recycled pid.
sleep 300 &
stray=$!
on_exit kill "$stray"
echo "$stray" >"$run/host/leader"
hx() { MESHOPS_TAILNET=hxunit MESHOPS_TAILNET_RUN=$run "$tailnet" host-exec "$@"; }

check_rc "host-exec refuses a leader outside the host's namespace" 1 hx readlink /proc/self/ns/net
check_eq "the command did not run" "" "$out"
check_match "says the host is not running" "the host is not running" "$err"
echo 999999999 >"$run/host/leader"
check_rc "host-exec with a leader that is gone" 1 hx true
finish
