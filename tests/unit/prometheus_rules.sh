#!/usr/bin/env bash
# The shipped Prometheus rules (packaging/prometheus) under Debian's promtool: `check rules`,
# `test rules` (every alert firing and not firing), and the series those tests feed held to what
# the tools really write: each input series' metric name, and its label names, must appear in a
# file captured from a real run (tests/fixtures/prometheus, capture.sh says how), which must
# itself pass `promtool check metrics`.
source "$(dirname "$0")/../integration/lib.sh"
rules="$MESHOPS_SRC/packaging/prometheus/meshops.rules.yml"
tests="$MESHOPS_SRC/packaging/prometheus/tests/meshops.test.yml"
captured="$MESHOPS_SRC/tests/fixtures/prometheus"

command -v promtool >/dev/null || { fail "promtool is not installed (scripts/install-deps: prometheus)"; finish; exit; }
check_rc "promtool check rules" 0 promtool check rules "$rules"
check_match "every rule is loaded" "SUCCESS: [0-9]+ rules found" "$out"
check_rc "promtool test rules" 0 bash -c "cd '$(dirname "$tests")' && promtool test rules '$(basename "$tests")'"
check_match "the unit tests pass" "SUCCESS" "$out"

# Every alert of the rules has a test that expects it firing and one that expects none.
for alert in $(sed -n 's/^ *- alert: //p' "$rules"); do
  n=$(grep -c "alertname: $alert\$" "$tests")
  firing=$(awk -v a="alertname: $alert" '$0 ~ a"$" {getline; print}' "$tests" | grep -c 'exp_alerts:$')
  quiet=$(awk -v a="alertname: $alert" '$0 ~ a"$" {getline; print}' "$tests" | grep -c 'exp_alerts: \[\]')
  check "$alert: tested firing ($firing) and not firing ($quiet) in $n evaluations" test "$firing" -ge 1 -a "$quiet" -ge 1
done

for f in "$captured"/*.prom; do
  # node_exporter's own output is linted by its authors; HELP texts there are theirs.
  [[ $(basename "$f") == node_exporter.prom ]] && continue
  check_rc "promtool check metrics: $(basename "$f")" 0 bash -c "promtool check metrics <'$f'"
done

# NAME{label,...} of every sample the captures hold, and of every input series of the tests
# (instance and job come from the scrape, not the tool).
shape() {
  python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?", line.strip())
    if not m: continue
    names = sorted(set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", m.group(3) or "")) - {"instance", "job"})
    print(",".join([m.group(1)] + names))'
}
real=$(grep -hv '^#' "$captured"/*.prom | shape | sort -u)
fed=$(sed -n "s/^ *- series: '\(.*\)'\$/\1/p" "$tests" | shape | sort -u)
check "the tests feed series" test -n "$fed"
while read -r s; do
  if grep -qxF -- "$s" <<<"$real"; then pass "fed series as the tools write it: $s"
  else fail "fed series $s is not what any tool writes (tests/fixtures/prometheus)"; fi
done <<<"$fed"
finish
