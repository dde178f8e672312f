#!/usr/bin/env bash
# meshops-health's CLI contract without the tailnet: --help/--version 0, bad usage 64 with one
# line, every option of --help in the man page and the three generated completions; paths with
# spaces and shell metacharacters reach the checks verbatim (no eval, no shell); a crashing or
# hostile nginx is the check's verdict, escaped before the terminal.
source "$(dirname "$0")/lib.sh"
health=$(tool meshops-health)
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
check_match "bad flag: one line naming it, then a hint" "^meshops-health: .*--no-such-flag" "$(head -1 <<<"$err")"
check_match "bad flag: the hint" "^hint: see 'meshops-health --help'" "$(sed -n 2p <<<"$err")"
check_rc "bad check name: 64" 64 "$health" --only ts-status,nope
check_match "bad check name: says which" "--only: nope not in \{ts-status,ts-quality,fw-status,nginx-test\}" "$err"
check_rc "bad --skip: 64" 64 "$health" --skip=nope
check_rc "--timeout 0: 64" 64 "$health" --timeout 0
check_rc "--timeout abc: 64" 64 "$health" --timeout abc
check_rc "--timeout without a value: 64" 64 "$health" --timeout
check_rc "--json with --prom: 64" 64 "$health" --json --prom
check_rc "--json=x: 64" 64 "$health" --json=x
check_rc "--color rainbow: 64" 64 "$health" --color rainbow
check_rc "every check skipped: 64" 64 "$health" --skip ts-status,ts-quality,fw-status,nginx-test
check_match "every check skipped: says so" "^meshops-health: every check is skipped" "$err"

for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u); do
  [[ $opt == --help || $opt == --version ]] && continue
  grep -qF -- "${opt//-/\\-}" "$man" || fail "man page does not document $opt"
  grep -qF -- "$opt" "$MESHOPS_BUILD/completions/bash/meshops-health" || fail "bash completion lacks $opt"
  grep -qF -- "${opt#--}" "$MESHOPS_BUILD/completions/zsh/_meshops-health" || fail "zsh completion lacks $opt"
  grep -qF -- "-l ${opt#--}" "$MESHOPS_BUILD/completions/fish/meshops-health.fish" || fail "fish completion lacks $opt"
done
pass "every option is in the man page and the completions"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
  grep -q "^\.SH $s\$" "$man" && pass "man: $s" || fail "man page lacks $s"
done
check_rc "man page renders without warnings" 0 bash -c "MANWIDTH=80 man --warnings -l '$man' 2>&1 >/dev/null | grep . && exit 1 || exit 0"

# Paths with spaces and metacharacters reach the checks as one argument each, never a shell:
# the config file of such a name is read, nginx of such a name is looked for as it is.
cd "$d"
weird='a b;$(touch pwned)`x`'
printf '{"nginx": {"binary": "%s"}}\n' "nginx-$weird" | sed 's/`/\\u0060/g' >"$d/$weird.json"
check_rc "a path with spaces and \$( ): nginx not found is UNKNOWN" 3 "$health" -c "$d/$weird.json" --only nginx-test \
  --nginx-config "$d/$weird.conf" --nginx-prefix "$d/$weird/" --json
check "nothing was evaluated" test ! -e "$d/pwned"
check_match "nginx is named verbatim" 'nginx-a b;\$\(touch pwned\)`x`' "$(jq -r '.checks["nginx-test"].reason' <<<"$out")"
check_eq "the equivalent command, verbatim" \
  "$(printf '%s\n' nginx-test --config "$d/$weird.json" --config-file "$d/$weird.conf" --prefix "$d/$weird/" --json)" \
  "$(jq -r '.checks["nginx-test"].argv[]' <<<"$out")"

# nginx crashing (a stand-in: the real nginx cannot be made to), or printing a terminal escape
# in its error: the check's own verdict, escaped before the terminal.
printf '#!/bin/sh\necho "nginx: boom" >&2\nkill -SEGV $$\n' >"$d/crashing-nginx"
printf '#!/bin/sh\nprintf "nginx: [emerg] evil \\033[31m red\\n" >&2\nexit 1\n' >"$d/evil-nginx"
chmod 755 "$d/crashing-nginx" "$d/evil-nginx"
echo '{}' >"$d/empty.json"
check_rc "a crashing nginx: exit 3" 3 "$health" -c "$d/empty.json" --only nginx-test --nginx "$d/crashing-nginx"
check_match "crash: UNKNOWN with the signal" "UNKNOWN +nginx-test +.*(signal|SIGSEGV)" "$out"
check_rc "an escape in nginx's error: exit 2" 2 "$health" -c "$d/empty.json" --only nginx-test --nginx "$d/evil-nginx"
check_match "escaped" 'CRITICAL +nginx-test +nginx \[emerg\] evil \\e\[31m red' "$out"
check "no raw escape reached the terminal" bash -c '! grep -q $'"'"'\e'"'"' <<<"$1"' _ "$out"

finish
