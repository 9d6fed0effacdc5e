#!/usr/bin/env bash
# bench/failover: time from cutting region A off to every authoritative server answering B,
# for steerd (100 ms probe interval, 3 consecutive failures, hysteresis kept, retries: 1: the
# configuration noise.sh shows free of false failovers) and, in the same run against the same
# backends, PowerDNS's own Lua ifurlup record (lua-health-checks-interval=1) as the peer. Modes: crash (SIGKILL: connection refused) and hang (SIGSTOP).
#
#   bench/failover/run.sh [RUNS]      (default 20 per mode; needs build/agent/steerd)
#
#   MODES="crash hang" (default both)
#   AGENTS=3: also, in the same runs, three steerd (vantages v1..v3, login.multi.test on the
#     same servers) coordinated through a 3-member etcd on loopback (lease_ttl 2s, quorum 2),
#     reported as "steer3"; then LEADER_RUNS (default 10) leader failovers: SIGKILL the
#     leader, seconds until another agent logs "leader with fencing token" (mode "leader").
#     With DUMP=PREFIX the per-run figures and the steerd logs are kept there for
#     bench/failover/breakdown.py PREFIX MODE (where the time goes).
#   STATUS_LOAD=1 (issue 15): the single steerd also serves its public status page
#     (status.listen 127.0.0.1:STATUS_PORT, default 19460), and every second run of each mode
#     is made while wrk (-t1 -c50, keep-alive, on /api/v2/summary.json; LOAD_PATH) hammers
#     it, from 1 s before the cut until every server answers B: rows "steer+load" and
#     "peer+load" against the quiet "steer" and "peer" of the same run.
# Setup in bench/failover/lib.sh. Answers are watched by steer-dns-poll (build/bench/failover):
# one process asking every server every 2 ms, so figures have ~3 ms resolution and the
# measurement does not compete with the systems under test for CPU.
cd "$(dirname "$0")/../.."
RUNS=${1:-20}
. bench/failover/lib.sh
start_dns
A=$(backend 127.0.0.2); PIDS+=("$A")
B=$(backend 127.0.0.3); PIDS+=("$B")
if [ "${STATUS_LOAD:-0}" = 1 ]; then
  command -v wrk >/dev/null || { echo "STATUS_LOAD=1 needs wrk" >&2; exit 2; }
  STATUS_PORT=${STATUS_PORT:-19460} LOG_LEVEL=info start_steerd steer demo.test 19453 1
  LOAD_URL="http://127.0.0.1:${STATUS_PORT:-19460}${LOAD_PATH:-/api/v2/summary.json}"
  curl -sf "$LOAD_URL" >/dev/null || { echo "no status page at $LOAD_URL" >&2; exit 1; }
else
  LOG_LEVEL=info start_steerd steer demo.test 19453 1
fi
AGENTS=${AGENTS:-1}
WATCH="127.0.0.1:15401/login.demo.test 127.0.0.1:15402/login.demo.test"
if [ "$AGENTS" = 3 ]; then
  start_etcd
  start_dns_multi
  for v in 1 2 3; do LOG_LEVEL=info start_steerd "v$v" multi.test $((19453 + v)) 1 "v$v"; done
  WATCH+=" 127.0.0.1:15404/login.multi.test 127.0.0.1:15405/login.multi.test"
fi

run_mode() {  # run_mode crash|hang -> lines "steer SECONDS" and "peer SECONDS"
  local mode=$1 i
  for i in $(seq "$RUNS"); do
    # Everyone back on a first (steer fails back after 500 ms of health; the peer at its check).
    for w in $WATCH; do  # 127.0.0.1:port/name
      p=${w%%/*}
      while [ "$(answer "${p#*:}" "${w#*/}")" != 127.0.0.2 ]; do sleep 0.05; done
    done
    while [ "$(answer 15403 login.peer.test)" != 127.0.0.2 ]; do sleep 0.05; done
    local tag="" wrk_pid=""
    if [ "${STATUS_LOAD:-0}" = 1 ] && [ $((i % 2)) = 0 ]; then  # every second run: loaded
      tag=+load
      wrk -t1 -c50 -d120s "$LOAD_URL" >"$D/wrk.$mode.$i" 2>&1 &
      wrk_pid=$!
      sleep 1  # the load is on before the cut
    fi
    sleep "0.$((RANDOM % 1000))"  # cuts don't line up with either checker's cycle
    t0=$(date +%s.%N)
    echo "cut $t0"  # for matching steerd's log lines (LOG_LEVEL=info) to the runs
    if [ "$mode" = crash ]; then kill -9 "$A"; else kill -STOP "$A"; fi
    # Columns: the peer, then steerd's servers (single agent), then the three agents' servers.
    # shellcheck disable=SC2086
    "$POLL" until 127.0.0.3 127.0.0.1:15403/login.peer.test $WATCH | tr '\n' ' ' > "$D/t"
    [ -n "$wrk_pid" ] && { kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true; }
    echo "peer$tag $(awk -v t0="$t0" '{printf "%.3f", $1-t0}' "$D/t")"
    echo "steer$tag $(awk -v t0="$t0" '{m=$2>$3?$2:$3; printf "%.3f", m-t0}' "$D/t")"
    [ "$AGENTS" = 3 ] && echo "steer3 $(awk -v t0="$t0" '{m=$4>$5?$4:$5; printf "%.3f", m-t0}' "$D/t")"
    if [ "$mode" = crash ]; then A=$(backend 127.0.0.2); PIDS+=("$A"); else kill -CONT "$A"; fi
  done
}

pct() {  # pct P < values: nearest-rank percentile
  sort -n | awk -v p="$1" '{v[NR]=$1} END {r=int((p/100)*NR+0.999999); if (r<1) r=1; print v[r]}'
}

echo "# bench/failover: $RUNS runs per mode; seconds from the cut to every server answering B"
printf "%-6s %-10s %8s %8s %8s\n" mode system p50 p99 max
for mode in ${MODES:-crash hang}; do
  run_mode "$mode" > "$D/$mode.txt" 2> >(grep -v Killed >&2)
  if [ -n "${DUMP:-}" ]; then
    cp "$D/$mode.txt" "$DUMP.$mode"
    for p in 19453 19454 19455 19456; do
      curl -s "http://127.0.0.1:$p/api/v1/history?limit=500" > "$DUMP.$mode.history.$p" || true
    done
  fi
  for sys in steer steer+load steer3 peer peer+load; do
    grep -q "^$sys " "$D/$mode.txt" || continue
    vals=$(awk -v s=$sys '$1==s {print $2}' "$D/$mode.txt")
    printf "%-6s %-10s %8s %8s %8s\n" "$mode" "$sys" "$(echo "$vals" | pct 50)" \
      "$(echo "$vals" | pct 99)" "$(echo "$vals" | pct 100)"
  done
done

leader_of() {  # leader_of: the agent (v1..v3) whose status says it is the leader
  local v
  for v in 1 2 3; do
    curl -sf "http://127.0.0.1:$((19453 + v))/api/v1/status" 2>/dev/null |
      grep -q '"leader":true' && { echo "v$v"; return; }
  done
}

log_s() {  # log_s LINE: the seconds since the epoch of a steerd log line's timestamp
  date -d "$(cut -c1-23 <<<"$1" | tr T ' ')" +%s.%N
}

took_over() {  # took_over LOG...: how many times these agents took over as leader
  cat "$@" | grep -c 'leader with fencing token' || true
}

run_leader() {  # SIGKILL the leader; seconds until another agent logs that it took over
  local i old others v line t0 t before
  for i in $(seq "${LEADER_RUNS:-10}"); do
    old=""; while [ -z "$old" ]; do old=$(leader_of); sleep 0.05; done
    others=(); for v in v1 v2 v3; do [ "$v" = "$old" ] || others+=("$D/$v/steerd.log"); done
    before=$(took_over "${others[@]}")
    sleep "0.$((RANDOM % 1000))"  # the kill does not line up with the keepalive
    t0=$(date +%s.%N)
    kill -9 "$(cat "$D/$old/pid")"
    line=""
    for _ in $(seq 200); do  # 10 s
      if [ "$(took_over "${others[@]}")" -gt "$before" ]; then
        line=$(grep -h 'leader with fencing token' "${others[@]}" | sort | tail -1); break
      fi
      sleep 0.05
    done
    [ -n "$line" ] || { echo "leader: no takeover after $old was killed" >&2; exit 1; }
    t=$(log_s "$line")
    echo "leader $(awk -v a="$t" -v b="$t0" 'BEGIN {printf "%.3f", a-b}')"
    LOG_LEVEL=info start_steerd "$old" multi.test $((19453 + ${old#v})) 1 "$old" >/dev/null
  done
}

if [ "$AGENTS" = 3 ]; then
  run_leader > "$D/leader.txt"
  if [ -n "${DUMP:-}" ]; then
    cp "$D/leader.txt" "$DUMP.leader"
    for v in steer v1 v2 v3; do cp "$D/$v/steerd.log" "$DUMP.$v.log"; done
  fi
  vals=$(awk '{print $2}' "$D/leader.txt")
  printf "%-6s %-6s %8s %8s %8s   (SIGKILL of the leader -> another agent leads; TTL 2s)\n" \
    leader steer3 "$(echo "$vals" | pct 50)" "$(echo "$vals" | pct 99)" "$(echo "$vals" | pct 100)"
fi
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
