#!/usr/bin/env bash
# bench/soak/run.sh: soak benchmark (issue 18). Two steerd vantages (the real build/agent/steerd)
# coordinated through etcd (quorum 2) steer login.soak.test on PowerDNS; each probes the same
# TARGETS (default 1,000) HTTP targets at a 1 s interval (half in region a, half in region b:
# 10 components per region, every probe its own path /healthz/N on one nginx, which answers a
# random FAIL % (default 5) of all requests with 503). Nothing is ever really down, so every
# failover is a false one.
#
# Topology (needs root: one network namespace; exits 77 otherwise). Root namespace, veth
# steersk0: 10.79.0.1 = nginx (region a on :18600-18609, region b on :18610-18619, a port per component), 10.79.0.3 = etcd
# (:23790) and PowerDNS (DNS :15491, API :18591). Vantage "v2" runs in the root namespace;
# vantage "v1" in namespace steersoak-v1 (veth 10.79.0.2/24). "Vantage partitioned" means: from
# 1/3 to 2/3 of the run, v1 has `ip route prohibit 10.79.0.1/32` (every connect to every
# backend fails at once, as in tests/fault/etcd_faults.sh; it still reaches etcd and PowerDNS),
# so v1 reports both regions down while v2 reports them up.
#
# Every 10 s it samples, per steerd: RSS, open fds (/proc/PID/fd), CPU (utime+stime), probes
# done (steer_probe_results_total), decisions (steer_decisions_total), audit rows (state.db),
# and the answer PowerDNS serves. Goals (exit 1 when one fails): no false failover (no failover
# decision, no DNS change, the answer always 127.0.0.2), RSS growth < 5 % from the end of the
# warm-up minute to the end, both steerds alive. Samples: $OUT/samples.tsv (kept).
#
#   bench/soak/run.sh [MINUTES]        (default 30; TARGETS=1000 FAIL=5 OUT=/tmp/steer-soak-...)
# Only one soak runs at a time (a lock in /run/lock); a second one exits 2 at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/proc.sh
MINUTES=${1:-30}
TARGETS=${TARGETS:-1000}
FAIL=${FAIL:-5}
STEERD=${STEERD:-$PWD/build/agent/steerd}
OUT=${OUT:-/tmp/steer-soak-$(date -u +%Y%m%dT%H%M%S)}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace)" >&2; exit 77; }
[ -x "$STEERD" ] || { echo "missing $STEERD: cmake --build build --target steerd" >&2; exit 2; }
for t in nginx etcd pdns_server sqlite3 dig curl; do
  command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }
done
# One soak at a time: the namespace, link, addresses and ports are fixed, and a second run's
# cleanup would delete the first one's namespace under it.
LOCK=/run/lock/steer-soak.lock
exec {lock_fd}>>"$LOCK"
flock -n "$lock_fd" || { echo "another soak is running (it holds $LOCK): wait for it" >&2; exit 2; }
mkdir -p "$OUT"
D=$(mktemp -d /tmp/steer-soak.XXXXXX)
NS=steersoak-v1
PIDS=()
cleanup() {
  stop_pids "${PIDS[@]}"
  ip netns delete $NS 2>/dev/null || true
  ip link delete steersk0 2>/dev/null || true
  rm -rf "$D"
}
on_exit cleanup
# Backend ports: region a's components on PA..PA+9, region b's on PB..PB+9.
BE=10.79.0.1 SRV=10.79.0.3 PA=18600 PB=18610 ETCD=23790 DNS=15491 PAPI=18591
KEY=soakkey$RANDOM$RANDOM
API1=19481 API2=19482  # 127.0.0.1 in each agent's own namespace

ip netns add $NS
ip link add steersk0 type veth peer name eth0 netns $NS
ip addr add 10.79.0.1/24 dev steersk0
ip addr add $SRV/32 dev steersk0
ip link set steersk0 up
ip -n $NS link set lo up
ip -n $NS addr add 10.79.0.2/24 dev eth0
ip -n $NS link set eth0 up
ip -n $NS route add $SRV/32 dev eth0

# Backends: one nginx process, FAIL % of requests (drawn per request) get a 503. One port per
# component: every probe opens a new connection, and 1,000 a second from one address to one
# address and port would need ~60,000 ports in TIME_WAIT (net.ipv4.tcp_tw_reuse reuses them
# only on loopback): connect() then spends most of the CPU searching the ephemeral range
# (__inet_hash_connect, seen with perf), probes time out, and the soak measures that instead of
# steerd. Real targets are spread over many addresses.
mkdir -p "$D/nginx"
cat > "$D/nginx/nginx.conf" <<CONF
daemon off; master_process off; pid $D/nginx/pid; error_log $D/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $D/nginx; proxy_temp_path $D/nginx;
  fastcgi_temp_path $D/nginx; uwsgi_temp_path $D/nginx; scgi_temp_path $D/nginx;
  split_clients "\${request_id}" \$fail { $FAIL% 1; * 0; }
  server { $(for p in $(seq $PA $((PB + 9))); do printf 'listen %s:%d backlog=4096; ' $BE "$p"; done)
    location /healthz { if (\$fail) { return 503; } return 200 "ok\n"; } } }
CONF
nginx -c "$D/nginx/nginx.conf" -p "$D/nginx" >"$D/nginx/stderr" 2>&1 & PIDS+=($!)

etcd --name s1 --data-dir "$D/etcd" --listen-client-urls "http://$SRV:$ETCD" \
  --advertise-client-urls "http://$SRV:$ETCD" --listen-peer-urls "http://$SRV:$((ETCD + 1))" \
  --initial-advertise-peer-urls "http://$SRV:$((ETCD + 1))" \
  --initial-cluster "s1=http://$SRV:$((ETCD + 1))" >"$D/etcd.log" 2>&1 & PIDS+=($!)

sqlite3 "$D/pdns.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
mkdir -p "$D/pdns"
cat > "$D/pdns/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$D/pdns.db
local-address=$SRV
local-port=$DNS
api=yes
api-key=$KEY
webserver=yes
webserver-address=$SRV
webserver-port=$PAPI
webserver-allow-from=10.79.0.0/24
socket-dir=$D/pdns
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
CONF
pdns_server --config-dir="$D/pdns" --daemon=no --guardian=no --disable-syslog >"$D/pdns/log" 2>&1 &
PIDS+=($!)
api() { curl -sf -H "X-API-Key: $KEY" -X "$1" "http://$SRV:$PAPI/api/v1/servers/localhost/zones$2" -d "$3" >/dev/null; }
up=0
for _ in $(seq 150); do
  curl -sf "http://$SRV:$ETCD/health" | grep -q true && api GET "" "" &&
    curl -so /dev/null "http://$BE:$PA/healthz" && { up=1; break; }
  sleep 0.1
done
[ $up = 1 ] || { echo "servers did not start" >&2; tail -3 "$D/etcd.log" "$D/pdns/log" "$D/nginx/stderr" >&2; exit 1; }
api POST "" '{"name":"soak.test.","kind":"Native","nameservers":["ns1.soak.test."]}'
api PATCH /soak.test. '{"rrsets":[{"name":"login.soak.test.","type":"A","ttl":1,"changetype":"REPLACE","records":[{"content":"127.0.0.2","disabled":false}]}]}'

# The policy: the same for both agents except agent.vantage and agent.listen.
PROBE="type: http, interval: 1s, timeout: 500ms, retries: 1, healthy_threshold: 2, unhealthy_threshold: 3"
region() {  # region FIRST_PORT FIRST_INDEX: 10 components (port FIRST_PORT + c), TARGETS/2 probes
  local per=$((TARGETS / 20)) c p i=$2
  for c in $(seq 0 9); do
    printf '      c%d:\n        probes:\n' "$c"
    for p in $(seq 1 $per); do
      printf '          - {name: p%d, url: "http://%s:%d/healthz/%d", %s}\n' "$p" "$BE" "$(($1 + c))" "$i" "$PROBE"
      i=$((i + 1))
    done
  done
}
policy() {  # policy VANTAGE PORT
  cat <<YAML
version: 1
agent: {vantage: $1, listen: "127.0.0.1:$2", state_dir: $D/$1/state}
coordination: {mode: etcd, etcd: {endpoints: ["http://$SRV:$ETCD"], prefix: /soak/, lease_ttl: 2s}}
providers:
  pdns: {type: powerdns, api_url: "http://$SRV:$PAPI", api_key: env:SOAK_PDNS_KEY}
regions:
  a:
    components:
$(region $PA 0)
  b:
    components:
$(region $PB $((TARGETS / 2)))
services:
  login:
    dns_name: login.soak.test.
    zone: soak.test.
    ttl: 1
    provider: pdns
    regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    failback: auto
    failback_after: 500ms
    safety: {max_changes_per_hour: 0}
    nameservers: ["$SRV:$DNS"]
    propagation_timeout: 5s
    quorum: 2
YAML
}
for v in v1 v2; do
  mkdir -p "$D/$v/state"
  echo "soak:soak-token-0123456789abcdef" > "$D/$v/tokens"
done
policy v1 $API1 > "$D/v1/policy.yaml"
policy v2 $API2 > "$D/v2/policy.yaml"
SOAK_PDNS_KEY=$KEY ip netns exec $NS "$STEERD" --config "$D/v1/policy.yaml" \
  --token-file "$D/v1/tokens" --log-level warn >"$D/v1/steerd.log" 2>&1 & PIDS+=($!)
PID1=$!
SOAK_PDNS_KEY=$KEY "$STEERD" --config "$D/v2/policy.yaml" \
  --token-file "$D/v2/tokens" --log-level warn >"$D/v2/steerd.log" 2>&1 & PIDS+=($!)
PID2=$!
in_ns() { if [ "$1" = v1 ]; then ip netns exec $NS "${@:2}"; else "${@:2}"; fi; }
port_of() { if [ "$1" = v1 ]; then echo $API1; else echo $API2; fi; }
scrape() { in_ns "$1" curl -s --max-time 5 "http://127.0.0.1:$(port_of "$1")/metrics" > "$D/$1.metrics" || true; }
metric() {  # metric VANTAGE NAME [LABEL-REGEX] -> sum over the last scrape
  awk -v n="$2" -v r="${3:-.}" '($1 == n || index($1, n "{") == 1) && $1 ~ r {s += $2}
    END {printf "%d", s}' "$D/$1.metrics"
}
for v in v1 v2; do
  ok=0
  for _ in $(seq 300); do
    in_ns $v curl -sf "http://127.0.0.1:$(port_of $v)/api/v1/status" 2>/dev/null |
      grep -q '"deciding":true' && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "steerd $v did not start deciding: $(tail -5 "$D/$v/steerd.log")" >&2; exit 1; }
done

HZ=$(getconf CLK_TCK)
TOTAL=$((MINUTES * 60))
CUT_AT=$((TOTAL / 3)) HEAL_AT=$((2 * TOTAL / 3))
sample() {  # sample T VANTAGE PID
  local v=$2 pid=$3 rss fds cpu
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
  local audit
  scrape "$v"  # once per sample: /metrics of 1,000 probes is large, and its cost is counted
  audit=$(sqlite3 "file:$D/$v/state/state.db?mode=ro" 'SELECT count(*) FROM audit' 2>/dev/null || echo -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$v" "$rss" "$fds" "$cpu" \
    "$(metric $v steer_probe_results_total)" "$(metric $v steer_probe_results_total failure)" \
    "$(metric $v steer_decisions_total)" "$(metric $v steer_decisions_total failover)" "$audit"
}
echo -e "t\tvantage\trss_kb\tfds\tcpu_ticks\tprobes\tfailed\tdecisions\tfailovers\taudit_rows\tanswer\tleader\tload1" \
  > "$OUT/samples.tsv"
echo "soak: $TARGETS targets x 2 vantages, 1 s, $FAIL % 503s, ${MINUTES} min; v1 partitioned" \
  "${CUT_AT}-${HEAL_AT} s; samples in $OUT/samples.tsv" >&2
start=$(date +%s)
dead=""
bad_answers=0 unanswered=0
cut=0 healed=0
# t is the seconds since start when the sample began (wall clock). A sample on a loaded host
# can take longer than 10 s; the next one then starts at once, and the partition still begins
# and ends on time.
while :; do
  t=$(($(date +%s) - start))
  if [ $cut = 0 ] && [ $t -ge $CUT_AT ]; then
    ip -n $NS route replace prohibit $BE/32; cut=1; echo "t=$t v1 partitioned" >&2
  fi
  if [ $healed = 0 ] && [ $t -ge $HEAL_AT ]; then
    ip -n $NS route delete prohibit $BE/32; healed=1; echo "t=$t v1 healed" >&2
  fi
  # A query PowerDNS does not answer within 1 s is counted apart (it is not a DNS change); it
  # must not end the run (set -e, pipefail), as it once did after 230 and 590 s.
  if ans=$(dig +short +tries=1 +time=1 @$SRV -p $DNS login.soak.test A 2>/dev/null | head -1) &&
    [ -n "$ans" ]; then
    [ "$ans" = 127.0.0.2 ] || bad_answers=$((bad_answers + 1))
  else
    ans="" unanswered=$((unanswered + 1))
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  for v in v1 v2; do
    pid=$PID1; [ $v = v2 ] && pid=$PID2
    kill -0 "$pid" 2>/dev/null || dead+=" $v"
    row=$(sample $t $v $pid)
    echo -e "$row\t${ans:-none}\t$(metric $v steer_leader)\t$load" >> "$OUT/samples.tsv"
  done
  [ $t -ge $TOTAL ] && break
  next=$(((t / 10 + 1) * 10))
  [ $next -gt $TOTAL ] && next=$TOTAL
  while [ $(($(date +%s) - start)) -lt $next ]; do sleep 0.5; done
done
cp "$D"/v*/policy.yaml "$OUT/" 2>/dev/null || true
for v in v1 v2; do
  cp "$D/$v/steerd.log" "$OUT/$v.steerd.log"
  scrape $v && cp "$D/$v.metrics" "$OUT/$v.metrics"
done
sqlite3 -separator ' ' "file:$D/v1/state/state.db?mode=ro" 'SELECT at_ms, kind, service, what, why FROM audit' > "$OUT/v1.audit" 2>/dev/null || true
sqlite3 -separator ' ' "file:$D/v2/state/state.db?mode=ro" 'SELECT at_ms, kind, service, what, why FROM audit' > "$OUT/v2.audit" 2>/dev/null || true

python3 - "$OUT/samples.tsv" "$HZ" "$bad_answers" "$dead" "$CUT_AT" "$HEAL_AT" "$unanswered" <<'PY'
import csv, sys
path, hz, bad, dead, cut, heal = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), int(sys.argv[5]), int(sys.argv[6])
unanswered = int(sys.argv[7])
rows = list(csv.DictReader(open(path), delimiter="\t"))
fails = []
print("| vantage | RSS after warm-up → end | growth | fds start → end | probes | failed | CPU-µs/probe | decisions | failovers | audit rows | leader at end |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for v in ("v1", "v2"):
    r = [x for x in rows if x["vantage"] == v]
    w = next(x for x in r if int(x["t"]) >= 60) if len(r) > 6 else r[0]
    e = r[-1]
    g = (int(e["rss_kb"]) - int(w["rss_kb"])) / max(1, int(w["rss_kb"])) * 100
    probes = int(e["probes"]) - int(w["probes"])
    cpu = (int(e["cpu_ticks"]) - int(w["cpu_ticks"])) / hz
    fo = int(e["failovers"])
    print(f"| {v} | {int(w['rss_kb'])/1024:.1f} → {int(e['rss_kb'])/1024:.1f} MB | {g:+.1f} % "
          f"| {w['fds']} → {e['fds']} (max {max(int(x['fds']) for x in r)}) | {int(e['probes']):,} | {int(e['failed']):,} "
          f"| {cpu * 1e6 / max(1, probes):.1f} | {e['decisions']} | {fo} | {e['audit_rows']} | {e['leader']} |")
    if g >= 5: fails.append(f"{v}: RSS grew {g:.1f} % (goal < 5 %)")
    if fo: fails.append(f"{v}: {fo} failover decisions (goal 0)")
if bad: fails.append(f"{bad} samples where PowerDNS did not answer 127.0.0.2")
if dead: fails.append("steerd died: " + " ".join(sorted(set(dead))))
loads = [float(x["load1"]) for x in rows]
print(f"\npartition of v1: {cut}-{heal} s; samples with a wrong answer: {bad}; unanswered "
      f"(PowerDNS silent for 1 s): {unanswered}; load average (1 min) "
      f"{min(loads):.2f}-{max(loads):.2f}, median {sorted(loads)[len(loads)//2]:.2f} (2 vCPUs, shared)")
for f in fails: print("GOAL FAILED:", f)
sys.exit(1 if fails else 0)
PY
