#!/usr/bin/env bash
# Issue #12 fault suite: three steerd agents (vantages a, b, c), each in a network namespace of
# its own, coordinated through a 3-member etcd cluster, write DNS to PowerDNS through
# steer_write_recorder; faults are injected and, at the end, `steer_write_recorder check` must
# find no write by a non-leader, no token going backwards and no flip-flop.
#
# Topology (fixed names and addresses: ctest runs it under RESOURCE_LOCK steer_fault_netns):
#   root namespace, veth steerf0:         10.77.0.1       PowerDNS DNS :53 and API :8082,
#                                                         recorder (agents' api_url) :8081
#                                         10.77.0.2-4     etcd members e1-e3 (:2379, peers :2380)
#                                         10.77.0.20      region "b" (the backup, nginx :8080)
#                                         10.77.(100+R).S region "pS" (primary of service sS in
#                                                         repeat R, nginx :8080)
#   namespace steerf-X (X = a, b, c; N = 1, 2, 3): veth 10.77.N.2/24 <-> 10.77.N.1/24 in root,
#   default route via 10.77.N.1; steerd of vantage X, API on 10.77.N.2:9053.
# Every scenario S has its own service sS.fault.test. with its own primary region pS and the
# shared backup b, so scenarios never undo each other and a failover never needs a failback.
# Faults: `ip route add prohibit ADDR/32` in an agent's namespace (connect fails at once: nft
# and iptables are not installed here), SIGSTOP/SIGCONT/SIGKILL of steerd and of etcd members.
# Scenarios (numbers of the issue): 2 two of three vantages lose their primary -> one failover
# by the leader; 1 one vantage loses it -> nothing; 3 the leader loses etcd -> new leader within
# TTL + margin, the old one writes nothing; 4 leader SIGSTOP > TTL during a failover, SIGCONT ->
# no stale write; 7 a pause set through a follower survives the leader's kill -9; 5 kill -9 of
# the leader during a failover -> completed exactly once; 8 a pending write of a leader
# SIGSTOPped past its TTL is refused by the fence after SIGCONT; 6 one etcd member stopped ->
# nothing changes, etcd majority lost -> frozen,
# nothing written; majority back -> the failover happens once.
# STEER_FAULT_REPEAT (default 1, at most 20) runs every scenario that many times, each with a
# random delay before the fault where timing matters (4, 5).
# Needs root; exits 77 (skipped) otherwise.
#
# Usage: etcd_faults.sh BINARY_DIR
set -euo pipefail

bin=$1
REPEAT=${STEER_FAULT_REPEAT:-1}
[[ "$REPEAT" =~ ^[0-9]+$ ]] && [ "$REPEAT" -ge 1 ] && [ "$REPEAT" -le 20 ] ||
  { echo "STEER_FAULT_REPEAT must be 1..20" >&2; exit 2; }
AGENTS=(a b c)
PREFIX=/steer/fault/
ETCD=(10.77.0.2 10.77.0.3 10.77.0.4)
SVC=10.77.0.1
BACKUP=10.77.0.20
TTL_S=2
say() { echo "[$(date +%T.%3N)] etcd_faults: $*"; }

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v etcd >/dev/null ||
  ! command -v pdns_server >/dev/null || ! command -v nginx >/dev/null ||
  ! command -v dig >/dev/null || ! command -v jq >/dev/null; then
  say "SKIP: needs root, ip, etcd, pdns_server, nginx, dig and jq"
  exit 77
fi

tmp=$(mktemp -d /tmp/steer-etcd-faults.XXXXXX)
declare -A PID=()  # name -> pid of every process this script started
cleanup() {
  local name
  for name in "${!PID[@]}"; do kill -CONT "${PID[$name]}" 2>/dev/null || true; done
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
  sleep 0.5
  for name in "${!PID[@]}"; do kill -9 "${PID[$name]}" 2>/dev/null || true; done
  for x in "${AGENTS[@]}"; do
    for pid in $(ip netns pids "steerf-$x" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "steerf-$x" 2>/dev/null || true
    ip link delete "steerf-$x" 2>/dev/null || true
  done
  ip link delete steerf0 2>/dev/null || true
  if [ "${STEER_FAULT_KEEP:-}" = 1 ]; then say "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  say "FAIL: $*"
  for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 25 "$f"; }; done
  echo "--- writes"; cat "$tmp/writes.jsonl" 2>/dev/null || true
  exit 1
}

wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# ---- network ------------------------------------------------------------------------------
setup_net() {
  # A veth pair inside the root namespace holds the servers' addresses (no dummy module here).
  ip link add steerf0 type veth peer name steerf0p
  ip link set steerf0 up
  ip link set steerf0p up
  local a r s
  for a in "$SVC" "${ETCD[@]}" "$BACKUP"; do ip addr add "$a/32" dev steerf0; done
  for ((r = 0; r < REPEAT; r++)); do
    for s in 1 2 3 4 5 6 7 8; do ip addr add "$(primary_addr "$r" "$s")/32" dev steerf0; done
  done
  local n=1 x
  for x in "${AGENTS[@]}"; do
    ip netns add "steerf-$x"
    ip link add "steerf-$x" type veth peer name eth0 netns "steerf-$x"
    ip addr add "10.77.$n.1/24" dev "steerf-$x"
    ip link set "steerf-$x" up
    ip -n "steerf-$x" link set lo up
    ip -n "steerf-$x" addr add "10.77.$n.2/24" dev eth0
    ip -n "steerf-$x" link set eth0 up
    ip -n "steerf-$x" route add default via "10.77.$n.1"
    n=$((n + 1))
  done
}
primary_addr() { echo "10.77.$((100 + $1)).$2"; }
agent_ip() { case $1 in a) echo 10.77.1.2 ;; b) echo 10.77.2.2 ;; c) echo 10.77.3.2 ;; esac; }
cut() {  # cut AGENT ADDR...: the agent's connects to ADDR fail at once
  local x=$1 a
  shift
  for a in "$@"; do ip -n "steerf-$x" route replace prohibit "$a/32"; done
}
heal() {  # heal AGENT ADDR...
  local x=$1 a
  shift
  for a in "$@"; do ip -n "steerf-$x" route delete prohibit "$a/32" 2>/dev/null || true; done
}

# ---- servers in the root namespace --------------------------------------------------------
start_etcd() {
  local cluster="" i
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://${ETCD[$((i - 1))]}:2380"; done
  for i in 1 2 3; do
    local ip=${ETCD[$((i - 1))]}
    etcd --name "e$i" --data-dir "$tmp/etcd-$i" --listen-client-urls "http://$ip:2379" \
      --advertise-client-urls "http://$ip:2379" --listen-peer-urls "http://$ip:2380" \
      --initial-advertise-peer-urls "http://$ip:2380" --initial-cluster "$cluster" \
      --initial-cluster-token steer-fault --initial-cluster-state new >"$tmp/etcd-$i.log" 2>&1 &
    PID[etcd-$i]=$!
  done
  wait_for 30 bash -c "curl -sf -m 1 http://${ETCD[0]}:2379/health | grep -q true" ||
    fail "etcd did not start"
}

start_regions() {  # one nginx answers 200 on every region address
  local listen="    listen $BACKUP:8080;" r s
  for ((r = 0; r < REPEAT; r++)); do
    for s in 1 2 3 4 5 6 7 8; do listen+=$'\n'"    listen $(primary_addr "$r" "$s"):8080;"; done
  done
  mkdir -p "$tmp/nginx"
  cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server {
$listen
    location / { return 200 "ok\n"; }
  }
}
EOF
  nginx -e "$tmp/nginx.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
  PID[nginx]=$!
  wait_for 10 curl -sf -m 1 "http://$BACKUP:8080/" || fail "nginx did not start"
}

zone_rrset() {  # zone_rrset NAME ADDR: one PATCH rrset
  printf '{"name":"%s","type":"A","ttl":30,"changetype":"REPLACE","records":[{"content":"%s","disabled":false}]}' "$1" "$2"
}
start_pdns() {
  export PDNS_API_KEY=fault-pdns-key-0123456789
  sqlite3 "$tmp/pdns.db" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  cat >"$tmp/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$tmp/pdns.db
local-address=$SVC
local-port=53
api=yes
api-key=$PDNS_API_KEY
webserver=yes
webserver-address=$SVC
webserver-port=8082
webserver-allow-from=$SVC/32
socket-dir=$tmp
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
EOF
  pdns_server --config-dir="$tmp" --daemon=no --guardian=no --disable-syslog --write-pid=no \
    >"$tmp/pdns.log" 2>&1 &
  PID[pdns]=$!
  local url=http://$SVC:8082/api/v1/servers/localhost/zones
  wait_for 15 curl -sf -H "X-API-Key: $PDNS_API_KEY" "$url" || fail "PowerDNS did not start"
  curl -sf -H "X-API-Key: $PDNS_API_KEY" -X POST "$url" \
    -d '{"name":"fault.test.","kind":"Native","nameservers":["ns1.fault.test."]}' >/dev/null ||
    fail "cannot create the zone"
  local rrsets r s
  rrsets=$(zone_rrset ns1.fault.test. "$SVC")
  for ((r = 0; r < REPEAT; r++)); do
    for s in 1 2 3 4 5 6 7 8; do rrsets+=",$(zone_rrset "$(svc_name "$r" "$s")" "$(answer "$r" "$s")")"; done
  done
  curl -sf -H "X-API-Key: $PDNS_API_KEY" -X PATCH "$url/fault.test." -d "{\"rrsets\":[$rrsets]}" ||
    fail "cannot fill the zone"
}
svc_name() { echo "s$2r$1.fault.test."; }
answer() { echo "10.77.$((150 + $1)).$2"; }  # the primary's DNS answer (never contacted)
BACKUP_ANSWER=10.77.149.1

start_recorder() {
  local writers=() x
  for x in "${AGENTS[@]}"; do writers+=(--writer "$x=$(agent_ip "$x")"); done
  "$bin/tests/fault/steer_write_recorder" --upstream "http://$SVC:8082" \
    --etcd "http://${ETCD[0]}:2379" --etcd "http://${ETCD[1]}:2379" --etcd "http://${ETCD[2]}:2379" \
    --log "$tmp/writes.jsonl" --listen "$SVC:8081" --leader-key "${PREFIX}leader" \
    "${writers[@]}" >"$tmp/recorder.log" 2>&1 &
  PID[recorder]=$!
  wait_for 10 bash -c "exec 3<>/dev/tcp/$SVC/8081" || fail "the recorder did not start"
}

# ---- agents -------------------------------------------------------------------------------
write_policy() {  # write_policy AGENT
  local x=$1 f="$tmp/policy-$1.yaml" r s
  cat >"$f" <<YAML
version: 1
agent:
  vantage: $x
  listen: $(agent_ip "$x"):9053
  # The API is on the agent's address in its own namespace, reached only over the suite's
  # veth links: plain HTTP there is the documented opt-out, not a production setting.
  insecure_plain_http: true
  state_dir: $tmp/state-$x
  tick: 100ms
coordination:
  mode: etcd
  etcd:
    endpoints: [http://${ETCD[0]}:2379, http://${ETCD[1]}:2379, http://${ETCD[2]}:2379]
    prefix: $PREFIX
    lease_ttl: ${TTL_S}s
providers:
  pdns:
    type: powerdns
    api_url: http://$SVC:8081
    api_key: env:PDNS_API_KEY
regions:
YAML
  region_yaml b "$BACKUP" >>"$f"
  for ((r = 0; r < REPEAT; r++)); do
    for s in 1 2 3 4 5 6 7 8; do region_yaml "p${s}r$r" "$(primary_addr "$r" "$s")" >>"$f"; done
  done
  echo "services:" >>"$f"
  for ((r = 0; r < REPEAT; r++)); do
    for s in 1 2 3 4 5 6 7 8; do
      cat >>"$f" <<YAML
  s${s}r$r:
    dns_name: $(svc_name "$r" "$s")
    zone: fault.test.
    ttl: 30
    provider: pdns
    regions:
      - region: p${s}r$r
        answers: [$(answer "$r" "$s")]
      - region: b
        answers: [$BACKUP_ANSWER]
    min_change_interval: 0ms
    block_after_failover: 0ms
    safety: {max_changes_per_hour: 100}
    failback: manual
    nameservers: ["$SVC:53"]
    propagation_timeout: 10s
    quorum: 2
YAML
    done
  done
}
region_yaml() {  # region_yaml NAME ADDR
  cat <<YAML
  $1:
    components:
      web:
        probes:
          - name: up
            type: http
            url: http://$2:8080/
            interval: 100ms
            # Cuts fail connects at once (prohibit routes), so the timeout only decides whether
            # a CPU-starved host (two cores shared by three agents, three etcd members,
            # PowerDNS and nginx) reads as a down region: 50 ms did, under a parallel build.
            timeout: 90ms
            healthy_threshold: 2
            unhealthy_threshold: 3
            retries: 1
YAML
}

start_agent() {  # start_agent AGENT
  local x=$1
  mkdir -p "$tmp/state-$x"
  ip netns exec "steerf-$x" "$bin/agent/steerd" --config "$tmp/policy-$x.yaml" \
    --token-file "$tmp/tokens" >>"$tmp/steerd-$x.log" 2>&1 &
  PID[steerd-$x]=$!
  wait_for 20 curl -sf -m 1 "http://$(agent_ip "$x"):9053/healthz" ||
    fail "steerd $x did not start"
}

# ---- observations -------------------------------------------------------------------------
etcd_leader() {  # prints "VANTAGE TOKEN" of the leader key (nothing: no leader), any member
  local key e out
  key=$(printf '%s' "${PREFIX}leader" | base64 -w0)
  for e in "${ETCD[@]}"; do
    out=$(curl -sf -m 1 -X POST "http://$e:2379/v3/kv/range" -d "{\"key\":\"$key\"}") || continue
    jq -r 'if .kvs then "\(.kvs[0].value | @base64d) \(.kvs[0].create_revision)" else "" end' <<<"$out"
    return 0
  done
  return 1
}
leader_name() { local l; l=$(etcd_leader) && echo "${l%% *}"; }
leader_is_not() { local l; l=$(leader_name) && [ -n "$l" ] && [ "$l" != "$1" ]; }
has_leader() { [ -n "$(leader_name)" ]; }
dns() { dig +short +time=1 +tries=1 @"$SVC" "$1" A; }
dns_is() { [ "$(dns "$1")" = "$2" ]; }
writes_for() {  # landed writes for NAME: lines "WRITER" in log order
  jq -r --arg n "$1" 'select(.status >= 200 and .status < 300)
    | select(any(.rrsets[]; .name == $n)) | .writer' "$tmp/writes.jsonl" 2>/dev/null || true
}
count_writes() { writes_for "$1" | grep -c . || true; }
expect_writes() {  # expect_writes NAME N WHAT
  local n
  n=$(count_writes "$1")
  [ "$n" = "$2" ] || fail "$3: $n landed write(s) for $1, expected $2 ($(writes_for "$1" | tr '\n' ' '))"
}
all_agents_alive() {
  local x
  for x in "${AGENTS[@]}"; do kill -0 "${PID[steerd-$x]}" 2>/dev/null || return 1; done
}
restart_dead_agents() {
  local x
  for x in "${AGENTS[@]}"; do
    kill -0 "${PID[steerd-$x]}" 2>/dev/null || { say "restarting $x"; start_agent "$x"; }
  done
}
rand_ms() { echo "0.$(printf '%03d' $((RANDOM % $1)))"; }  # rand_ms N: 0.000..0.N-1 s

# ---- scenarios ------------------------------------------------------------------------------
# Each takes the repeat index R; service sSrR is its own, so it starts healthy on its primary.
scenario_2() {  # two of three vantages lose the primary: exactly one failover, by the leader
  local r=$1 name p
  name=$(svc_name "$r" 2) p=$(primary_addr "$r" 2)
  cut a "$p"
  cut b "$p"
  wait_for 15 dns_is "$name" "$BACKUP_ANSWER" || fail "(2) no failover of $name: $(dns "$name")"
  sleep 2
  expect_writes "$name" 1 "(2)"
  heal a "$p"
  heal b "$p"
  say "(2) r$r ok: one failover, by $(writes_for "$name")"
}

scenario_1() {  # one vantage loses the primary: no failover
  local r=$1 name p
  name=$(svc_name "$r" 1) p=$(primary_addr "$r" 1)
  cut a "$p"
  sleep 5
  dns_is "$name" "$(answer "$r" 1)" || fail "(1) $name moved: $(dns "$name")"
  expect_writes "$name" 0 "(1)"
  heal a "$p"
  say "(1) r$r ok: no failover, no write"
}

scenario_3() {  # the leader loses etcd: a new leader within TTL + margin; the old one is silent
  local r=$1 name p old t0 x
  name=$(svc_name "$r" 3) p=$(primary_addr "$r" 3)
  wait_for 10 has_leader || fail "(3) no leader"
  old=$(leader_name)
  t0=$SECONDS
  cut "$old" "${ETCD[@]}"
  wait_for $((TTL_S + 6)) leader_is_not "$old" ||
    fail "(3) no new leader $((TTL_S + 6)) s after $old lost etcd: $(etcd_leader)"
  say "(3) new leader $(etcd_leader) after $((SECONDS - t0)) s"
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done  # everyone, the old leader too, wants to move
  wait_for 15 dns_is "$name" "$BACKUP_ANSWER" || fail "(3) no failover of $name: $(dns "$name")"
  sleep 3
  expect_writes "$name" 1 "(3)"
  [ "$(writes_for "$name")" != "$old" ] || fail "(3) the failover was written by the cut-off $old"
  heal "$old" "${ETCD[@]}"
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  all_agents_alive || fail "(3) an agent died"
  sleep 3  # the old leader rejoins
  say "(3) r$r ok: leader $old cut off, new leader $(leader_name), one write"
}

scenario_4() {  # leader SIGSTOP for more than the TTL during a failover, then SIGCONT
  local r=$1 name p old x
  name=$(svc_name "$r" 4) p=$(primary_addr "$r" 4)
  wait_for 10 has_leader || fail "(4) no leader"
  old=$(leader_name)
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done
  sleep "$(rand_ms 600)"
  kill -STOP "${PID[steerd-$old]}"
  wait_for $((TTL_S + 6)) leader_is_not "$old" || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(4) no new leader while $old is stopped"
  }
  wait_for 15 dns_is "$name" "$BACKUP_ANSWER" || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(4) no failover of $name while $old is stopped"
  }
  sleep 1
  kill -CONT "${PID[steerd-$old]}"
  sleep 4  # time for a stale write to land
  expect_writes "$name" 1 "(4)"
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  all_agents_alive || fail "(4) an agent died"
  say "(4) r$r ok: $old stopped > TTL, one write by $(writes_for "$name")"
}

scenario_7() {  # a pause set through a follower (relayed to the leader) survives the leader's kill -9
  local r=$1 name p old x svc via=""
  svc=s7r$r name=$(svc_name "$r" 7) p=$(primary_addr "$r" 7)
  wait_for 10 has_leader || fail "(7) no leader"
  old=$(leader_name)
  for x in "${AGENTS[@]}"; do [ "$x" != "$old" ] && { via=$x; break; }; done
  "$bin/agent/steerctl" pause "$svc" --api "http://$(agent_ip "$via"):9053" \
    --token-file "$tmp/token" >"$tmp/pause.out" 2>&1 || fail "(7) steerctl pause: $(cat "$tmp/pause.out")"
  grep -q "applied by leader $old, relayed by $via" "$tmp/pause.out" ||
    fail "(7) the pause through $via does not say the leader $old applied it: $(cat "$tmp/pause.out")"
  kill -9 "${PID[steerd-$old]}"
  wait_for $((TTL_S + 6)) leader_is_not "$old" || fail "(7) no new leader after kill -9 of $old"
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done
  sleep 5
  dns_is "$name" "$(answer "$r" 7)" || fail "(7) $name moved although paused: $(dns "$name")"
  expect_writes "$name" 0 "(7)"
  restart_dead_agents
  sleep 3
  dns_is "$name" "$(answer "$r" 7)" || fail "(7) $name moved after $old restarted: $(dns "$name")"
  expect_writes "$name" 0 "(7) after the restart"
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  say "(7) r$r ok: paused via follower $via (applied by $old), $old killed, new leader $(leader_name), no write"
}

# 8: the leader's write is pending (the provider answers it 503, so its applier retries) when
# it is SIGSTOPped past its TTL. Its successor fails over, then an operator switches the
# service back to its primary; on SIGCONT the old leader retries its pending write — which
# would undo the operator's switchover — and the fence must refuse it.
recorder_fault() {  # recorder_fault WRITER MODE
  curl -sf -X POST "http://$SVC:8081/_recorder/fault" -d "{\"writer\":\"$1\",\"mode\":\"$2\"}" \
    >/dev/null || fail "cannot set the recorder fault $2 for $1"
}
failed_writes_by() {  # failed_writes_by WRITER NAME: count of refused (non-2xx) writes
  jq -r --arg n "$2" --arg w "$1" 'select(.status >= 300 and .writer == $w)
    | select(any(.rrsets[]; .name == $n)) | .writer' "$tmp/writes.jsonl" 2>/dev/null | grep -c . || true
}
scenario_8() {
  local r=$1 name p old new x
  name=$(svc_name "$r" 8) p=$(primary_addr "$r" 8)
  wait_for 10 has_leader || fail "(8) no leader"
  old=$(leader_name)
  recorder_fault "$old" fail503
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done
  wait_for 15 bash -c "[ \$(jq -r --arg n '$name' --arg w '$old' 'select(.status >= 300 and .writer == \$w) | select(any(.rrsets[]; .name == \$n)) | .writer' '$tmp/writes.jsonl' | grep -c .) -ge 1 ]" ||
    fail "(8) $old never tried to write $name"
  kill -STOP "${PID[steerd-$old]}"
  recorder_fault "$old" none
  wait_for $((TTL_S + 6)) leader_is_not "$old" || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(8) no new leader while $old is stopped"
  }
  new=$(leader_name)
  wait_for 15 dns_is "$name" "$BACKUP_ANSWER" || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(8) $new did not complete the failover of $name"
  }
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  sleep 1
  "$bin/agent/steerctl" switchover "s8r$r" --to "p8r$r" --api "http://$(agent_ip "$new"):9053" \
    --token-file "$tmp/token" >"$tmp/switch.out" 2>&1 || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(8) switchover back: $(cat "$tmp/switch.out")"
  }
  wait_for 15 dns_is "$name" "$(answer "$r" 8)" || {
    kill -CONT "${PID[steerd-$old]}"
    fail "(8) the switchover back to p8r$r did not land"
  }
  kill -CONT "${PID[steerd-$old]}"
  sleep 6  # the old leader's applier retries within its 5 s backoff
  dns_is "$name" "$(answer "$r" 8)" || fail "(8) $old's stale write landed: $name answers $(dns "$name")"
  expect_writes "$name" 2 "(8)"
  grep -aq "fencing token .* not writing\|is stale\|not current" "$tmp/steerd-$old.log" ||
    fail "(8) $old's log does not show its write refused by the fence"
  all_agents_alive || fail "(8) an agent died"
  say "(8) r$r ok: $old's pending write refused by the fence after SIGCONT; writes by $(writes_for "$name" | tr '\n' ' ')"
}

scenario_5() {  # kill -9 of the leader in the middle of a failover: completed exactly once
  local r=$1 name p old x delay
  name=$(svc_name "$r" 5) p=$(primary_addr "$r" 5)
  wait_for 10 has_leader || fail "(5) no leader"
  old=$(leader_name)
  delay=$(rand_ms 700)
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done
  sleep "$delay"
  kill -9 "${PID[steerd-$old]}"
  wait_for $((TTL_S + 6)) leader_is_not "$old" || fail "(5) no new leader after kill -9 of $old"
  wait_for 15 dns_is "$name" "$BACKUP_ANSWER" || fail "(5) no failover of $name: $(dns "$name")"
  sleep 2
  expect_writes "$name" 1 "(5)"
  restart_dead_agents
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  sleep 2
  say "(5) r$r ok: $old killed ${delay}s after the cut, one write by $(writes_for "$name")"
}

scenario_6() {  # etcd minority lost: nothing changes; majority lost: frozen; back: one failover
  local r=$1 name p x
  name=$(svc_name "$r" 6) p=$(primary_addr "$r" 6)
  kill -STOP "${PID[etcd-3]}"
  sleep 5  # more than twice the lease TTL: an agent on etcd-3 must move to another endpoint
  dns_is "$name" "$(answer "$r" 6)" || {
    kill -CONT "${PID[etcd-3]}"
    fail "(6) $name moved with one etcd member stopped: $(dns "$name")"
  }
  expect_writes "$name" 0 "(6) with one etcd member stopped"
  has_leader || { kill -CONT "${PID[etcd-3]}"; fail "(6) no leader with one etcd member stopped"; }
  kill -CONT "${PID[etcd-3]}"
  kill -STOP "${PID[etcd-2]}" "${PID[etcd-3]}"
  for x in "${AGENTS[@]}"; do cut "$x" "$p"; done
  sleep 6
  dns_is "$name" "$(answer "$r" 6)" || {
    kill -CONT "${PID[etcd-2]}" "${PID[etcd-3]}"
    fail "(6) $name moved without an etcd majority: $(dns "$name")"
  }
  expect_writes "$name" 0 "(6) without a majority"
  kill -CONT "${PID[etcd-2]}" "${PID[etcd-3]}"
  wait_for 20 dns_is "$name" "$BACKUP_ANSWER" || fail "(6) no failover of $name after etcd resumed"
  sleep 2
  expect_writes "$name" 1 "(6) after the majority is back"
  for x in "${AGENTS[@]}"; do heal "$x" "$p"; done
  all_agents_alive || fail "(6) an agent died"
  say "(6) r$r ok: nothing changed without one member, frozen without a majority, one failover after"
}

# ---- main ---------------------------------------------------------------------------------
setup_net
start_etcd
start_regions
start_pdns
start_recorder
token=fault-api-token-0123456789abcdef
echo "operator:$token" >"$tmp/tokens"
echo "$token" >"$tmp/token"
chmod 600 "$tmp/tokens" "$tmp/token"
for x in "${AGENTS[@]}"; do
  write_policy "$x"
  "$bin/agent/steerctl" validate "$tmp/policy-$x.yaml" >"$tmp/validate.out" 2>&1 ||
    fail "steerctl validate: $(cat "$tmp/validate.out")"
done
for x in "${AGENTS[@]}"; do start_agent "$x"; done
wait_for 15 has_leader || fail "no leader elected"
say "leader $(etcd_leader); repeat $REPEAT"
sleep 3  # every vantage reports its probes healthy

SCENARIOS=${STEER_FAULT_SCENARIOS:-2 1 3 4 8 7 5 6}
for ((r = 0; r < REPEAT; r++)); do
  for s in $SCENARIOS; do "scenario_$s" "$r"; done
done

say "checking $tmp/writes.jsonl"
"$bin/tests/fault/steer_write_recorder" check --log "$tmp/writes.jsonl" >"$tmp/check.out" 2>&1 ||
  { cat "$tmp/check.out"; fail "steer_write_recorder check found violations"; }
cat "$tmp/check.out"
say "PASS: scenarios ($SCENARIOS) x $REPEAT"
