#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` from the build directory makes a .deb declaring the runtime
# dependencies; it installs with `dpkg --root` into an empty root made here (its own dpkg
# database), every binary in it answers --version, and `dpkg --purge` leaves no file behind. It
# ships the Prometheus rules and Icinga 2 CheckCommands under /usr/share/meshops.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d /tmp/meshops-deb.XXXXXX)
on_exit rm -rf "$work"

check_rc "cpack -G DEB" 0 cpack -G DEB --config "$MESHOPS_BUILD/CPackConfig.cmake" -B "$work/out"
deb=$(ls "$work"/out/meshops_*.deb 2>/dev/null | head -1)
check "a .deb was made" test -f "$deb"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$MESHOPS_BUILD/CMakeCache.txt")

info=$(dpkg-deb --field "$deb" Package Version Depends Recommends)
check_match "package and version" $'^Package: meshops\nVersion: '"$version" "$info"
depends=$(dpkg-deb --field "$deb" Depends)
for dep in jq coreutils; do  # meshops-health was a script that ran jq and timeout
  check "Depends: no $dep" bash -c '! grep -qE "(^|, )$1( |,|$)" <<<"$2"' _ "$dep" "$depends"
done
for dep in libcurl4 libnftables1 libsystemd0; do
  check_match "Depends: $dep" "(^|, )$dep( |,|$)" "$depends"
done
check_eq "Recommends" "nginx, nftables" "$(dpkg-deb --field "$deb" Recommends)"

contents=$(dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|')
unitdir=$(sed -n 's/^MESHOPS_SYSTEMD_UNITDIR:[A-Z]*=//p' "$MESHOPS_BUILD/CMakeCache.txt")
[[ "$unitdir" == /* ]] || unitdir=/usr/$unitdir
mapfile -t tools < <(cd "$MESHOPS_SRC/tools" && for d in */; do d=${d%/}; [[ -x "$MESHOPS_BIN/$d/$d" ]] && echo "$d"; done)
for t in "${tools[@]}" meshops-health; do
  grep -qxF "/usr/bin/$t" <<<"$contents" && pass "ships /usr/bin/$t" || fail "no /usr/bin/$t in the package"
  grep -qxF "/usr/share/man/man1/$t.1" <<<"$contents" || grep -qxF "/usr/share/man/man1/$t.1.gz" <<<"$contents" &&
    pass "ships the man page of $t" || fail "no man page of $t in the package"
  grep -qxF "/usr/share/bash-completion/completions/$t" <<<"$contents" && pass "ships bash completion of $t" ||
    fail "no bash completion of $t in the package"
done
for u in "$MESHOPS_SRC"/packaging/systemd/*; do
  grep -qxF "$unitdir/$(basename "$u")" <<<"$contents" && pass "ships $unitdir/$(basename "$u")" ||
    fail "no $unitdir/$(basename "$u") in the package"
done

# The monitoring server's files, as in the source tree; promtool runs the shipped tests against
# the shipped rules where they were installed (tests/meshops.test.yml names ../meshops.rules.yml).
for f in prometheus/meshops.rules.yml prometheus/tests/meshops.test.yml icinga2/meshops.conf; do
  grep -qxF "/usr/share/meshops/$f" <<<"$contents" && pass "ships /usr/share/meshops/$f" ||
    fail "no /usr/share/meshops/$f in the package"
done
# The man pages point at the files as installed, never at the source tree: every
# /usr/share/meshops path they name is in the package.
check_eq "no man page names a path of the source tree" "" "$(grep -l 'packaging/' "$MESHOPS_SRC"/man/*.1)"
mapfile -t named < <(grep -oh '/usr/share/meshops/[A-Za-z0-9_./-]*[A-Za-z0-9_-]' "$MESHOPS_SRC"/man/*.1 | sort -u)
check "the man pages name files under /usr/share/meshops" test "${#named[@]}" -gt 0
for f in "${named[@]}"; do
  grep -qxF "$f" <<<"$contents" && pass "a man page names $f: shipped" || fail "a man page names $f, which the package lacks"
done
dpkg-deb -x "$deb" "$work/x"
for f in prometheus/meshops.rules.yml prometheus/tests/meshops.test.yml icinga2/meshops.conf; do
  check "/usr/share/meshops/$f is packaging/$f" cmp -s "$MESHOPS_SRC/packaging/$f" "$work/x/usr/share/meshops/$f"
done
if command -v promtool >/dev/null; then
  check_rc "promtool test rules on the installed rules" 0 promtool test rules "$work/x/usr/share/meshops/prometheus/tests/meshops.test.yml"
else
  fail "promtool is not installed (scripts/install-deps)"
fi

sysusersdir=$(sed -n 's/^MESHOPS_SYSUSERSDIR:[A-Z]*=//p' "$MESHOPS_BUILD/CMakeCache.txt")
[[ "$sysusersdir" == /* ]] || sysusersdir=/usr/$sysusersdir
grep -qxF "$sysusersdir/meshops.conf" <<<"$contents" && pass "ships the sysusers.d file of ts-monitor's user" ||
  fail "no $sysusersdir/meshops.conf in the package"
check_rc "the sysusers.d file parses" 0 systemd-sysusers --dry-run --root="$work/sysroot" "$MESHOPS_SRC/packaging/sysusers/meshops.conf"
check_match "and creates the user meshops" "meshops" "$out$err"

# An empty root with its own dpkg database: dependencies are the host's (same machine), so they
# are not re-checked inside it.
root=$work/root
# An /etc as every root has one, for systemd-sysusers' passwd lock.
mkdir -p "$root/etc" "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
find "$root" -mindepth 1 | sort >"$work/before"
in_root() { dpkg --root="$root" --force-not-root --force-script-chrootless "$@"; }
check_rc "dpkg --root -i" 0 in_root --force-depends -i "$deb"
check_eq "dpkg sees it installed" "install ok installed" "$(dpkg --root="$root" -s meshops 2>/dev/null | sed -n 's/^Status: //p')"
check_match "postinst made the user meshops in the root only" "^meshops:x:[0-9]+:[0-9]+:" "$(cat "$root/etc/passwd" 2>/dev/null)"
check_eq "not on this machine" "" "$(getent passwd meshops || true)"
check "postinst made the textfile directory in the root" test -d "$root/var/lib/prometheus/node-exporter"
for script in postinst prerm postrm; do
  check "the package carries its $script" test -x "$root/var/lib/dpkg/info/meshops.$script"
done

# Every binary of the package runs from the root; meshops-health also finds its tools there.
while read -r bin; do
  name=$(basename "$bin")
  check_rc "$name --version" 0 env PATH="$root/usr/bin:/usr/bin:/bin" "$root$bin" --version
  check_match "$name --version says $version" "^$name \(meshops\) $version" "$out"
done < <(grep '^/usr/bin/' <<<"$contents" | grep -v '/$')
check_rc "installed meshops-health runs its checks (tailscaled absent: critical)" 2 env PATH="/usr/bin:/bin" \
  "$root/usr/bin/meshops-health" --only ts-status --socket "$work/no.sock" --json
check_eq "with ts-status's own document" "meshops/ts-status/1 unknown" \
  "$(jq -r '.checks["ts-status"].result | "\(.schema) \(.status)"' <<<"$out")"

mkdir -p "$root/etc/meshops" "$root/var/lib/meshops"
echo '{}' >"$root/etc/meshops/config.json"
echo '{}' >"$root/var/lib/meshops/ts-monitor.json"
echo 'x 1' >"$root/var/lib/prometheus/node-exporter/meshops-health.prom"
check_rc "dpkg --root --purge" 0 in_root --purge meshops
# What stays: the user (its files in etc) and the textfile directory, which tmpfiles.d made for
# node_exporter, not for meshops alone.
kept="^$root/(etc/(passwd|group|shadow|gshadow|\.pwd\.lock)|var/lib/prometheus|var/lib/prometheus/node-exporter)\$"
find "$root" -mindepth 1 -not -path "$root/var/lib/dpkg/*" | grep -Ev "$kept" | sort >"$work/after"
check_eq "no leftovers outside dpkg's database: config, state and metrics gone" \
  "$(grep -v "^$root/var/lib/dpkg/" "$work/before")" "$(cat "$work/after")"
check_eq "dpkg forgot it" "" "$(dpkg --root="$root" -s meshops 2>/dev/null | sed -n 's/^Status: //p' | grep installed)"
check_eq "no file list left" "" "$(ls "$root/var/lib/dpkg/info" | grep '^meshops\.')"

finish
