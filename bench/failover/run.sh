#!/usr/bin/env bash
# bench/failover: time from cutting region A off to every authoritative server answering B,
# for steerd (100 ms probe interval, 3 consecutive failures, hysteresis kept) and, in the same
# run against the same backends, PowerDNS's own Lua ifurlup record (lua-health-checks-interval=1)
# as the peer. Modes: crash (SIGKILL: connection refused) and hang (SIGSTOP).
#
#   bench/failover/run.sh [RUNS]      (default 20 per mode; needs build/agent/steerd)
#
#   MODES="crash hang" (default both)
# Loopback only. Answers are watched by steer-dns-poll (build/bench/failover): one process
# asking every server every 2 ms, so figures have ~3 ms resolution and the measurement does not
# compete with the systems under test for CPU. Every process is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-20}
D=$(mktemp -d /tmp/steer-bench-failover.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$D"
}
trap cleanup EXIT INT TERM
KEY=benchkey$RANDOM$RANDOM
BPORT=18480  # backends: 127.0.0.2:BPORT (region a) and 127.0.0.3:BPORT (region b)

pdns() {  # pdns NAME DNS_PORT API_PORT EXTRA_CONF DB
  local n=$1
  mkdir -p "$D/$n"
  cat > "$D/$n/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$5
local-address=127.0.0.1
local-port=$2
api=yes
api-key=$KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$3
webserver-allow-from=127.0.0.0/8
socket-dir=$D/$n
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
$4
CONF
  pdns_server --config-dir="$D/$n" --daemon=no --guardian=no --disable-syslog >"$D/$n/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$3/api/v1/servers" >/dev/null && return; sleep 0.1; done
  echo "pdns $n did not start" >&2; exit 1
}

backend() {  # backend IP: single-process nginx; prints its PID
  local dir=$D/nginx-$1
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
daemon off; master_process off; pid $dir/pid; error_log $dir/error.log;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
  uwsgi_temp_path $dir; scgi_temp_path $dir;
  server { listen $1:$BPORT; location /healthz { return 200 "ok\n"; } } }
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
  echo $!
}

answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$1" "$2" A 2>/dev/null | head -1; }
POLL=${POLL:-build/bench/failover/steer-dns-poll}

sqlite3 "$D/steer.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
sqlite3 "$D/peer.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
pdns s1 15401 18491 "" "$D/steer.db"
pdns s2 15402 18492 "" "$D/steer.db"
pdns peer 15403 18493 "enable-lua-records=yes
lua-health-checks-interval=1" "$D/peer.db"
api() { curl -sf -H "X-API-Key: $KEY" -X "$2" "http://127.0.0.1:$1/api/v1/servers/localhost/zones$3" -d "$4" >/dev/null; }
api 18491 POST "" '{"name":"demo.test.","kind":"Native","nameservers":["ns1.demo.test."]}'
api 18491 PATCH /demo.test. '{"rrsets":[{"name":"login.demo.test.","type":"A","ttl":1,"changetype":"REPLACE","records":[{"content":"127.0.0.2","disabled":false}]}]}'
api 18493 POST "" '{"name":"peer.test.","kind":"Native","nameservers":["ns1.peer.test."]}'
api 18493 PATCH /peer.test. "{\"rrsets\":[{\"name\":\"login.peer.test.\",\"type\":\"LUA\",\"ttl\":1,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"A \\\"ifurlup('http://login.peer.test:$BPORT/healthz', {{'127.0.0.2'}, {'127.0.0.3'}}, {timeout=1})\\\"\",\"disabled\":false}]}]}"

A=$(backend 127.0.0.2); PIDS+=("$A")
B=$(backend 127.0.0.3); PIDS+=("$B")
mkdir -p "$D/state"
echo "bench:bench-token-0123456789abcdef" > "$D/tokens"
cat > "$D/policy.yaml" <<YAML
version: 1
agent: {vantage: bench, listen: "127.0.0.1:19453", state_dir: $D/state, tick: 20ms}
coordination: {mode: local}
providers:
  pdns: {type: powerdns, api_url: "http://127.0.0.1:18491", api_key: env:BENCH_PDNS_KEY}
regions:
  a: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.2:$BPORT/healthz", interval: 100ms, timeout: 90ms, healthy_threshold: 2, unhealthy_threshold: 3}]}}}
  b: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.3:$BPORT/healthz", interval: 100ms, timeout: 90ms, healthy_threshold: 2, unhealthy_threshold: 3}]}}}
services:
  login:
    dns_name: login.demo.test.
    zone: demo.test.
    ttl: 1
    provider: pdns
    regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    failback: auto
    failback_after: 500ms
    safety: {max_changes_per_hour: 0}
    nameservers: ["127.0.0.1:15401", "127.0.0.1:15402"]
    propagation_timeout: 5s
YAML
BENCH_PDNS_KEY=$KEY "${STEERD:-build/agent/steerd}" --config "$D/policy.yaml" --token-file "$D/tokens" \
  --log-level warn >"$D/steerd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:19453/api/v1/status | grep -q '"deciding":true' && break; sleep 0.1; done

run_mode() {  # run_mode crash|hang -> lines "steer SECONDS" and "peer SECONDS"
  local mode=$1 i
  for i in $(seq "$RUNS"); do
    # Everyone back on a first (steer fails back after 500 ms of health; the peer at its check).
    for p in 15401 15402; do while [ "$(answer $p login.demo.test)" != 127.0.0.2 ]; do sleep 0.05; done; done
    while [ "$(answer 15403 login.peer.test)" != 127.0.0.2 ]; do sleep 0.05; done
    sleep "0.$((RANDOM % 1000))"  # cuts don't line up with either checker's cycle
    t0=$(date +%s.%N)
    if [ "$mode" = crash ]; then kill -9 "$A"; else kill -STOP "$A"; fi
    "$POLL" until 127.0.0.3 127.0.0.1:15401/login.demo.test 127.0.0.1:15402/login.demo.test \
      127.0.0.1:15403/login.peer.test | tr '\n' ' ' > "$D/t"
    echo "steer $(awk -v t0="$t0" '{m=$1>$2?$1:$2; printf "%.3f", m-t0}' "$D/t")"
    echo "peer $(awk -v t0="$t0" '{printf "%.3f", $3-t0}' "$D/t")"
    if [ "$mode" = crash ]; then A=$(backend 127.0.0.2); PIDS+=("$A"); else kill -CONT "$A"; fi
  done
}

pct() {  # pct P < values: nearest-rank percentile
  sort -n | awk -v p="$1" '{v[NR]=$1} END {r=int((p/100)*NR+0.999999); if (r<1) r=1; print v[r]}'
}

echo "# bench/failover: $RUNS runs per mode; seconds from the cut to every server answering B"
printf "%-6s %-6s %8s %8s %8s\n" mode system p50 p99 max
for mode in ${MODES:-crash hang}; do
  run_mode "$mode" > "$D/$mode.txt"; [ -n "${DUMP:-}" ] && { cp "$D/$mode.txt" "$DUMP.$mode"; curl -s "http://127.0.0.1:19453/api/v1/history?limit=500" > "$DUMP.$mode.history"; }
  for sys in steer peer; do
    vals=$(awk -v s=$sys '$1==s {print $2}' "$D/$mode.txt")
    printf "%-6s %-6s %8s %8s %8s\n" "$mode" "$sys" "$(echo "$vals" | pct 50)" \
      "$(echo "$vals" | pct 99)" "$(echo "$vals" | pct 100)"
  done
done
