#!/usr/bin/env bash
# needs: tailnet
# The fleet path end to end with Debian's engines (issue 16): the check units' commands run in
# laptop's namespace and write their textfiles into a folder node_exporter's textfile collector
# reads; Prometheus scrapes node_exporter on loopback and evaluates the shipped rules;
# Alertmanager routes the alerts to a webhook receiver this test runs. Two real faults:
#   1. other-server, laptop's exit node, has its tailscaled stopped: MeshopsExitNodeOffline and
#      MeshopsCheckNotOk{check="ts-status"} arrive, critical, naming laptop and other-server,
#      and resolve once it is started again;
#   2. UDP between laptop and kernelcore dropped by nft in laptop's namespace: the pings go
#      through DERP and MeshopsPeerRelayed{peer="kernelcore"} arrives, and resolves once the
#      table is deleted and the path is direct again.
# The rules are the shipped file with only its `for:` durations cut to 3 s (the test asserts
# that nothing else differs); scrape and evaluation every second. The engines listen on one
# random 127.0.0.x address, ports chosen free; everything is stopped and removed on exit.
source "$(dirname "$0")/lib.sh"
tailnet="$MESHOPS_SRC/scripts/tailnet"
eval "$("$tailnet" env)"
ns=$TAILNET_NS_LAPTOP
sock=$TAILNET_SOCK_LAPTOP
in_ns() { ip netns exec "$ns" "$@"; }
localapi() { curl -sf --max-time 5 --unix-socket "$sock" "http://local-tailscaled.sock/localapi/v0/$1"; }
for b in prometheus prometheus-alertmanager prometheus-node-exporter; do
  command -v "$b" >/dev/null || { fail "$b is not installed (scripts/install-deps)"; finish; exit; }
done

d=$(mktemp -d /tmp/meshops-prom-alerts.XXXXXX)
on_exit rm -rf "$d"
mkdir -p "$d/textfile" "$d/prom" "$d/am"
addr=127.0.0.$((RANDOM % 200 + 20))
p_ne=$(free_port "$addr") p_prom=$(free_port "$addr") p_am=$(free_port "$addr") p_hook=$(free_port "$addr")

# stop PID: SIGTERM, then wait for it (up to 10 s) so that its folder can go.
exited() { [[ ! -e /proc/$1 || $(ps -o stat= -p "$1") == Z* ]]; }
stop() { kill "$1" 2>/dev/null; wait_until 10 exited "$1" || kill -9 "$1"; wait "$1" 2>/dev/null; }
# show_logs: the engines' logs, when something failed (ctest shows them).
show_logs() { ((_failed == 0)) || tail -n 30 "$d"/*.log >&2; }
on_exit show_logs

# --- the engines ------------------------------------------------------------------------
sed -E 's/^( *)for: [0-9]+[smh]$/\1for: 3s/' "$MESHOPS_SRC/packaging/prometheus/meshops.rules.yml" >"$d/prom/rules.yml"
check_eq "the test's rules differ from the shipped ones only in for:" "" \
  "$(diff <(grep -v '^ *for: ' "$MESHOPS_SRC/packaging/prometheus/meshops.rules.yml") <(grep -v '^ *for: ' "$d/prom/rules.yml"))"
check "every for: shortened" test "$(grep -c '^ *for: 3s$' "$d/prom/rules.yml")" -eq \
  "$(grep -c '^ *for: ' "$d/prom/rules.yml")"

python3 "$MESHOPS_SRC/tests/integration/webhook_receiver.py" "$addr" "$p_hook" "$d/hook.ndjson" &
hook_pid=$!
on_exit stop "$hook_pid"

cat >"$d/am/alertmanager.yml" <<EOF
route:
  receiver: hook
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://$addr:$p_hook/
        send_resolved: true
EOF
prometheus-alertmanager --config.file="$d/am/alertmanager.yml" --storage.path="$d/am" \
  --web.listen-address="$addr:$p_am" --cluster.listen-address= --log.level=warn >"$d/alertmanager.log" 2>&1 &
am_pid=$!
on_exit stop "$am_pid"

# Instance "laptop": the host's name, as README "Many hosts" asks of a real scrape job.
cat >"$d/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ["$addr:$p_am"]}]
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["$addr:$p_ne"]
        labels: {instance: laptop}
EOF
prometheus --config.file="$d/prom/prometheus.yml" --storage.tsdb.path="$d/prom/data" \
  --web.listen-address="$addr:$p_prom" --log.level=warn >"$d/prometheus.log" 2>&1 &
prom_pid=$!
on_exit stop "$prom_pid"

prometheus-node-exporter --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory="$d/textfile" --web.listen-address="$addr:$p_ne" >"$d/node_exporter.log" 2>&1 &
ne_pid=$!
on_exit stop "$ne_pid"

ready() { curl -sf --max-time 2 -o /dev/null "$1"; }
check "alertmanager ready" wait_until 30 ready "http://$addr:$p_am/-/ready"
check "prometheus ready" wait_until 30 ready "http://$addr:$p_prom/-/ready"
check "node_exporter answers" wait_until 30 ready "http://$addr:$p_ne/metrics"
check "webhook receiver listens" wait_until 10 bash -c "echo >/dev/tcp/$addr/$p_hook"

# query PROMQL: the result vector of an instant query.
query() { curl -sf --max-time 5 --get --data-urlencode "query=$1" "http://$addr:$p_prom/api/v1/query" | jq -c '.data.result'; }
# has_sample PROMQL: the query returns at least one sample.
has_sample() { [[ $(query "$1" | jq length) -gt 0 ]]; }
# alert STATUS ALERTNAME JQ_CONDITION: a notification at the receiver holds that alert with that
# status; prints it.
alert() {
  jq -c --arg s "$1" --arg n "$2" ".alerts[] | select(.status == \$s and .labels.alertname == \$n) | select($3)" \
    "$d/hook.ndjson" 2>/dev/null | tail -n 1
}
arrived() { [[ -n $(alert "$@") ]]; }
# firing_in_prometheus ALERTNAME: Prometheus has it firing.
firing_in_prometheus() { has_sample "ALERTS{alertname=\"$1\",alertstate=\"firing\"}"; }

# --- the check units' commands, in laptop's namespace -----------------------------------
# meshops-health.service (the C++ tool when built, else the script, with this build's tools on
# its PATH), limited to ts-status: laptop has no nginx and no declared firewall zones.
bin=$(mktemp -d)
on_exit rm -rf "$bin"
ln -s "$(tool ts-status)" "$bin/ts-status"
ln -s "$(tool ts-quality)" "$bin/ts-quality"
health=$(tool meshops-health)
[[ -x "$health" ]] || health="$MESHOPS_BUILD/scripts/meshops-health"
health_unit() {
  in_ns env PATH="$bin:/usr/sbin:/usr/bin:/sbin:/bin" "$health" --socket "$sock" --only ts-status \
    --prom-file "$d/textfile/meshops-health.prom" >/dev/null 2>&1
  true
}
# ts-quality.service, with the targets of its config file (MESHOPS_CONFIG, as the unit sets)
# and fewer, faster probes than the default five a second apart.
echo '{"monitoring": {"targets": ["kernelcore"]}}' >"$d/config.json"
quality_unit() {
  in_ns env MESHOPS_CONFIG="$d/config.json" "$(tool ts-quality)" --socket "$sock" --no-netcheck -n 3 -i 0.2 \
    --timeout 2 --prom-file "$d/textfile/meshops-ts-quality.prom" >/dev/null 2>&1
  true
}

# --- fault 1: the exit node's tailscaled stopped ----------------------------------------
on_exit "$tailnet" start-node other-server
on_exit "$TAILNET_TAILSCALE" --socket "$sock" set --exit-node=
"$TAILNET_TAILSCALE" --socket "$sock" set --exit-node="$TAILNET_IP4_OTHER_SERVER"
using() { localapi status | jq -e '.ExitNodeStatus.Online == true' >/dev/null; }
check "laptop uses other-server as exit node" wait_until 30 using
"$TAILNET_TAILSCALE" --socket "$sock" ping -c 5 kernelcore >/dev/null 2>&1
health_unit
quality_unit
check "Prometheus has laptop's exit node online, ts-status OK, kernelcore direct" wait_until 30 has_sample \
  'meshops_ts_status_exit_node_online{instance="laptop",exit_node="other-server"} == 1
   and on(instance) meshops_health_check_state{check="ts-status"} == 0
   and on(instance) meshops_ts_quality_path{peer="kernelcore",path="direct_ipv4"} == 1'
# An alert is pending from the first evaluation its expression holds, before it fires: one
# evaluation of the rules after the healthy series arrived must leave none pending.
seen=$(date +%s)
evaluated() {
  curl -sf --max-time 5 "http://$addr:$p_prom/api/v1/rules" |
    jq -e --argjson t "$seen" '.data.groups[0].lastEvaluation | sub("\\.[0-9]+"; "") | fromdateiso8601 > $t + 1'
}
check "the rules evaluated after the healthy series arrived" wait_until 30 evaluated
check_eq "healthy: no meshops alert pending or firing in Prometheus" "[]" "$(query 'ALERTS{alertname=~"Meshops.*"}')"
check_eq "healthy: nothing at the receiver" "0" "$(cat "$d/hook.ndjson" 2>/dev/null | wc -l)"

t0=$SECONDS
"$tailnet" stop-node other-server >/dev/null 2>&1
gone() { localapi status | jq -e '.ExitNodeStatus != null and .ExitNodeStatus.Online == false' >/dev/null; }
check "laptop's netmap says the exit node is offline within 90 s" wait_until 90 gone
health_unit
check "MeshopsExitNodeOffline arrives at the receiver within 60 s" wait_until 60 \
  arrived firing MeshopsExitNodeOffline '.labels.exit_node == "other-server"'
echo "# fired $((SECONDS - t0)) s after the stop"
a=$(alert firing MeshopsExitNodeOffline '.labels.exit_node == "other-server"')
check_eq "its labels: host, exit node, severity" "laptop other-server critical node" \
  "$(jq -r '"\(.labels.instance) \(.labels.exit_node) \(.labels.severity) \(.labels.job)"' <<<"$a")"
check_eq "its summary names both" "laptop: exit node other-server is offline" "$(jq -r .annotations.summary <<<"$a")"
check "MeshopsCheckNotOk for ts-status arrives, critical" wait_until 30 \
  arrived firing MeshopsCheckNotOk '.labels.check == "ts-status" and .labels.severity == "critical" and .labels.instance == "laptop"'
check_eq "MeshopsCheckNotOk summary" "laptop: ts-status is CRITICAL" \
  "$(alert firing MeshopsCheckNotOk '.labels.check == "ts-status"' | jq -r .annotations.summary)"

t0=$SECONDS
"$tailnet" start-node other-server >/dev/null 2>&1
check "laptop's netmap has the exit node online again within 60 s" wait_until 60 using
health_unit
check "MeshopsExitNodeOffline resolves at the receiver within 60 s" wait_until 60 \
  arrived resolved MeshopsExitNodeOffline '.labels.exit_node == "other-server" and .labels.instance == "laptop"'
check "MeshopsCheckNotOk resolves" wait_until 30 \
  arrived resolved MeshopsCheckNotOk '.labels.check == "ts-status"'
echo "# resolved $((SECONDS - t0)) s after the start"

# --- fault 2: UDP to kernelcore dropped, the path falls back to DERP --------------------
nft_ns() { in_ns nft "$@"; }
on_exit nft_ns delete table inet prom_drop_udp
nft_ns -f - <<EOF
table inet prom_drop_udp {
  chain out { type filter hook output priority 0; ip daddr $TAILNET_UNDERLAY_KERNELCORE udp dport 41641 drop; }
  chain in { type filter hook input priority 0; ip saddr $TAILNET_UNDERLAY_KERNELCORE udp sport 41641 drop; }
}
EOF
t0=$SECONDS
# The timer's runs: ts-quality again until its file says derp (tailscaled notices in seconds).
relayed() { quality_unit; grep -q 'meshops_ts_quality_path{peer="kernelcore",path="derp"} 1' "$d/textfile/meshops-ts-quality.prom"; }
check "ts-quality's file says kernelcore goes through DERP within 60 s" wait_until 60 relayed
check "MeshopsPeerRelayed arrives at the receiver within 60 s" wait_until 60 \
  arrived firing MeshopsPeerRelayed '.labels.peer == "kernelcore"'
echo "# fired $((SECONDS - t0)) s after the drop"
a=$(alert firing MeshopsPeerRelayed '.labels.peer == "kernelcore"')
check_eq "its labels: host, peer, path, severity" "laptop kernelcore derp warning" \
  "$(jq -r '"\(.labels.instance) \(.labels.peer) \(.labels.path) \(.labels.severity)"' <<<"$a")"
check_eq "its summary" "laptop: traffic to kernelcore goes through DERP" "$(jq -r .annotations.summary <<<"$a")"

t0=$SECONDS
nft_ns delete table inet prom_drop_udp
direct() { quality_unit; grep -q 'meshops_ts_quality_path{peer="kernelcore",path="direct_ipv4"} 1' "$d/textfile/meshops-ts-quality.prom"; }
check "kernelcore direct again within 60 s" wait_until 60 direct
check "MeshopsPeerRelayed resolves at the receiver within 60 s" wait_until 60 \
  arrived resolved MeshopsPeerRelayed '.labels.peer == "kernelcore" and .labels.instance == "laptop"'
echo "# resolved $((SECONDS - t0)) s after the table went"
# With for: cut to 3 s, the faults' side effects page too (other-server offline as a peer;
# kernelcore's pings lost while its path moved): each must have resolved as well.
echo "# alerts received: $(jq -r '.alerts[].labels.alertname' "$d/hook.ndjson" | sort -u | xargs)"
unresolved() {
  jq -r '.alerts[] | "\(.status)\t\(.labels | del(.severity) | tojson)"' "$d/hook.ndjson" |
    awk -F '\t' '{ last[$2] = $1 } END { for (k in last) if (last[k] != "resolved") print k }'
}
all_resolved() { [[ -z $(unresolved) ]]; }
check "every alert that fired has resolved within 60 s" wait_until 60 all_resolved
[[ -z $(unresolved) ]] || echo "# still firing: $(unresolved)"
finish
