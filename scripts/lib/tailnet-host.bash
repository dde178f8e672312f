# shellcheck shell=bash
# The systemd host of the test tailnet (issue 17), sourced by scripts/tailnet: a Debian bookworm
# root built once by debootstrap into the cache, booted by `systemd-nspawn --boot --ephemeral`
# with systemd as its PID 1, as a fourth node "host" of the tailnet. The three namespace nodes
# stay as they are (every other test keeps using them); the host is their peer, uses kernelcore
# and other-server as exit nodes, and runs what a real mesh host runs, each from its own unit:
# tailscaled.service (tailscale's own unit file and defaults, with the pinned tailscaled),
# nginx.service with test vhosts in front of a python upstream, nftables.service with the zones,
# prometheus-node-exporter.service, and (host-up DEB) meshops installed from its .deb.
#
# Network: the container gets the namespace <run>-host made here (--network-namespace-path),
# plugged into the tailnet's switch like the other nodes; nothing of the root namespace is used,
# so the nft rules loaded inside change only that namespace.
#
# Uses from scripts/tailnet: NAME RUN CACHE BIN CERT CONTROL_URL HS_ADDR HS_CONFIG HS_USER
# TAILSCALE_VERSION, and ns log die wait_for errexit_run hs hs_node_id daemon_alive pid_is_ours
# pid_gone all_gone.

HOST_NODE=host
HOST_UNDERLAY=198.18.0.14
HOST_DIR=$RUN/host
HOST_ROOTS=$CACHE/host-root
HOST_SUITE=bookworm
# What the root holds. The .deb's runtime dependencies come first, so `apt install ./meshops.deb`
# needs no network inside; then the services of a mesh host and the tools the tests use there.
# Changing this list builds a new root (its hash names the root's directory).
HOST_PACKAGES=(
  libcurl4 libnftables1 libsystemd0 libssl3 zlib1g jq coreutils
  systemd systemd-sysv dbus init-system-helpers
  nginx-light nftables prometheus-node-exporter
  netbase iproute2 procps curl ca-certificates python3 iputils-ping
)
# Inside the container: where the run's files are bound (not under /run, which systemd mounts
# over at boot).
HOST_SHARE=/mnt/meshops

host_ns() { ns "$HOST_NODE"; }
host_leader() { cat "$HOST_DIR/leader" 2>/dev/null || true; }
# host_pid_inside PID: PID is alive and in the host's network namespace. A recorded leader that
# died and whose pid was reused fails it, so nothing is run in (or killed from) another
# process's namespaces, the root namespace's among them.
host_pid_inside() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && [[ "$(ip netns identify "$1" 2>/dev/null)" == "$(host_ns)" ]]; }
# host_exec CMD...: CMD inside the container, in all its namespaces (systemctl, journalctl, dpkg).
host_exec() {
  local leader
  leader=$(host_leader)
  host_pid_inside "$leader" || { log "the host is not running"; return 1; }
  nsenter -t "$leader" -a -- "$@"
}

#------------------------------------------------------------------------------------ the root

# host_mirror: Debian's archive as apt on this machine uses it (deb822 sources first).
host_mirror() {
  local m=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    m=$(awk -v RS= -v suite="$HOST_SUITE" '
      $0 ~ "(^|\n)Suites:([^\n]* )?" suite "( |\n|$)" && match($0, /(^|\n)URIs: *[^ \n]+/) {
        s = substr($0, RSTART, RLENGTH); sub(/^\n?URIs: */, "", s); print s; exit }' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z $m && -f /etc/apt/sources.list ]]; then
    m=$(awk -v suite="$HOST_SUITE" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list)
  fi
  [[ -n $m ]] || die "no $HOST_SUITE mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  echo "$m"
}

# host_root_dir: the cached root for this package list, suite and mirror.
host_root_dir() {
  local key
  key=$(printf '%s\n' "$HOST_SUITE" minbase "$(host_mirror)" "${HOST_PACKAGES[@]}" | sha256sum | cut -c1-16)
  echo "$HOST_ROOTS/$HOST_SUITE-$key"
}

# host_root: builds the root once (about 75 s, ~270 MB); prints its directory.
host_root() {
  local root
  root=$(host_root_dir)
  [[ -f $root/.complete ]] && { echo "$root"; return 0; }
  command -v debootstrap >/dev/null || die "debootstrap is needed for the host (scripts/install-deps)"
  mkdir -p "$HOST_ROOTS"
  exec 7>"$HOST_ROOTS/.lock"
  flock -w 900 7 || die "another run holds $HOST_ROOTS/.lock for 15 minutes"
  if [[ ! -f $root/.complete ]]; then
    local t0=$SECONDS tmp=$root.new mirror
    mirror=$(host_mirror)
    log "building the host's $HOST_SUITE root from $mirror (once, about 75 s)"
    rm -rf "$tmp"
    local packages
    packages=$(IFS=,; echo "${HOST_PACKAGES[*]}")
    debootstrap --variant=minbase --include="$packages" "$HOST_SUITE" "$tmp" "$mirror" >"$HOST_ROOTS/debootstrap.log" 2>&1 ||
      { rm -rf "$tmp"; die "debootstrap failed; see $HOST_ROOTS/debootstrap.log"; }
    # The image's own identity: every boot of an ephemeral copy gets a fresh machine id.
    : >"$tmp/etc/machine-id"
    rm -f "$tmp/var/cache/apt/archives/"*.deb
    touch "$tmp/.complete"
    # Roots of other package lists are not used again.
    find "$HOST_ROOTS" -mindepth 1 -maxdepth 1 -type d -name "$HOST_SUITE-*" ! -name "${root##*/}*" -exec rm -rf {} +
    mv "$tmp" "$root"
    log "host root built in $((SECONDS - t0))s: $root ($(du -sh "$root" | cut -f1))"
  fi
  exec 7>&-
  echo "$root"
}

#----------------------------------------------------------------------------------- the boot

# tailscale's own unit file and defaults, as its module ships them (the pinned version's).
host_tailscale_unit_dir() { echo "$CACHE/gopath/pkg/mod/tailscale.com@$TAILSCALE_VERSION/cmd/tailscaled"; }

host_make_network() {
  local hn sw
  hn=$(host_ns) sw=$(ns sw)
  ip netns add "$hn"
  ip -n "$hn" link set lo up
  ip -n "$sw" link add p-host type veth peer name eth0 netns "$hn"
  ip -n "$sw" link set p-host master br0 up
  ip -n "$hn" addr add "$HOST_UNDERLAY/24" dev eth0
  ip -n "$hn" link set eth0 up
  ip -n "$hn" route add default via "$HS_ADDR"
}

# The test tailnet's additions to tailscale's own unit: a drop-in, the unit itself unchanged.
host_write_tailscaled_dropin() {
  mkdir -p "$HOST_DIR/tailscaled.service.d"
  cat >"$HOST_DIR/tailscaled.service.d/meshops-test.conf" <<EOF2
# Written by scripts/tailnet host-up for the test tailnet (scripts/lib/tailnet-host.bash).
[Service]
# headscale's self-signed certificate.
Environment=SSL_CERT_FILE=$HOST_SHARE/tailnet-ca.pem
# As the namespace nodes: no log uploads, no port-mapping probes, never Tailscale's own control.
Environment=TS_NO_LOGS_NO_SUPPORT=true TS_DISABLE_PORTMAPPER=1 TS_PANIC_IF_HIT_MAIN_CONTROL=1
EOF2
}

host_nspawn_pid() { cat "$HOST_DIR/pid" 2>/dev/null || true; }
# The container's PID 1: the child of systemd-nspawn that runs systemd.
host_find_leader() {
  local p
  p=$(pgrep -P "$(host_nspawn_pid)" -x systemd | head -1) || return 1
  [[ -n $p ]] && echo "$p" >"$HOST_DIR/leader"
}
# The ephemeral copy beside the root, recorded so that down removes it even when nspawn could
# not: nspawn holds its lock file "DIR/.#.#machine.NAME.lck" open while the copy "DIR/.#machine.NAME"
# is in use.
host_record_copy() {
  local fd lock
  for fd in /proc/"$(host_nspawn_pid)"/fd/*; do
    lock=$(readlink "$fd" 2>/dev/null) || continue
    if [[ $lock == "$HOST_ROOTS/.#.#machine."*.lck ]]; then
      lock=${lock##*/.#}
      echo "$HOST_ROOTS/${lock%.lck}" >"$HOST_DIR/rootcopy"
      return 0
    fi
  done
}
host_booted() {
  local s
  s=$(host_exec systemctl is-system-running 2>/dev/null) || true
  [[ $s == running || $s == degraded ]]
}

host_boot() {
  local root=$1 units
  units=$(host_tailscale_unit_dir)
  [[ -f $units/tailscaled.service && -f $units/tailscaled.defaults ]] ||
    die "tailscale's unit file is not in the module cache ($units): run scripts/tailnet build"
  mkdir -p "$HOST_DIR/share"
  cp "$CERT" "$HOST_DIR/share/tailnet-ca.pem"
  host_write_tailscaled_dropin
  # The root's /etc/hostname is the build machine's (debootstrap copies it); systemd would set it.
  echo "$HOST_NODE" >"$HOST_DIR/hostname"
  host_make_network
  # --register=no --keep-unit: there is no machined (nor systemd) on this machine to register
  # with. The pinned tailscale and tailscale's own unit and defaults are bound in read-only where
  # a package would put them; /dev/net/tun is tailscaled's TUN device. nspawn drops CAP_NET_ADMIN
  # with --network-namespace-path; the namespace is ours, and tailscaled, nftables.service and
  # fw-status need it there.
  setsid systemd-nspawn --quiet --directory="$root" --ephemeral --boot --register=no --keep-unit \
    --machine="$NAME-$HOST_NODE" --hostname="$HOST_NODE" --network-namespace-path="/run/netns/$(host_ns)" \
    --capability=CAP_NET_ADMIN \
    --resolv-conf=off --timezone=off --link-journal=no --console=read-only \
    --bind=/dev/net/tun \
    --bind-ro="$BIN/tailscaled:/usr/sbin/tailscaled" --bind-ro="$BIN/tailscale:/usr/bin/tailscale" \
    --bind-ro="$units/tailscaled.service:/usr/lib/systemd/system/tailscaled.service" \
    --bind-ro="$units/tailscaled.defaults:/etc/default/tailscaled" \
    --bind-ro="$HOST_DIR/tailscaled.service.d:/etc/systemd/system/tailscaled.service.d" \
    --bind="$HOST_DIR/share:$HOST_SHARE" --bind-ro="$HOST_DIR/hostname:/etc/hostname" \
    >>"$HOST_DIR/console.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$HOST_DIR/pid"
  wait_for 60 "systemd-nspawn to start the container's systemd" host_find_leader
  host_record_copy
  wait_for 90 "the host's systemd to finish booting" host_booted
  local state
  state=$(host_exec systemctl is-system-running 2>/dev/null || true)
  if [[ $state != running ]]; then
    log "the host booted $state; failed units:"
    host_exec systemctl --failed --no-legend --plain >&2 || true
    return 1
  fi
}

#----------------------------------------------------------------------------- the services

# host_write PATH [MODE]: stdin into PATH inside the container (written by the container's own
# install(1), so no symlink of its tree can point outside it).
host_write() { host_exec install -D -m "${2:-0644}" /dev/stdin "$1"; }

host_local_api() { host_exec curl -sf --max-time 5 --unix-socket /run/tailscale/tailscaled.sock http://local-tailscaled.sock/localapi/v0/status; }

# host_problems: what is not yet as it should be at the host (nothing when ready): Running, the
# three namespace nodes online peers, the two exit nodes offered.
host_problems() {
  local st
  st=$(host_local_api 2>/dev/null) || { echo "host: LocalAPI not answering"; return 0; }
  jq -r '
    def peer($n): [.Peer // {} | .[] | select((.DNSName // "") | startswith($n + "."))][0];
    (if .BackendState != "Running" then "host: BackendState is \(.BackendState)" else empty end),
    ("kernelcore", "laptop", "other-server") as $o | peer($o) as $p
      | if $p == null then "host: no peer \($o)"
        elif $p.Online != true then "host: peer \($o) not online"
        elif $o != "laptop" and $p.ExitNodeOption != true then "host: peer \($o) offers no exit node"
        else empty end' <<<"$st"
}
host_ready() { [[ -z "$(host_problems)" ]]; }

# The host is a server of the ACL policy (write_policy in scripts/tailnet): tag:server of the
# user HS_USER, from its key; it may use the exit nodes and laptop reaches its services.
HOST_TAGS=tag:server
host_authkey() {
  local uid
  uid=$(hs users list -o json | jq -r --arg u "$HS_USER" '.[] | select(.name == $u) | .id')
  hs preauthkeys create --user "$uid" --expiration 1h --tags "$HOST_TAGS" -o json | jq -r .key
}

# The zones of DESIGN.md, loaded by nftables.service at boot from Debian's /etc/nftables.conf.
host_start_nftables() {
  { printf '#!/usr/sbin/nft -f\n# Written by scripts/tailnet host-up: the zones of DESIGN.md.\nflush ruleset\n\n'
    cat "$HOST_ZONES"; } | host_write /etc/nftables.conf 0755
  host_exec systemctl enable --now --quiet nftables.service
}

host_start_tailscaled() {
  host_exec systemctl enable --now --quiet tailscaled.service
  wait_for 30 "the host's tailscaled.service to answer" host_local_api
  local key
  key=$(host_authkey)
  [[ -n $key ]] || { log "no pre-auth key for the host"; return 1; }
  # --accept-routes: the lan behind kernelcore, as laptop; without it tailscaled warns that peers
  # advertise routes it does not take.
  host_exec tailscale up --login-server="$CONTROL_URL" --hostname="$HOST_NODE" --accept-dns=false --accept-routes \
    --auth-key="$key" --timeout=60s >>"$HOST_DIR/tailscale-up.log" 2>&1 ||
    { log "tailscale up on the host failed: $(tail -n 3 "$HOST_DIR/tailscale-up.log")"; return 1; }
}

# nginx's test vhost in front of a python upstream (an "ollama" answering /api/tags).
host_start_nginx() {
  host_write /srv/ollama/api/tags <<<'{"models": []}'
  host_write /etc/systemd/system/meshops-test-upstream.service <<'UNIT'
# Written by scripts/tailnet host-up: the upstream behind nginx's test vhost.
[Unit]
Description=meshops test upstream (ollama's /api/tags)
Before=nginx.service

[Service]
ExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory /srv/ollama 11434
DynamicUser=yes

[Install]
WantedBy=multi-user.target
UNIT
  host_write /etc/nginx/sites-available/meshops-test <<CONF
# Written by scripts/tailnet host-up: ollama on the tailnet, through nginx.
limit_req_zone \$binary_remote_addr zone=ollama:1m rate=20r/s;
server {
  listen 80;
  server_name ollama.$HOST_NODE.tailnet.test;
  client_max_body_size 500M;
  location / {
    limit_req zone=ollama burst=10;
    proxy_pass http://127.0.0.1:11434;
  }
}
CONF
  host_exec ln -sf ../sites-available/meshops-test /etc/nginx/sites-enabled/meshops-test
  host_exec systemctl daemon-reload
  host_exec systemctl enable --now --quiet meshops-test-upstream.service
  host_exec systemctl restart nginx.service
  wait_for 20 "nginx on the host to proxy to its upstream" host_exec curl -sf -o /dev/null \
    -H "Host: ollama.$HOST_NODE.tailnet.test" http://127.0.0.1/api/tags
}

host_up_steps() {
  local root=$1 deb=$2
  host_boot "$root"
  host_start_nftables
  host_start_tailscaled
  wait_for 60 "the host Running, its peers online, both exit nodes offered" host_ready
  host_start_nginx
  wait_for 30 "prometheus-node-exporter on the host" host_exec curl -sf -o /dev/null http://127.0.0.1:9100/metrics
  if [[ -n $deb ]]; then
    cp "$deb" "$HOST_DIR/share/"
    host_exec apt-get install -y -q "$HOST_SHARE/$(basename "$deb")" >>"$HOST_DIR/install.log" 2>&1 ||
      { log "apt-get install of $(basename "$deb") on the host failed: $(tail -n 5 "$HOST_DIR/install.log")"; return 1; }
  fi
}

#------------------------------------------------------------------------------------ commands

cmd_host_up() {
  local deb=${1:-} t0=$SECONDS root
  [[ -z $deb || -f $deb ]] || die "host-up: no such .deb: $deb"
  [[ -n $deb ]] && deb=$(realpath "$deb")
  [[ -f $RUN/complete ]] || die "host-up: the tailnet is not up (scripts/tailnet up)"
  for c in systemd-nspawn nsenter debootstrap; do command -v "$c" >/dev/null || die "$c is needed (scripts/install-deps)"; done
  if [[ -f $HOST_DIR/complete ]] && host_ready; then log "host already up"; return 0; fi
  host_down
  root=$(host_root)
  local t1=$SECONDS
  mkdir -p "$HOST_DIR"
  errexit_run host_up_steps "$root" "$deb"
  if ((step_rc != 0)); then
    log "host-up failed; console: $(tail -n 5 "$HOST_DIR/console.log" 2>/dev/null)"
    host_problems >&2 || true
    local keep
    keep=$(mktemp -d "${MESHOPS_TAILNET_LOGS:-/tmp}/meshops-host-$NAME-logs.XXXXXX")
    cp "$HOST_DIR"/*.log "$keep/" 2>/dev/null || true
    host_exec journalctl --no-pager -b >"$keep/journal.txt" 2>&1 || true
    log "logs copied to $keep"
    host_down
    return 1
  fi
  touch "$HOST_DIR/complete"
  log "host up in $((SECONDS - t0))s (boot and services $((SECONDS - t1))s)"
}

host_down() {
  [[ -d $HOST_DIR || -e /run/netns/$(host_ns) ]] || return 0
  local t0=$SECONDS nspawn leader pids=()
  nspawn=$(host_nspawn_pid) leader=$(host_leader)
  if pid_is_ours "$nspawn"; then
    # The container's own poweroff (measured 7 s; nspawn's TERM takes it ~30 s); the KILL of the
    # leader ends the whole PID namespace when that takes too long.
    host_exec systemctl poweroff --no-block 2>/dev/null || kill -TERM "$nspawn" 2>/dev/null || true
    if ! wait_for 30 "the host to power off" pid_gone "$nspawn"; then
      if [[ -n $leader ]]; then kill -KILL "$leader" 2>/dev/null || true; fi
      kill -KILL "$nspawn" 2>/dev/null || true
      wait_for 10 "systemd-nspawn to exit" pid_gone "$nspawn" || die "systemd-nspawn $nspawn survived KILL"
    fi
  fi
  # With nspawn gone (killed), the container may still run: KILL of its PID 1 (ours when it is
  # in the host's namespace) ends its whole PID namespace, services with PrivateNetwork= too.
  if host_pid_inside "$leader"; then
    kill -KILL "$leader" 2>/dev/null || true
    wait_for 10 "the host's PID 1 to go" pid_gone "$leader" || die "the host's PID 1 ($leader) survived KILL"
  fi
  if [[ -e /run/netns/$(host_ns) ]]; then
    pids=($(ip netns pids "$(host_ns)" 2>/dev/null))
    if ((${#pids[@]})); then
      kill -KILL "${pids[@]}" 2>/dev/null || true
      wait_for 10 "processes ${pids[*]} of the host to go" all_gone "${pids[@]}" || die "processes survived KILL: ${pids[*]}"
    fi
    ip netns del "$(host_ns)"
  fi
  # The node leaves the tailnet too: the namespace nodes' peer lists are again what the other
  # tests expect (an offline fourth peer would be a warning of ts-status everywhere).
  if [[ -f $HS_CONFIG ]] && daemon_alive headscale; then
    local id
    id=$(hs_node_id "$HOST_NODE" 2>/dev/null || true)
    if [[ -n $id ]]; then
      hs nodes delete --identifier "$id" --force >/dev/null 2>&1 || log "could not delete node $HOST_NODE from headscale"
    fi
  fi
  # nspawn removes its ephemeral copy when it exits; after a KILL it could not.
  local copy
  copy=$(cat "$HOST_DIR/rootcopy" 2>/dev/null || true)
  if [[ $copy == "$HOST_ROOTS/.#machine."* && -d $copy ]]; then
    rm -rf --one-file-system "$copy"
    rm -f "$HOST_ROOTS/.#${copy##*/}.lck"
  fi
  rm -rf "$HOST_DIR"
  log "host down ($((SECONDS - t0))s)"
}

cmd_host_down() { host_down; }

cmd_host_exec() {
  (($#)) || die "host-exec: a command is needed"
  host_exec "$@"
}
