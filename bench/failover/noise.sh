#!/usr/bin/env bash
# bench/failover/noise.sh: false failovers while 5 % of health checks randomly fail. Both
# regions' backends answer a random 5 % of requests with 503 (nginx split_clients on
# $request_id) and nothing is cut. In the same run, against the same backends:
#   steer    steerd with the latency benchmark's configuration (run.sh: 100 ms interval,
#            3 consecutive failures, 2 successes, retries: 1)
#   steer-r0 the same without retries (3 consecutive failures alone)
#   peer     PowerDNS's Lua ifurlup record (lua-health-checks-interval=1)
# Every change of each name's answer on the authoritative servers is recorded
# (steer-dns-poll watch, every 2 ms); a false failover is the answer leaving region a ("left a",
# on the first of steerd's two servers), and "s not a" the seconds it answered anything else.
#
#   bench/failover/noise.sh [SECONDS] [FAIL_PERCENT]    (default 600 s, 5 %)
cd "$(dirname "$0")/../.."
SECONDS_RUN=${1:-600}
FAIL=${2:-5}
. bench/failover/lib.sh
start_dns
A=$(backend 127.0.0.2 "$FAIL"); PIDS+=("$A")
B=$(backend 127.0.0.3 "$FAIL"); PIDS+=("$B")
start_steerd steer demo.test 19453 1
start_steerd steer-r0 demo0.test 19454 0
for p in 15401:login.demo.test 15401:login.demo0.test 15403:login.peer.test; do
  while [ "$(answer "${p%%:*}" "${p#*:}")" != 127.0.0.2 ]; do sleep 0.05; done
done
"$POLL" watch "$SECONDS_RUN" 127.0.0.1:15401/login.demo.test 127.0.0.1:15402/login.demo.test \
  127.0.0.1:15401/login.demo0.test 127.0.0.1:15402/login.demo0.test \
  127.0.0.1:15403/login.peer.test > "$D/changes"

# left_a SERVER/NAME -> "EPISODES SECONDS": departures from 127.0.0.2 after at least 100 ms on
# it (the peer answers at random, query by query, while it thinks both regions are down: that
# toggling is one episode), and the seconds spent answering anything else.
left_a() { awk -v s="$1" '$2 == s {
    if (have) { seg = $1 - pt; if (pa != "127.0.0.2") off += seg
                if ($3 != "127.0.0.2" && pa == "127.0.0.2" && seg >= 0.1) ep++ }
    have = 1; pt = $1; pa = $3 }
  END { printf "%d %.1f", ep, off }' "$D/changes"; }
metric() {  # metric PORT NAME RESULT-REGEX -> sum over region a and b
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v r="$3" \
    'index($1, n "{") == 1 && $1 ~ r {s += $2} END {printf "%d", s}'
}
echo "# bench/failover/noise.sh: $SECONDS_RUN s; $FAIL % of health requests to both regions answer 503"
printf "%-9s %8s %8s %8s %10s %10s\n" system probes failed retried "left a" "s not a"
for s in steer:19453:login.demo.test steer-r0:19454:login.demo0.test; do
  IFS=: read -r n port name <<<"$s"
  read -r ep off <<<"$(left_a "127.0.0.1:15401/$name")"
  printf "%-9s %8s %8s %8s %10s %10s\n" "$n" "$(metric "$port" steer_probe_results_total .)" \
    "$(metric "$port" steer_probe_results_total failure)" \
    "$(metric "$port" steer_probe_retries_total .)" "$ep" "$off"
done
read -r ep off <<<"$(left_a 127.0.0.1:15403/login.peer.test)"
printf "%-9s %8s %8s %8s %10s %10s\n" peer - - - "$ep" "$off"
if [ -n "${DUMP:-}" ]; then
  cp "$D/changes" "$DUMP.changes"
  curl -s "http://127.0.0.1:19453/api/v1/history?limit=500" > "$DUMP.steer.history"
  curl -s "http://127.0.0.1:19454/api/v1/history?limit=500" > "$DUMP.steer-r0.history"
fi
