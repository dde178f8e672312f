#!/usr/bin/env bash
# meshops-health's CLI contract without the tailnet: --help/--version 0, bad usage 64 with one
# line, every option of --help in the man page and the three completions; the tools' arguments
# carry paths with spaces and shell metacharacters verbatim (no eval, no shell).
source "$(dirname "$0")/lib.sh"
health="$MESHOPS_BUILD/scripts/meshops-health"
man="$MESHOPS_SRC/man/meshops-health.1"
d=$(mktemp -d)
on_exit rm -rf "$d"

check_rc "--help" 0 "$health" --help
help=$out
check_match "--help names the man page" "See meshops-health\(1\)." "$help"
check_rc "--version" 0 "$health" --version
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$MESHOPS_BUILD/CMakeCache.txt")
check_eq "--version is the project's" "meshops-health (meshops) $version" "$out"
check_rc "bad flag: 64" 64 "$health" --no-such-flag
check_eq "bad flag: one line, then a hint" "meshops-health: unknown option '--no-such-flag'" "$(head -1 <<<"$err")"
check_rc "bad check name: 64" 64 "$health" --only ts-status,nope
check_match "bad check name: says which" "unknown check 'nope'" "$err"
check_rc "bad --skip: 64" 64 "$health" --skip=nope
check_rc "--timeout 0: 64" 64 "$health" --timeout 0
check_rc "--timeout abc: 64" 64 "$health" --timeout abc
check_rc "--timeout without a value: 64" 64 "$health" --timeout
check_rc "--json with --prom: 64" 64 "$health" --json --prom
check_rc "--json=x: 64" 64 "$health" --json=x
check_rc "--color rainbow: 64" 64 "$health" --color rainbow
check_rc "every check skipped: 64" 64 "$health" --skip ts-status,ts-quality,fw-status,nginx-test

for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u); do
  [[ $opt == --help || $opt == --version ]] && continue
  grep -qF -- "${opt//-/\\-}" "$man" || fail "man page does not document $opt"
  grep -qF -- "$opt" "$MESHOPS_SRC/completions/bash/meshops-health" || fail "bash completion lacks $opt"
  grep -qF -- "${opt#--}" "$MESHOPS_SRC/completions/zsh/_meshops-health" || fail "zsh completion lacks $opt"
  grep -qF -- "-l ${opt#--}" "$MESHOPS_SRC/completions/fish/meshops-health.fish" || fail "fish completion lacks $opt"
done
pass "every option is in the man page and the completions"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
  grep -q "^\.SH $s\$" "$man" && pass "man: $s" || fail "man page lacks $s"
done
check_rc "man page renders without warnings" 0 bash -c "MANWIDTH=80 man --warnings -l '$man' 2>&1 >/dev/null | grep . && exit 1 || exit 0"

# Paths with spaces and metacharacters reach the tool as one argument each: a "tool" here is a
# real program (printf via env) standing in only to show its argv.
mkdir -p "$d/bin"
for t in ts-status ts-quality fw-status nginx-test; do
  printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/%s.argv"\nprintf "{\\"schema\\": \\"meshops/%s/1\\", \\"status\\": \\"ok\\"}\\n"\n' "$d" "$t" "$t" >"$d/bin/$t"
  chmod 755 "$d/bin/$t"
done
weird='a b;$(touch '"$d"'/pwned)`x`'
check_rc "paths with spaces and \$( ) pass through" 0 env PATH="$d/bin:/usr/bin:/bin" "$health" \
  -c "$weird.json" --socket "$weird.sock" --nginx "$weird" --nginx-config "$weird.conf" --nginx-prefix "$weird/"
check "nothing was evaluated" test ! -e "$d/pwned"
check_eq "ts-status got them verbatim" "$(printf '%s\n' --config "$weird.json" --socket "$weird.sock" --json)" "$(cat "$d/ts-status.argv")"
check_eq "nginx-test got them verbatim" \
  "$(printf '%s\n' --config "$weird.json" --nginx "$weird" --config-file "$weird.conf" --prefix "$weird/" --json)" "$(cat "$d/nginx-test.argv")"
check_eq "fw-status runs --check" "$(printf '%s\n' --config "$weird.json" --check --json)" "$(cat "$d/fw-status.argv")"

# A tool printing something that is not JSON, or crashing, is UNKNOWN with the reason.
printf '#!/bin/sh\necho "not json"\nexit 0\n' >"$d/bin/fw-status"
printf '#!/bin/sh\necho "nginx-test: boom" >&2\nkill -SEGV $$\n' >"$d/bin/nginx-test"
check_rc "garbage and a crash: exit 3" 3 env PATH="$d/bin:/usr/bin:/bin" "$health" --only fw-status,nginx-test
check_match "garbage: UNKNOWN" "UNKNOWN +fw-status +printed no JSON \(exit 0\)" "$out"
check_match "crash: UNKNOWN with the status" "UNKNOWN +nginx-test +exited with status 139: boom" "$out"
# Terminal escapes in a reason are not passed to the terminal.
printf '#!/bin/sh\nprintf "{\\"schema\\": \\"meshops/ts-status/1\\", \\"reasons\\": [\\"evil \\\\u001b[31m red\\"]}\\n"\nexit 1\n' >"$d/bin/ts-status"
check_rc "escape in a reason: exit 1" 1 env PATH="$d/bin:/usr/bin:/bin" "$health" --only ts-status
check_match "escaped" "WARNING +ts-status +evil \?\[31m red" "$out"

finish
