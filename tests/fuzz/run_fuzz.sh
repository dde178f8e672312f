#!/usr/bin/env bash
# run_fuzz.sh FUZZER SECONDS DICTS REGRESSIONS FINDINGS SEED...: fuzzes for SECONDS from a corpus
# seeded with the fixtures (a file is one seed, a directory every file in it, lines:FILE one seed
# per line) and the inputs kept in REGRESSIONS. A crash, a leak, a sanitizer report, a slow input
# (-timeout) or a blow-up (-rss_limit_mb) fails the run; the input is kept in the folder
# FINDINGS (crash-*, leak-*, timeout-*, oom-*), which the failure message names, to be copied into
# REGRESSIONS once fixed. DICTS: dictionary files separated by commas (joined into one), or empty.
set -euo pipefail
fuzzer=$1 seconds=$2 dicts=$3 regressions=$4 findings=$5
shift 5
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
seed_file() { i=$((i + 1)); head -c 65536 "$1" >"$corpus/seed$i"; }
for spec in "$@"; do
  if [[ $spec == lines:* ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      i=$((i + 1))
      printf '%s' "$line" >"$corpus/seed$i"
    done <"${spec#lines:}"
  elif [[ -d $spec ]]; then
    while IFS= read -r -d '' f; do seed_file "$f"; done < <(find "$spec" -type f -print0)
  else
    seed_file "$spec"
  fi
done
if [[ -d $regressions ]]; then
  for f in "$regressions"/*; do [[ -f $f ]] && seed_file "$f"; done
fi
# Each run starts with an empty findings folder: what is in it is this run's.
rm -rf "$findings"
mkdir -p "$findings"
args=(-max_total_time="$seconds" -max_len=65536 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$findings/")
if [[ -n $dicts ]]; then
  IFS=, read -ra files <<<"$dicts"
  cat "${files[@]}" >"$corpus.dict"
  trap 'rm -rf "$corpus" "$corpus.dict"' EXIT
  args+=(-dict="$corpus.dict")
fi
status=0
"$fuzzer" "${args[@]}" "$corpus" || status=$?
if ((status != 0)); then
  kept=$(find "$findings" -type f)
  none="  (no input written: see the report above)"
  echo "run_fuzz.sh: $(basename "$fuzzer") failed (exit $status); the input is kept in $findings/:" >&2
  echo "${kept:-$none}" >&2
  echo "run_fuzz.sh: fix it at its root, then copy the input into $regressions/ (replayed by test_fuzz_replay)" >&2
  exit "$status"
fi
rmdir "$findings"
