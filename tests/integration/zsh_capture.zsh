# zsh -f zsh_capture.zsh FPATH_DIR OUT LINE: types LINE and a TAB into an interactive zsh
# (in a pseudo-terminal, compinit loading completions from FPATH_DIR) and writes every
# candidate that zsh's completion adds for it to OUT, one a line. Used by completion.bash.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PS1='> ' fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
# compadd is how every completer hands zsh its candidates: record them as they pass.
zpty -w z "compadd() { local -a c; builtin compadd -O c \"\$@\"; print -rl -- \$c >>${(q)2}; builtin compadd \"\$@\" }"
zpty -w z 'print -r -- READY'
zpty -r z out '*READY*' || exit 2
# The TAB runs the completion; once candidates came (5 s at most: zle may skip a completion
# while more typed input is pending), ^U clears the line for the marker.
zpty -w -n z "$3"$'\t'
for i in {1..50}; do
  [[ -s $2 ]] && break
  sleep 0.1
done
zpty -w -n z $'\x15'
zpty -w z 'print -r -- DONE'
zpty -r z out '*DONE*' || exit 2
zpty -d z
