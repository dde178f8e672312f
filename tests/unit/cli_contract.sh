#!/usr/bin/env bash
# The CLI contract of DESIGN.md, on every built binary: --version and --help exit 0, a bad flag
# exits 64 with a one-line error, every long option of --help is in its man page and its
# bash, zsh and fish completions; tools that talk to tailscaled exit 3 on a missing socket.
source "$(dirname "$0")/../integration/lib.sh"

tools=()
for dir in "$MESHOPS_BIN"/*/; do
  name=$(basename "$dir")
  [[ -x "$dir/$name" ]] && tools+=("$name")
done
((${#tools[@]})) || { fail "no built tools under $MESHOPS_BIN"; finish; exit; }

declare -A socket_args=([ts-benchmark]=some-peer [fw-status]="--can some-peer tcp/22" [meshops-reach]="some-peer tcp/80")
for t in "${tools[@]}"; do
  bin=$(tool "$t")
  check_rc "$t --version" 0 timeout 5 "$bin" --version
  check_match "$t --version names the tool" "^$t \(meshops\) [0-9]" "$out"
  check_rc "$t --help" 0 timeout 5 "$bin" --help
  help=$out
  check_rc "$t --no-such-flag" 64 timeout 5 "$bin" --no-such-flag
  check_match "$t bad-flag error is one line prefixed by the tool" "^$t: " "$(head -1 <<<"$err")"

  # Only a tool that streams says its --json turns into NDJSON.
  if grep -q "NDJSON when following" <<<"$help"; then
    check_match "$t: --json says NDJSON, so it streams (-f, --follow, --watch or a daemon)" \
      "--follow|--watch|--once" "$help"
  fi

  man="$MESHOPS_SRC/man/$t.1"
  check "$t has a man page" test -f "$man"
  for f in bash/$t zsh/_$t fish/$t.fish; do check "$t has completions/$f" test -f "$MESHOPS_SRC/completions/$f"; done
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u); do
    [[ $opt == --help || $opt == --version ]] && continue
    grep -qF -- "${opt//-/\\-}" "$man" 2>/dev/null || grep -qF -- "$opt" "$man" 2>/dev/null ||
      fail "$t: man page does not document $opt"
    grep -qF -- "$opt" "$MESHOPS_SRC/completions/bash/$t" 2>/dev/null || fail "$t: bash completion lacks $opt"
    grep -qF -- "${opt#--}" "$MESHOPS_SRC/completions/zsh/_$t" 2>/dev/null || fail "$t: zsh completion lacks $opt"
    grep -qF -- "-l ${opt#--}" "$MESHOPS_SRC/completions/fish/$t.fish" 2>/dev/null || fail "$t: fish completion lacks $opt"
  done
  pass "$t: documented options checked"
  if grep -q -- '--socket' <<<"$help"; then
    start=$SECONDS
    # Tools whose use of tailscaled needs an argument get one (ts-benchmark resolves a peer name).
    check_rc "$t with no tailscaled at --socket" 3 timeout 20 "$bin" --socket /nonexistent/tailscaled.sock --json ${socket_args[$t]:-}
    check "$t gave up within its timeout" test $((SECONDS - start)) -le 10
  fi
done
# A page that names one of ours names one that exists (nginx-test(1) named ts-ping(1) and
# fw-check(1), which never did).
for page in "$MESHOPS_SRC"/man/*.1; do
  for ref in $(grep -oE '^\.BR (ts|fw|nginx|meshops)-[a-z-]+ \(1\)' "$page" | awk '{print $2}' | sort -u); do
    [[ -f $MESHOPS_SRC/man/$ref.1 ]] || fail "$(basename "$page") refers to $ref(1), which does not exist"
  done
done
pass "man pages refer only to pages that exist"
finish
