#!/usr/bin/env bash
# Every unit of packaging/systemd, as installed: `systemd-analyze verify` in a root holding the
# installed tree (cmake --install) and systemd's own units, and `systemd-analyze security
# --offline=true` with an exposure of at most 2.0 for each service. Also: cmake --install puts
# the units where the build says (MESHOPS_SYSTEMD_UNITDIR: systemd.pc's systemdsystemunitdir),
# and every unit's Documentation= names a man page the install ships.
source "$(dirname "$0")/lib.sh"
readonly MAX_EXPOSURE=2.0

units_src="$MESHOPS_SRC/packaging/systemd"
mapfile -t units < <(cd "$units_src" && ls -1 -- *.service *.timer 2>/dev/null)
((${#units[@]} >= 4)) && pass "${#units[@]} units in packaging/systemd" || fail "only ${#units[@]} units in packaging/systemd"

unitdir=$(sed -n 's/^MESHOPS_SYSTEMD_UNITDIR:[A-Z]*=//p' "$MESHOPS_BUILD/CMakeCache.txt")
want=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
check_eq "unit directory is systemd.pc's" "${want:-lib/systemd/system}" "$unitdir"

quiet() { "$@" >/dev/null; }
root=$(mktemp -d /tmp/meshops-units.XXXXXX)
on_exit rm -rf "$root"
check "cmake --install into a staging root" quiet env DESTDIR="$root" cmake --install "$MESHOPS_BUILD" --prefix /usr
[[ "$unitdir" == /* ]] || unitdir=/usr/$unitdir
for u in "${units[@]}"; do
  check_eq "$u installed unchanged" "$(cat "$units_src/$u")" "$(cat "$root$unitdir/$u" 2>/dev/null)"
done
# verify resolves dependencies (sysinit.target, timers.target) and ExecStart inside the root.
cp -an /lib/systemd/system/. "$root$unitdir/" 2>/dev/null || cp -an /usr/lib/systemd/system/. "$root$unitdir/"

for u in "${units[@]}"; do
  check_rc "verify $u" 0 systemd-analyze verify --root="$root" --man=no "$u"
  [[ -z "$err" ]] && pass "verify $u: no complaint" || fail "verify $u says: ${err:0:400}"
  while read -r page; do
    [[ -n "$page" ]] || continue
    name=${page%(*} sec=${page#*(} sec=${sec%)}
    check "$u: man page $page is installed" test -f "$root/usr/share/man/man$sec/$name.$sec"
  done < <(sed -n 's/^Documentation=//p' "$units_src/$u" | tr ' ' '\n' | sed -n 's/^man://p')
done

for u in "${units[@]}"; do
  [[ "$u" == *.service ]] || continue
  check_rc "security $u" 0 systemd-analyze security --offline=true --root="$root" --no-pager "$u"
  exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
  if [[ -n "$exposure" ]] && awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
    pass "$u: exposure $exposure <= $MAX_EXPOSURE"
  else
    fail "$u: exposure '${exposure}' above $MAX_EXPOSURE"
  fi
  # The threshold option fails the command itself above the bound: the same verdict twice.
  check_rc "$u: --threshold agrees" 0 systemd-analyze security --offline=true --root="$root" --threshold=20 "$u"
done

# A unit that is too open fails: the test can fail.
cat >"$root$unitdir/meshops-open.service" <<'UNIT'
[Service]
Type=oneshot
ExecStart=/usr/bin/meshops-health
UNIT
check_rc "an unhardened unit is above the bound" 1 systemd-analyze security --offline=true --root="$root" --threshold=20 meshops-open.service

finish
