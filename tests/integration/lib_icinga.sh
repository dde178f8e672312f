# A real Icinga 2 for the shell tests (sourced after lib.sh): Debian's daemon as root
# with every path in a temp folder, never the system service, loading the shipped CheckCommands
# (packaging/icinga2/meshops.conf); the states it reached are read back from what its
# PerfdataWriter wrote, the plugin output added to each line.
#   icinga_start DIR < SERVICES   writes DIR/etc/icinga2.conf (the CheckCommands, a checker, the
#                                 perfdata writer, a host "testhost", a template Service
#                                 "test-service", then SERVICES from stdin),
#                                 validates it and starts the daemon; it is stopped at exit.
#   icinga_result SERVICE STATE [AFTER]   the last line Icinga wrote for SERVICE in STATE
#                                 (OK, WARNING, CRITICAL, UNKNOWN) at or after the Unix time AFTER
#   icinga_has SERVICE STATE [AFTER]      whether there is one (for wait_until)
#   icinga_stop                   stops it before the exit (harmless twice)
#   icinga_field KEY              of a result line on stdin: OUTPUT (the text before '|', with its
#                                 trailing blank) or PERFDATA (as Icinga parsed it: labels quoted
#                                 only where they need it)
# A service imports "test-service": on testhost, checked every second, its state hard at the
# first result, so a state is reached within seconds of its cause.

icinga_start() {
  _icinga_dir=$1
  mkdir -p "$_icinga_dir"/{etc,lib,cache,log,spool/tmp,run}
  {
    cat <<EOF
include <itl>
include "$MESHOPS_SRC/packaging/icinga2/meshops.conf"
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "$_icinga_dir/spool/service-perfdata"
  service_temp_path = "$_icinga_dir/spool/tmp/service-perfdata"
  host_perfdata_path = "$_icinga_dir/spool/host-perfdata"
  host_temp_path = "$_icinga_dir/spool/tmp/host-perfdata"
  service_format_template = "SERVICE::\$service.name\$\tSTATE::\$service.state\$\tTIMET::\$icinga.timet\$\tPERFDATA::\$service.perfdata\$\tOUTPUT::\$service.output\$"
  rotation_interval = 1s
}
object Host "testhost" {
  check_command = "dummy"
  vars.dummy_state = 0
  check_interval = 1m
}
template Service "test-service" {
  host_name = "testhost"
  check_interval = 1s
  retry_interval = 1s
  max_check_attempts = 1
}
EOF
    cat
  } >"$_icinga_dir/etc/icinga2.conf"
  local d=$_icinga_dir
  _icinga_args=(-c "$d/etc/icinga2.conf" -DConfiguration.DataDir="$d/lib" -DConfiguration.LogDir="$d/log"
    -DConfiguration.CacheDir="$d/cache" -DConfiguration.SpoolDir="$d/spool" -DConfiguration.InitRunDir="$d/run"
    -DConfiguration.PidPath="$d/run/icinga2.pid" -DConfiguration.RunAsUser=root -DConfiguration.RunAsGroup=root
    -DConfiguration.ConfigDir="$d/etc" -DConfiguration.ZonesDir="$d/etc/zones.d"
    -DConfiguration.StatePath="$d/lib/icinga2.state" -DConfiguration.ObjectsPath="$d/cache/icinga2.debug"
    -DConfiguration.VarsPath="$d/cache/icinga2.vars" -DConfiguration.ModAttrPath="$d/lib/modified-attributes.conf")
  check_rc "icinga2 validates the shipped CheckCommands and the test's services" 0 icinga2 daemon -C "${_icinga_args[@]}"
  if ((_failed)); then echo "$out" | tail -n 20 >&2; return 1; fi
  icinga2 daemon "${_icinga_args[@]}" >"$d/icinga2.log" 2>&1 &
  _icinga_pid=$!
  on_exit icinga_stop
  on_exit _icinga_show_log
}

_icinga_exited() { [[ ! -e /proc/$1 || $(ps -o stat= -p "$1") == Z* ]]; }
icinga_stop() {
  kill "$_icinga_pid" 2>/dev/null
  wait_until 20 _icinga_exited "$_icinga_pid" || kill -9 "$_icinga_pid"
  wait "$_icinga_pid" 2>/dev/null
}
_icinga_show_log() { ((_failed == 0)) || grep -E 'warning|critical' "$_icinga_dir/icinga2.log" | tail -n 20 >&2; }

icinga_result() {
  cat "$_icinga_dir"/spool/service-perfdata.* 2>/dev/null |
    awk -F '\t' -v s="SERVICE::$1" -v st="STATE::$2" -v after="${3:-0}" '
      $1 == s && $2 == st { t = $3; sub("TIMET::", "", t); if (t + 0 >= after + 0) last = $0 }
      END { if (last == "") exit 1; print last }'
}
icinga_has() { icinga_result "$@" >/dev/null; }
icinga_field() { awk -F '\t' -v k="$1::" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }'; }
