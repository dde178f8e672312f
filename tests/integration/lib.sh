# Shared helpers for the shell tests (sourced, not run). Each test:
#   source "$(dirname "$0")/lib.sh"
#   ... setup; register cleanup with on_exit ...
#   check_eq "what" "$expected" "$actual"; check_rc "what" 2 cmd args...
#   finish        # prints "N passed, 0 failed" and exits non-zero when anything failed
# Tests wait with deadlines (wait_until), never fixed sleeps, and clean up even on failure.
set -uo pipefail
export LC_ALL=C
: "${MESHOPS_BIN:?MESHOPS_BIN must name the folder of the built tools (ctest sets it)}"
: "${MESHOPS_SRC:?MESHOPS_SRC must name the source tree (ctest sets it)}"

_passed=0
_failed=0
_cleanups=()

# tool NAME: the path of a built binary (tools/<name>/<name> in the build tree).
tool() { echo "$MESHOPS_BIN/$1/$1"; }

# on_exit CMD...: run CMD at exit, last registered first, whatever happened.
on_exit() { _cleanups+=("$(printf '%q ' "$@")"); }
_run_cleanups() {
  local i
  for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" >/dev/null 2>&1 || true; done
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

pass() { _passed=$((_passed + 1)); echo "ok - $1"; }
fail() { _failed=$((_failed + 1)); echo "FAIL - $1" >&2; }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
# check_match WHAT REGEX ACTUAL
check_match() {
  if [[ "$3" =~ $2 ]]; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi
}
# check_rc WHAT EXPECTED_RC CMD... (stdout/stderr of CMD kept in $out / $err)
check_rc() {
  local what=$1 want=$2
  shift 2
  local of ef
  of=$(mktemp) ef=$(mktemp)
  "$@" >"$of" 2>"$ef"
  local rc=$?
  out=$(cat "$of") err=$(cat "$ef")
  rm -f "$of" "$ef"
  if [[ "$rc" == "$want" ]]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, expected $want; stderr: ${err:0:500}"; fi
}
# check WHAT CMD...: CMD must succeed
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what: '$*' failed"; fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds; 1 when the deadline passes.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.1
  done
}

# server_and_client PREFIX: two network namespaces of this test, PREFIX-srv-PID and
# PREFIX-cli-PID (in $srv and $cli), loopback up, deleted at exit; S CMD... and C CMD... run
# a command in each. Exits when they cannot be created.
server_and_client() {
  srv=$1-srv-$$ cli=$1-cli-$$
  on_exit ip netns del "$cli"
  on_exit ip netns del "$srv"
  ip netns add "$srv" && ip netns add "$cli" || { echo "cannot create namespaces" >&2; exit 1; }
  ip -n "$srv" link set lo up
  ip -n "$cli" link set lo up
  S() { ip netns exec "$srv" "$@"; }
  C() { ip netns exec "$cli" "$@"; }
}

# free_port [ADDR]: a TCP port on ADDR (default 127.0.0.1) nobody listens on now.
free_port() {
  python3 -c 'import socket, sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1]); s.close()' "${1:-127.0.0.1}"
}

# nginx_conf_head [ERROR_LEVEL [CONNECTIONS]]: how a test's nginx.conf begins, for nginx run
# with -p PREFIX (paths relative to it; PREFIX/logs and PREFIX/tmp must exist): one worker, its
# pid and error log (at ERROR_LEVEL, default error) under logs/, CONNECTIONS (default 64) per
# worker, then "http {" with every temp path under tmp/ (nginx's compiled-in ones are not the
# test's to write). The caller writes the rest of the http block and its closing brace:
#   { nginx_conf_head info; cat <<CONF; } >"$prefix/nginx.conf"
nginx_conf_head() {
  cat <<CONF
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log${1:+ $1};
events { worker_connections ${2:-64}; }
http {
  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
CONF
}

# finish: the closing line ctest output shows, and the exit status.
finish() {
  echo "$_passed passed, $_failed failed"
  ((_failed == 0))
}
