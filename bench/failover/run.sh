#!/usr/bin/env bash
# bench/failover: time from cutting region A off to every authoritative server answering B,
# for steerd (100 ms probe interval, 3 consecutive failures, hysteresis kept, retries: 1: the
# configuration noise.sh shows free of false failovers) and, in the same run against the same
# backends, PowerDNS's own Lua ifurlup record (lua-health-checks-interval=1) as the peer. Modes: crash (SIGKILL: connection refused) and hang (SIGSTOP).
#
#   bench/failover/run.sh [RUNS]      (default 20 per mode; needs build/agent/steerd)
#
#   MODES="crash hang" (default both)
# Setup in bench/failover/lib.sh. Answers are watched by steer-dns-poll (build/bench/failover):
# one process asking every server every 2 ms, so figures have ~3 ms resolution and the
# measurement does not compete with the systems under test for CPU.
cd "$(dirname "$0")/../.."
RUNS=${1:-20}
. bench/failover/lib.sh
start_dns
A=$(backend 127.0.0.2); PIDS+=("$A")
B=$(backend 127.0.0.3); PIDS+=("$B")
start_steerd steer demo.test 19453 1

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
