#!/usr/bin/env bash
# A stopped steerd (issue #18): SIGSTOP and SIGCONT of a running steerd while its probes are in
# flight, as a host that stops scheduling the process would do. The backends answer in 200 ms
# and are probed every 500 ms, so a stop often finds a probe in flight; each stop (700 ms) is
# longer than the probe's 450 ms timeout and shorter than the 1.5 s after which a target's data
# goes stale (stale_after 3 x interval: stale is unknown, which never moves a name). Without
# stall detection (probes/stall_log.h) that time-out counts against region a
# (unhealthy_threshold 1) and fails over: checked by hand with detection turned off (a write to
# b after a few stops). Checked here: across STOPS stops no DNS write is made and the answer
# stays a, steerd counts inconclusive results (so stopped probes were seen), and a real failure
# of region a still fails over afterwards. The 250 ms between a backend's answer and the
# timeout keep a merely busy CI host from failing a probe for real.
#
# Setup: single_agent.sh (a real PowerDNS behind steer_write_recorder, nginx backends).
# Usage: stopped_agent.sh BUILD_DIR [STOPS]   (default 12, about 1 s each). exit 0 = no false move.
set -euo pipefail
build=$(realpath "$1")
stops=${2:-12}
here=$(cd "$(dirname "$0")" && pwd)
BACKEND_DELAY=0.2
PROBE="interval: 500ms, timeout: 450ms, healthy_threshold: 1, unhealthy_threshold: 1"
. "$here/single_agent.sh"

fail() { echo "FAIL: $*"; tail -30 "$D/steerd.log"; exit 1; }
accepted() { grep -c '"status":2' "$D/writes.jsonl" 2>/dev/null || true; }
results() {  # results() OUTCOME: steerd's count of probe results with that outcome
  curl -sf -m 2 "http://127.0.0.1:$API/metrics" |
    awk -v r="result=\"$1\"" '/^steer_probe_results_total\{/ && index($0, r) {n += $NF} END {print n + 0}'
}

start_steerd
[ "$(answer)" = 127.0.0.2 ] || fail "login does not answer a at the start: $(answer)"
before=$(accepted)
for _ in $(seq "$stops"); do
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.2, 0.4), 3))')"
  kill -STOP "$steerd_pid"; event stop
  sleep 0.7
  kill -CONT "$steerd_pid"; event cont
done
sleep 1  # a decision on a false failure would come within a tick (20 ms) of the results
echo "stopped_agent: results: $(results failure) failed, $(results inconclusive) inconclusive"
[ "$(accepted)" = "$before" ] || fail "a DNS write was made after stops: $(tail -2 "$D/writes.jsonl")"
[ "$(answer)" = 127.0.0.2 ] || fail "the answer moved to $(answer) after stops"
seen=$(results inconclusive)
[ "${seen%.*}" -gt 0 ] || fail "no inconclusive result counted: no probe was in flight at a stop?"
echo "stopped_agent: $stops stops, $seen inconclusive probe results, no DNS change"

touch "$D/cut-a"; event cut
for _ in $(seq 100); do [ "$(answer)" = 127.0.0.3 ] && break; sleep 0.1; done
[ "$(answer)" = 127.0.0.3 ] || fail "a real failure of region a did not fail over"
echo "stopped_agent: region a cut -> failover to b"
echo "stopped_agent: ok"
