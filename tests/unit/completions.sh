#!/usr/bin/env bash
# The completions the build generated (build/completions, from each tool's CLI11 definition),
# run in the shells themselves: bash through `complete -p` and the completion function with
# COMP_WORDS set as readline sets them, fish with `complete -C`, zsh in a pseudo-terminal with
# compinit (zsh_capture.zsh). Each tool offers every long option of its --help and no hidden
# one; values complete from the option's type: words, files, directories, peers.
# Peer names come from `ts-status --complete-peers`; a stand-in on PATH prints names no real
# tailnet gives (headscale makes DNS labels of them) to show no shell expands them.
source "$(dirname "$0")/../integration/lib.sh"

source "$MESHOPS_SRC/tests/integration/completion.bash"
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

lines() { printf '%s\n' "$@" | sort; }

# Every tool: its function is registered, and `TOOL --` offers each long option of --help
# in all three shells, the hidden ones in none.
for dir in "$MESHOPS_BIN"/*/; do
  t=$(basename "$dir")
  [[ -x $dir/$t ]] || continue
  spec=$(bash --norc -c 'source "$1" && complete -p "$2"' _ "$comp/bash/$t" "$t" 2>&1)
  check_match "$t: bash registers a completion function" "^complete -F _meshops_[a-z_]+ $t\$" "$spec"
  want=$(timeout 5 "$dir/$t" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
  for sh in bash fish zsh; do
    case $sh in
      bash) got=$(complete_bash "$t" --) ;;
      fish) got=$(complete_fish "$t --") ;;
      zsh) got=$(complete_zsh "$t --") ;;
    esac
    missing=$(comm -23 <(echo "$want") <(echo "$got"))
    check_eq "$t: $sh offers every long option of --help" "" "$missing"
    check_eq "$t: $sh offers no hidden option" "" "$(grep -E -- '^--(complete-peers|completion)$' <<<"$got")"
  done
done

# Fixed sets (CLI::IsMember) complete to their words, also after --opt=.
want=$(lines auto always never)
check_eq "bash: --color offers its three words" "$want" "$(complete_bash ts-status --color '')"
check_eq "bash: --color a offers the two starting with a" "$(lines always auto)" "$(complete_bash ts-status --color a)"
check_eq "bash: --color= offers its words" "$want" "$(complete_bash ts-status --color =)"
check_eq "bash: --color=n offers never" "never" "$(complete_bash ts-status --color = n)"
check_eq "fish: --color offers its three words" "$want" "$(complete_fish 'ts-status --color ')"
check_eq "zsh: --color offers its three words" "$want" "$(complete_zsh 'ts-status --color ')"
check_eq "bash: ts-benchmark --direction" "$(lines both upload download)" "$(complete_bash ts-benchmark --direction '')"
check_eq "zsh: ts-benchmark --direction" "$(lines both upload download)" "$(complete_zsh 'ts-benchmark --direction ')"

# Subcommands: nginx-logs offers them first; errors has its own --level and --last, and keeps
# the top-level options it falls through to.
levels=$(lines debug info notice warn error crit alert emerg)
check_match "bash: nginx-logs offers its subcommands" "errors.*filter.*summary" "$(complete_bash nginx-logs '' | tr '\n' ' ')"
check_eq "bash: nginx-logs errors --level" "$levels" "$(complete_bash nginx-logs errors --level '')"
check_eq "bash: nginx-logs errors --la" "--last" "$(complete_bash nginx-logs errors --la)"
check_match "bash: nginx-logs errors keeps --format" "--format" "$(complete_bash nginx-logs errors --fo)"
check_eq "bash: nginx-logs summary has no --last" "" "$(complete_bash nginx-logs summary --la)"
check_match "fish: nginx-logs offers its subcommands" "errors.*filter.*summary" "$(complete_fish 'nginx-logs ' | tr '\n' ' ')"
check_eq "fish: nginx-logs errors --level" "$levels" "$(complete_fish 'nginx-logs errors --level ')"
check_match "zsh: nginx-logs offers its subcommands" "errors.*filter.*summary" "$(complete_zsh 'nginx-logs ' | tr '\n' ' ')"
check_eq "zsh: nginx-logs errors --level" "$levels" "$(complete_zsh 'nginx-logs errors --level ')"

# Files and directories.
mkdir "$tmp/state.d" && touch "$tmp/config.json" "$tmp/state.txt"
check_eq "bash: --config completes file names" "$tmp/config.json" "$(complete_bash ts-status --config "$tmp/con")"
check_eq "bash: --state-dir completes directories only" "$tmp/state.d" "$(complete_bash ts-monitor --state-dir "$tmp/sta")"
check_match "fish: --config completes file names" "config.json" "$(complete_fish "ts-status --config $tmp/con")"
check_match "zsh: --config completes file names" "config.json" "$(complete_zsh "ts-status --config $tmp/con")"
check_eq "bash: nginx-logs FILE completes file names" "$tmp/state.d $tmp/state.txt" \
  "$(complete_bash nginx-logs summary "$tmp/sta" | tr '\n' ' ' | sed 's/ $//')"

# Peers: every line ts-status --complete-peers prints, literally. The stand-in records how it
# was called and prints names a shell would expand if anything evaluated them.
mkdir "$tmp/bin"
cat >"$tmp/bin/ts-status" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$tmp/argv"
printf '%s\n' laptop other-server 'x\$(touch $tmp/pwned)' 'y;touch $tmp/pwned' '\`touch $tmp/pwned\`' '*'
EOF
chmod +x "$tmp/bin/ts-status"
peers=$(lines laptop other-server "x\$(touch $tmp/pwned)" "y;touch $tmp/pwned" "\`touch $tmp/pwned\`" '*')
for t in ts-status ts-quality ts-monitor-logs meshops-reach; do
  check_eq "bash: $t --peer offers every peer, literally" "$peers" "$(PATH=$tmp/bin:$PATH complete_bash "$t" --peer '')"
done
check_eq "bash: ts-benchmark PEER offers every peer" "$peers" "$(PATH=$tmp/bin:$PATH complete_bash ts-benchmark --streams 2 '')"
check_eq "bash: meshops-reach SRC offers every peer" "$peers" "$(PATH=$tmp/bin:$PATH complete_bash meshops-reach '')"
check_eq "bash: a prefix keeps the peers it starts" "$(lines other-server)" "$(PATH=$tmp/bin:$PATH complete_bash ts-quality --peer ot)"
check_eq "fish: ts-status --peer offers every peer, literally" "$peers" "$(PATH=$tmp/bin:$PATH complete_fish 'ts-status --peer ')"
check_eq "zsh: ts-status --peer offers every peer, literally" "$peers" "$(PATH=$tmp/bin:$PATH complete_zsh 'ts-status --peer ')"
: >"$tmp/argv"
PATH=$tmp/bin:$PATH complete_bash ts-status --socket /run/x.sock -c /etc/m.json --peer '' >/dev/null
check_eq "bash: the line's --socket and --config reach ts-status" "--complete-peers --timeout 1 --socket /run/x.sock -c /etc/m.json" "$(cat "$tmp/argv")"
check "no peer name was ever evaluated" test ! -e "$tmp/pwned"

finish
