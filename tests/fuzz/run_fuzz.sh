#!/usr/bin/env bash
# run_fuzz.sh FUZZER FIXTURE_DIR SECONDS: seeds a corpus with one file per fixture line (each
# prefixed by the format selector byte the target reads first) and fuzzes for SECONDS.
# A crash, leak or sanitizer report fails the run (libFuzzer exits non-zero).
set -euo pipefail
fuzzer=$1 fixtures=$2 seconds=$3
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
seed() {  # seed SELECTOR FILE
  while IFS= read -r line || [[ -n $line ]]; do
    i=$((i + 1))
    { printf "\\x$(printf %02x "$1")"; printf '%s' "$line"; } >"$corpus/seed$i"
  done <"$2"
}
seed 0 "$fixtures/combined.log"
seed 1 "$fixtures/json.log"
seed 2 "$fixtures/timed.log"
seed 0 "$fixtures/error.log"
cd "$corpus"  # crash artifacts land here, not in the source tree
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus"
