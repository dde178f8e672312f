#!/usr/bin/env bash
# nginx-logs reads a long line from a pipe in one pass (issue 18): each read used to search the
# whole buffer again for a newline, so one 50 MB line took 8.4 s from a pipe (0.12 s from a
# file). The same 50 MB line, then a normal one, through a pipe: done within 5 s, both counted.
source "$(dirname "$0")/../integration/lib.sh"

work=$(mktemp -d)
on_exit rm -rf "$work"
{
  printf '10.0.0.1 - - [25/Nov/2026:17:43:25 +0000] "GET /'
  head -c 50000000 /dev/zero | tr '\0' a
  printf ' HTTP/1.1" 200 5 "-" "curl"\n'
  printf '10.0.0.2 - - [25/Nov/2026:17:43:26 +0000] "GET /b HTTP/1.1" 404 7 "-" "curl"\n'
} >"$work/long.log"
start=$(date +%s%N)
check_rc "a 50 MB line through a pipe" 0 bash -c "cat '$work/long.log' | '$(tool nginx-logs)' summary --json -"
ms=$((($(date +%s%N) - start) / 1000000))
check "within 5 s (took $ms ms)" test "$ms" -lt 5000
check_eq "both requests counted" 2 "$(jq .requests <<<"$out")"
finish
