# Run the generated completions (build/completions) in their shells, for completions.sh and
# the tailnet tests (sourced after lib.sh). Each prints the candidates, sorted, one a line.
comp=$MESHOPS_BUILD/completions
# complete_bash TOOL WORD...: bash's candidates for the line `TOOL WORD...`, the cursor at the
# end of the last WORD, sorted, one a line.
complete_bash() {
  bash --norc --noprofile -c '
    source "$1" || exit 1
    spec=$(complete -p "$2") || exit 1
    fn=${spec#*-F } fn=${fn%% *}
    shift
    COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
    "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"' _ "$comp/bash/$1" "$@" | sort
}
# complete_fish LINE: fish's candidates for LINE (no description), sorted.
complete_fish() {
  local tool=${1%% *}
  fish --no-config -c "source $(printf %q "$comp/fish/$tool.fish"); complete -C $(printf %q "$1")" | cut -f1 | sort
}
# complete_zsh LINE: zsh's candidates for LINE, sorted and unique.
complete_zsh() {
  local out
  out=$(mktemp)
  timeout 20 zsh -f "$MESHOPS_SRC/tests/integration/zsh_capture.zsh" "$comp/zsh" "$out" "$1" >/dev/null 2>&1 ||
    echo "zsh_capture failed"
  sort -u "$out"
  rm -f "$out"
}
