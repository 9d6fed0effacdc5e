# Shared by crash_consistency.sh and disk_faults.sh (sourced, after `build` and `here` are set):
# one steerd (local coordination, 100 ms probes, automatic failback) steering login.crash.test.
# between region a (127.0.0.2) and b (127.0.0.3) on a real PowerDNS whose API it reaches through
# steer_write_recorder (every write request and its status, in order, in $D/writes.jsonl). One
# nginx serves both backends; region a answers 503 while $D/cut-a exists. Every write is held
# 150 ms at the recorder. STATE (default $D/state) is steerd's state directory; a caller may
# set prepare_state to a function run once $STATE exists (before steerd) and on_cleanup to one
# run before $D is removed. PROBE (the probes' settings) and BACKEND_DELAY (below) may be set by
# the caller. Loopback, free ports, stopped by PID.
# shellcheck shell=bash
steerd=$build/agent/steerd
recorder=$build/tests/fault/steer_write_recorder
for tool in pdns_server nginx sqlite3 dig python3; do
  command -v "$tool" >/dev/null || { echo "$tool missing: run scripts/setup" >&2; exit 1; }
done
D=$(mktemp -d /tmp/steer-fault1.XXXXXX)
PIDS=()
steerd_pid=""
cleanup() {
  [ -n "$steerd_pid" ] && kill -9 "$steerd_pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${on_cleanup:-}" ] && "$on_cleanup"
  if [ "${STEER_FAULT_KEEP:-0}" = 1 ]; then echo "kept $D"; else rm -rf "$D"; fi
}
# shellcheck source=scripts/lib/proc.sh
. "$here/../../scripts/lib/proc.sh"
on_exit cleanup

DNS_PORT=$(free_port) PAPI=$(free_port) WEB=$(free_port) API=$(free_port)
KEY=crash$RANDOM$RANDOM

# PowerDNS (gsqlite3) with the zone and login at region a.
sqlite3 "$D/pdns.db" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
cat > "$D/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$D/pdns.db
local-address=127.0.0.1
local-port=$DNS_PORT
api=yes
api-key=$KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$PAPI
webserver-allow-from=127.0.0.0/8
socket-dir=$D
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
CONF
pdns_server --config-dir="$D" --daemon=no --guardian=no --disable-syslog >"$D/pdns.log" 2>&1 &
PIDS+=($!)
papi() { curl -sf -H "X-API-Key: $KEY" -X "$1" "http://127.0.0.1:$PAPI/api/v1/servers/localhost/zones$2" -d "$3" >/dev/null; }
for _ in $(seq 100); do papi GET "" "" && break; sleep 0.1; done
papi POST "" '{"name":"crash.test.","kind":"Native","nameservers":["ns1.crash.test."]}'
papi PATCH /crash.test. '{"rrsets":[{"name":"login.crash.test.","type":"A","ttl":1,"changetype":"REPLACE","records":[{"content":"127.0.0.2","disabled":false}]}]}'

# Backends: one nginx on 127.0.0.2 and 127.0.0.3; a answers 503 while $D/cut-a exists. With
# BACKEND_DELAY (seconds, e.g. 0.1) each answer comes that late (nginx-light's echo module).
ok_answer='return 200 "ok\n";' modules=""
if [ -n "${BACKEND_DELAY:-}" ]; then
  ok_answer="echo_sleep $BACKEND_DELAY; echo ok;"
  modules="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
fi
cat > "$D/nginx.conf" <<CONF
$modules
daemon off; master_process off; pid $D/nginx.pid; error_log $D/nginx.err;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $D; proxy_temp_path $D; fastcgi_temp_path $D;
  uwsgi_temp_path $D; scgi_temp_path $D;
  server { listen 127.0.0.2:$WEB; location /healthz { if (-f $D/cut-a) { return 503; } $ok_answer } }
  server { listen 127.0.0.3:$WEB; location /healthz { $ok_answer } } }
CONF
nginx -c "$D/nginx.conf" -p "$D" >"$D/nginx.out" 2>&1 &
PIDS+=($!)

# The recorder in front of the PowerDNS API (no etcd here: a refused endpoint, leader unknown).
"$recorder" --upstream "http://127.0.0.1:$PAPI" --etcd http://127.0.0.1:1 --log "$D/writes.jsonl" \
  --listen 127.0.0.1:0 --port-file "$D/recorder.port" --writer crash=127.0.0.1 \
  >"$D/recorder.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$D/recorder.port" ] && break; sleep 0.05; done
REC=$(cat "$D/recorder.port")
# Every write is held 150 ms on its way to PowerDNS: long enough to kill steerd in flight, short
# enough to land before a restarted steerd can judge the backends (3 probes of 100 ms).
curl -sf -X POST "http://127.0.0.1:$REC/_recorder/fault" -d '{"writer":"crash","hold_ms":150}' >/dev/null

STATE=${STATE:-$D/state}
mkdir -p "$STATE"
[ -z "${prepare_state:-}" ] || "$prepare_state"
echo "ops:crash-token-0123456789abcdef" > "$D/tokens"
PROBE=${PROBE:-"interval: 100ms, timeout: 90ms, healthy_threshold: 2, unhealthy_threshold: 3"}
cat > "$D/policy.yaml" <<YAML
version: 1
agent: {vantage: crash, listen: "127.0.0.1:$API", state_dir: $STATE, tick: 20ms}
providers:
  pdns: {type: powerdns, api_url: "http://127.0.0.1:$REC", api_key: env:CRASH_PDNS_KEY, timeout: 1s}
regions:
  a: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.2:$WEB/healthz", $PROBE}]}}}
  b: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.3:$WEB/healthz", $PROBE}]}}}
services:
  login:
    dns_name: login.crash.test.
    zone: crash.test.
    ttl: 1
    provider: pdns
    regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    failback: auto
    failback_after: 300ms
    safety: {max_changes_per_hour: 0}
    nameservers: ["127.0.0.1:$DNS_PORT"]
    propagation_timeout: 5s
YAML

start_steerd() {
  CRASH_PDNS_KEY=$KEY "$steerd" --config "$D/policy.yaml" --token-file "$D/tokens" \
    --log-level info >>"$D/steerd.log" 2>&1 &
  steerd_pid=$!
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$API/api/v1/status" | grep -q '"deciding":true' && return
    kill -0 "$steerd_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "steerd did not start deciding:" >&2; tail -20 "$D/steerd.log" >&2; exit 1
}
intents() { sqlite3 "$STATE/state.db" "SELECT count(*) FROM audit WHERE kind = 'dns_intent'" 2>/dev/null || echo 0; }
event() { echo "{\"t_ms\": $(date +%s%3N), \"event\": \"$1\"}" >> "$D/events.jsonl"; }
answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$DNS_PORT" login.crash.test. A | head -1; }

