# Shared by bench/failover/run.sh (latency) and noise.sh (false failovers): one steerd (or two,
# with different retries) writing PowerDNS x2 over its API, PowerDNS's own Lua ifurlup record on
# a third PowerDNS as the peer, and nginx backends for regions a (127.0.0.2) and b (127.0.0.3).
# Loopback only; every process is stopped by PID on exit. Sourced from the repository root.
# shellcheck shell=bash
set -euo pipefail
. scripts/lib/proc.sh
D=$(mktemp -d /tmp/steer-bench-failover.XXXXXX)
PIDS=()
cleanup() {
  stop_pids "${PIDS[@]}"
  rm -rf "$D"
}
on_exit cleanup
KEY=benchkey$RANDOM$RANDOM
BPORT=18480  # backends: 127.0.0.2:BPORT (region a) and 127.0.0.3:BPORT (region b)
POLL=${POLL:-build/bench/failover/steer-dns-poll}
# The probe every steerd here runs: a 100 ms interval, 3 consecutive failures to go down, 2
# successes to come back; the timeout is half the interval, the ratio of the defaults (1s/500ms).
PROBE="interval: 100ms, timeout: 50ms, healthy_threshold: 2, unhealthy_threshold: 3"

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

backend() {  # backend IP [FAIL_PERCENT]: single-process nginx; prints its PID
  local dir=$D/nginx-$1 fail=${2:-0} pid
  mkdir -p "$dir"
  # With FAIL_PERCENT, that share of requests, drawn at random per request, gets a 503.
  local split="" check=""
  if [ "$fail" != 0 ]; then
    split="split_clients \"\${request_id}\" \$fail { $fail% 1; * 0; }"
    check="if (\$fail) { return 503; }"
  fi
  cat > "$dir/nginx.conf" <<CONF
daemon off; master_process off; pid $dir/pid; error_log $dir/error.log;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
  uwsgi_temp_path $dir; scgi_temp_path $dir; $split
  server { listen $1:$BPORT; location /healthz { $check return 200 "ok\n"; } } }
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/stderr" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -so /dev/null "http://$1:$BPORT/healthz" && { echo "$pid"; return; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  echo "nginx on $1 did not start: $(cat "$dir/stderr")" >&2; exit 1
}

api() { curl -sf -H "X-API-Key: $KEY" -X "$2" "http://127.0.0.1:$1/api/v1/servers/localhost/zones$3" -d "$4" >/dev/null; }
answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$1" "$2" A 2>/dev/null | head -1; }

start_dns() {  # PowerDNS s1+s2 (steerd's zones) on 15401/15402, the peer on 15403
  sqlite3 "$D/steer.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  sqlite3 "$D/peer.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  pdns s1 15401 18491 "" "$D/steer.db"
  pdns s2 15402 18492 "" "$D/steer.db"
  pdns peer 15403 18493 "enable-lua-records=yes
lua-health-checks-interval=1" "$D/peer.db"
  api 18493 POST "" '{"name":"peer.test.","kind":"Native","nameservers":["ns1.peer.test."]}'
  api 18493 PATCH /peer.test. "{\"rrsets\":[{\"name\":\"login.peer.test.\",\"type\":\"LUA\",\"ttl\":1,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"A \\\"ifurlup('http://login.peer.test:$BPORT/healthz', {{'127.0.0.2'}, {'127.0.0.3'}}, {timeout=1})\\\"\",\"disabled\":false}]}]}"
}

# A 3-member etcd cluster on loopback (AGENTS=3): clients on ETCD_PORT0, +2, +4, peers on +1,
# +3, +5; data in $D/etcd-N.
ETCD_PORT0=${ETCD_PORT0:-24379}
ETCD_ENDPOINTS="http://127.0.0.1:$ETCD_PORT0, http://127.0.0.1:$((ETCD_PORT0 + 2)), http://127.0.0.1:$((ETCD_PORT0 + 4))"
start_etcd() {
  local cluster="" i c p
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$((ETCD_PORT0 + 2 * i - 1))"; done
  for i in 1 2 3; do
    c=$((ETCD_PORT0 + 2 * i - 2)) p=$((ETCD_PORT0 + 2 * i - 1))
    etcd --name "e$i" --data-dir "$D/etcd-$i" --listen-client-urls "http://127.0.0.1:$c" \
      --advertise-client-urls "http://127.0.0.1:$c" --listen-peer-urls "http://127.0.0.1:$p" \
      --initial-advertise-peer-urls "http://127.0.0.1:$p" --initial-cluster "$cluster" \
      --initial-cluster-token steer-bench --initial-cluster-state new >"$D/etcd-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$ETCD_PORT0/health" | grep -q true && return; sleep 0.1; done
  echo "etcd did not start: $(tail -3 "$D/etcd-1.log")" >&2; exit 1
}

start_dns_multi() {  # PowerDNS m1+m2 on 15404/15405 (one database, API on m1) for AGENTS=3
  sqlite3 "$D/multi.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  pdns m1 15404 18494 "" "$D/multi.db"
  pdns m2 15405 18495 "" "$D/multi.db"
}

# start_steerd NAME ZONE API_PORT RETRIES [VANTAGE]: a steerd steering login.ZONE on s1+s2.
# With VANTAGE, one of several agents (on m1+m2): coordination etcd (start_etcd and
# start_dns_multi first), lease_ttl 2s, quorum 2; the zone is created by the first of them.
# Its PID is in $D/NAME/pid. With STATUS_PORT set, it also serves the public status page on
# 127.0.0.1:STATUS_PORT.
start_steerd() {
  local n=$1 zone=$2 port=$3 retries=$4 vantage=${5:-bench}
  local coordination="{mode: local}" quorum=""
  if [ -n "${5:-}" ]; then
    coordination="{mode: etcd, etcd: {endpoints: [$ETCD_ENDPOINTS], prefix: /steer/$zone/, lease_ttl: 2s}}"
    quorum="    quorum: 2"
  fi
  # Several agents write to their own PowerDNS pair (m1+m2, start_dns_multi): two systems
  # failing over at the same moment on one SQLite database get HTTP 500s (database locked).
  local papi=18491 ns='"127.0.0.1:15401", "127.0.0.1:15402"'
  [ -n "${5:-}" ] && papi=18494 ns='"127.0.0.1:15404", "127.0.0.1:15405"'
  api $papi POST "" "{\"name\":\"$zone.\",\"kind\":\"Native\",\"nameservers\":[\"ns1.$zone.\"]}" ||
    [ -n "${5:-}" ]  # several agents: the zone exists after the first
  api $papi PATCH "/$zone." "{\"rrsets\":[{\"name\":\"login.$zone.\",\"type\":\"A\",\"ttl\":1,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"127.0.0.2\",\"disabled\":false}]}]}"
  mkdir -p "$D/$n/state"
  echo "bench:bench-token-0123456789abcdef" > "$D/$n/tokens"
  cat > "$D/$n/policy.yaml" <<YAML
version: 1
agent: {vantage: $vantage, listen: "127.0.0.1:$port", state_dir: $D/$n/state, tick: 20ms}
coordination: $coordination
providers:
  pdns: {type: powerdns, api_url: "http://127.0.0.1:$papi", api_key: env:BENCH_PDNS_KEY}
regions:
  a: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.2:$BPORT/healthz", $PROBE, retries: $retries}]}}}
  b: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.3:$BPORT/healthz", $PROBE, retries: $retries}]}}}
services:
  login:
    dns_name: login.$zone.
    zone: $zone.
    ttl: 1
    provider: pdns
    regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    failback: auto
    failback_after: 500ms
    safety: {max_changes_per_hour: 0}
    nameservers: [$ns]
    propagation_timeout: 5s
$quorum
YAML
  [ -n "${STATUS_PORT:-}" ] && echo "status: {listen: \"127.0.0.1:$STATUS_PORT\"}" >> "$D/$n/policy.yaml"
  BENCH_PDNS_KEY=$KEY "${STEERD:-build/agent/steerd}" --config "$D/$n/policy.yaml" \
    --token-file "$D/$n/tokens" --log-level "${LOG_LEVEL:-warn}" >>"$D/$n/steerd.log" 2>&1 &
  PIDS+=($!)
  echo $! > "$D/$n/pid"
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/api/v1/status" | grep -q '"deciding":true' && return
    sleep 0.1
  done
  echo "steerd $n did not start deciding" >&2; exit 1
}
