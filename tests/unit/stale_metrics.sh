#!/usr/bin/env bash
# --prom-file in every state (issue 13, item 3): a check tool that fails still replaces its
# textfile, with PREFIX_state 3 and PREFIX_up 0, so node_exporter never keeps serving the last
# good run for a dead daemon; every file ends with PREFIX_last_run_timestamp_seconds; --json
# with --prom-file prints the JSON and writes the file; bad usage leaves the file alone. Every
# file written is held to `promtool check metrics` (Debian's prometheus package).
source "$(dirname "$0")/../integration/lib.sh"

work=$(mktemp -d)
on_exit rm -rf "$work"
fixtures="$MESHOPS_SRC/tests/fixtures"

# A previous good run's file, as the tool would have left it.
stale_file() {
  printf '# TYPE meshops_stale gauge\nmeshops_stale{state="Running"} 1\n' >"$work/$1.prom"
}

# check_run_metrics WHAT FILE PREFIX STATE UP T0: the run metrics at the end of FILE.
check_run_metrics() {
  local what=$1 file=$2 prefix=$3 state=$4 up=$5 t0=$6 text ts
  text=$(cat "$file" 2>/dev/null)
  check_match "$what: ${prefix}_state $state" $'(^|\n)'"${prefix}_state $state"$'\n' "$text"
  check_match "$what: ${prefix}_up $up" $'\n'"${prefix}_up $up"$'\n' "$text"
  ts=$(sed -n "s/^${prefix}_last_run_timestamp_seconds \([0-9.]*\)$/\1/p" "$file" 2>/dev/null)
  check "$what: last run timestamp is this run's ($ts)" \
    python3 -c 'import sys, time; t = float(sys.argv[1]); sys.exit(not (int(sys.argv[2]) <= t <= time.time()))' "${ts:-0}" "$t0"
  check "$what: the previous run's metrics are gone" bash -c "! grep -q meshops_stale '$file'"
  check_rc "$what: promtool check metrics" 0 bash -c "promtool check metrics <'$file'"
  check_eq "$what: no temporary file left beside it" "" "$(ls -A "$(dirname "$file")" | grep -F ".$(basename "$file")")"
}

check "promtool is installed (scripts/install-deps: prometheus)" command -v promtool

# Each check tool, failing for want of what it checks: exit 3, and the file says so.
declare -A fail_args=(
  [ts-status]="--socket $work/none.sock"
  [ts-quality]="--socket $work/none.sock --no-netcheck"
  [nginx-test]="--nginx $work/no-nginx"
  [nginx-logs]="summary $work/no.log"
  [fw-status]="--file $work/no-ruleset.json"
)
for t in ts-status ts-quality nginx-test nginx-logs fw-status; do
  prefix="meshops_${t//-/_}"
  stale_file "$t"
  t0=$(date +%s)
  # shellcheck disable=SC2086 # the arguments above are words
  check_rc "$t failing with --prom-file" 3 timeout 20 "$(tool "$t")" ${fail_args[$t]} --prom-file "$work/$t.prom"
  check_run_metrics "$t failed" "$work/$t.prom" "$prefix" 3 0 "$t0"
  check_eq "$t failed: --prom-file alone prints nothing on stdout" "" "$out"

  stale_file "$t"
  # shellcheck disable=SC2086
  check_rc "$t failing with --prom" 3 timeout 20 "$(tool "$t")" ${fail_args[$t]} --prom
  check_match "$t failed: --prom prints the run metrics too" $'\n'"${prefix}_up 0"$'\n' "$out"

  stale_file "$t"
  check_rc "$t with a bad flag and --prom-file: usage" 64 "$(tool "$t")" --no-such-flag --prom-file "$work/$t.prom"
  check_match "$t bad usage leaves the file alone" "meshops_stale" "$(cat "$work/$t.prom")"
done

# Runs that measure: --json and --prom-file together print the document and write the file.
t0=$(date +%s)
check_rc "fw-status --json --prom-file" 0 "$(tool fw-status)" --file "$fixtures/nft/zones_tailscale.json" \
  -c "$fixtures/nft/config.json" --json --prom-file "$work/fw.prom"
check_eq "fw-status --json --prom-file: the JSON document on stdout" "meshops/fw-status/1" "$(jq -r .schema <<<"$out")"
check_match "fw-status --prom-file: its own metrics" $'\nmeshops_fw_status_rules [0-9]+\n' "$(cat "$work/fw.prom")"
check_run_metrics "fw-status measured" "$work/fw.prom" meshops_fw_status 0 1 "$t0"

check_rc "fw-status --check --json --prom-file" 0 "$(tool fw-status)" --file "$fixtures/nft/zones_tailscale.json" \
  -c "$fixtures/nft/config.json" --check --json --prom-file "$work/fw-check.prom"
check_match "fw-status --check --prom-file: findings by severity" 'meshops_fw_status_drift_findings\{level="critical"\} 0' \
  "$(cat "$work/fw-check.prom")"
check_run_metrics "fw-status --check measured" "$work/fw-check.prom" meshops_fw_status 0 1 "$t0"
check_rc "fw-status --can with --prom-file: usage" 64 "$(tool fw-status)" --file "$fixtures/nft/zones_tailscale.json" \
  --can 100.64.0.7 tcp/22 --prom-file "$work/can.prom"

check_rc "nginx-logs --json --prom-file" 0 "$(tool nginx-logs)" "$fixtures/nginx-logs/combined.log" \
  --json --prom-file "$work/logs.prom"
check_match "nginx-logs --json --prom-file: the JSON document on stdout" '"requests":' "$out"
check_run_metrics "nginx-logs measured" "$work/logs.prom" meshops_nginx_logs 0 1 "$t0"
check_rc "nginx-logs --prom and --prom-file: the same text on stdout" 0 "$(tool nginx-logs)" \
  "$fixtures/nginx-logs/combined.log" --prom --prom-file "$work/logs2.prom"
check_eq "nginx-logs --prom: stdout is the file but for the time" "$(grep -v _last_run_ "$work/logs2.prom")" \
  "$(grep -v _last_run_ <<<"$out")"
check_rc "nginx-logs filter with --prom-file: usage" 64 "$(tool nginx-logs)" filter "$fixtures/nginx-logs/combined.log" \
  --prom-file "$work/filter.prom"
check "nginx-logs filter wrote no file" test ! -e "$work/filter.prom"

# A file that cannot be written: exit 3 naming it, and the JSON still printed.
check_rc "unwritable --prom-file: unknown" 3 "$(tool fw-status)" --file "$fixtures/nft/zones_tailscale.json" \
  -c "$fixtures/nft/config.json" --json --prom-file "$work/missing-dir/fw.prom"
check_match "unwritable --prom-file: the error names the file" "^fw-status: .*$work/missing-dir/fw.prom" "$err"
check_eq "unwritable --prom-file: the JSON is still printed" "meshops/fw-status/1" "$(jq -r .schema <<<"$out")"
finish
