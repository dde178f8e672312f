#!/usr/bin/env bash
# run_fuzz.sh FUZZER SECONDS DICTS REGRESSIONS SEED...: fuzzes for SECONDS from a corpus seeded
# with the fixtures (a file is one seed, a directory every file in it, lines:FILE one seed per
# line) and the inputs kept in REGRESSIONS. A crash, a leak, a sanitizer report, a slow input
# (-timeout) or a blow-up (-rss_limit_mb) fails the run; the input is kept in $PWD as crash-*.
# DICTS: dictionary files separated by commas (joined into one), or empty.
set -euo pipefail
fuzzer=$1 seconds=$2 dicts=$3 regressions=$4
shift 4
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
args=(-max_total_time="$seconds" -max_len=65536 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1)
if [[ -n $dicts ]]; then
  IFS=, read -ra files <<<"$dicts"
  cat "${files[@]}" >"$corpus.dict"
  trap 'rm -rf "$corpus" "$corpus.dict"' EXIT
  args+=(-dict="$corpus.dict")
fi
"$fuzzer" "${args[@]}" "$corpus"
