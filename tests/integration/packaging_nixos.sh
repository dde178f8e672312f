#!/usr/bin/env bash
# The NixOS module: every .nix file parses (nix-instantiate --parse, Debian's nix-bin); the
# module evaluates for the example host without nixpkgs (render-example.nix) and renders exactly
# packaging/nixos/example-config.json; the tools' own --config validation accepts that file
# and rejects it with a typo; the units point at the package's binaries.
source "$(dirname "$0")/lib.sh"
nixdir="$MESHOPS_SRC/packaging/nixos"
export NIX_CONFIG="build-users-group ="  # no nixbld group on a plain Debian host
work=$(mktemp -d)
on_exit rm -rf "$work"
export NIX_STATE_DIR="$work/nix-state" NIX_LOG_DIR="$work/nix-log" HOME="$work"

for f in "$nixdir"/*.nix; do
  check_rc "parses: $(basename "$f")" 0 nix-instantiate --parse "$f"
done

check_rc "module evaluates for the example host" 0 nix-instantiate --eval --strict --json "$nixdir/render-example.nix"
rendered=$out
jq -r .config <<<"$rendered" >"$work/config.json"
check_eq "renders example-config.json" "$(jq -S . "$nixdir/example-config.json")" "$(jq -S . "$work/config.json")"
check_eq "guide's option names reach the file" "200 5 30 3 true 11434 20r/s 500M" \
  "$(jq -r '[.monitoring.maxLatency, .monitoring.maxPacketLoss, .monitoring.checkInterval, .monitoring.failureThreshold,
             .monitoring.enableAutoFailover, .nginx.services.ollama.upstreamPort, .nginx.services.ollama.rateLimit,
             .nginx.services.ollama.maxBodySize] | join(" ")' "$work/config.json")"
check_match "meshops-health's ExecStart is the package's" '^/nix/store/[^ ]*-meshops/bin/meshops-health --prom-file ' \
  "$(jq -r '.execStart["meshops-health"][1]' <<<"$rendered")"
check_match "nginx-logs-summary's ExecStart is the unit's, in the package" \
  '^/nix/store/[^ ]*-meshops/bin/nginx-logs summary --since 5m --prom-file ' "$(jq -r '.execStart["nginx-logs-summary"][1]' <<<"$rendered")"

# A setting that is no option is an error, as in the module system.
sed 's/maxLatency = 200;/maxLatncy = 200;/' "$nixdir/example.nix" >"$work/typo.nix"
sed "s|./example.nix|$work/typo.nix|; s|./module.nix|$nixdir/module.nix|" "$nixdir/render-example.nix" >"$work/render-typo.nix"
check_rc "a misspelt option fails evaluation" 1 nix-instantiate --eval --strict --json "$work/render-typo.nix"
check_match "and names it" "no such option: maxLatncy" "$err"

# The tools' own validation of the file (each fails later, on what is absent here, not on it).
cfg=$nixdir/example-config.json
check_rc "ts-status -c: fails only on the socket" 3 "$(tool ts-status)" -c "$cfg" --socket /nonexistent/tailscaled.sock
check_eq "ts-status: the socket message" "ts-status: cannot reach tailscaled at /nonexistent/tailscaled.sock: no such socket" "$(head -1 <<<"$err")"
check_rc "fw-status -c --check: the zones match a ruleset of the same zones" 0 \
  "$(tool fw-status)" -c "$cfg" --file "$MESHOPS_SRC/tests/fixtures/nft/zones_tailscale.json" --check
check_rc "nginx-logs -c: reads a log with it" 0 "$(tool nginx-logs)" -c "$cfg" summary "$MESHOPS_SRC/tests/fixtures/nginx-logs/combined.log"
check_rc "nginx-test -c: fails only on the store path of nginx" 3 "$(tool nginx-test)" -c "$cfg"
check_match "nginx-test: the nginx message" "^nginx-test: /nix/store/[^ ]*-nginx/bin/nginx: not found" "$err"
# Tools still being written join in once built: their error, if any, must not be the config's.
for t in ts-quality ts-monitor ts-monitor-logs; do
  [[ -x "$(tool "$t")" ]] || continue
  timeout 10 "$(tool "$t")" -c "$cfg" --socket /nonexistent/tailscaled.sock --timeout 1 >/dev/null 2>"$work/$t.err" </dev/null
  grep -q "$cfg" "$work/$t.err" && fail "$t rejects the config: $(head -1 "$work/$t.err")" || pass "$t -c accepts the config"
done

# The same validation rejects a typo: the checks above can fail.
jq '.monitoring.maxLatncy = 1' "$cfg" >"$work/typo.json"
check_rc "ts-status -c rejects an unknown key" 3 "$(tool ts-status)" -c "$work/typo.json" --socket /nonexistent/tailscaled.sock
check_match "naming it" "typo.json: monitoring.maxLatncy: unknown key" "$err"

finish
