#!/usr/bin/env bash
# The probe engine's tail (issue 18): RUNS consecutive runs of the 10,000-target row of
# bench/probes/run.sh (10,000 targets at a 1 s interval, 2 workers, fresh-connection GETs of a
# 200 from nginx with one worker, SECS s measured after 2 s of warm-up), each judged against
# the goal: p99 start lateness < 20 ms, RSS < 64 MB, no probe skipped. Records with each run
# what could explain a tail: the load average, the CPU other processes took and the VM's steal
# time (/proc/stat) during the run. Prints a markdown table; exit 1 when any run misses.
# Builds nothing: needs build/bench/probes/steer_probe_bench and nginx.
# Usage: bench/probes/tails.sh [RUNS] [SECS]   (defaults 10 runs of 10 s: about 3 minutes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/lib/proc.sh"
BENCH=${STEER_BUILD_DIR:-$ROOT/build}/bench/probes/steer_probe_bench
RUNS=${1:-10}
SECS=${2:-10}
[[ -x $BENCH ]] || { echo "missing $BENCH: build target steer_probe_bench first" >&2; exit 2; }
command -v nginx >/dev/null || { echo "missing nginx (scripts/setup)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/steer-probe-tails.XXXXXX)
PIDS=()
cleanup() { stop_pids "${PIDS[@]}"; rm -rf "$TMP"; }
trap cleanup EXIT

PORT=$(free_port)
mkdir -p "$TMP/logs"
cat > "$TMP/nginx.conf" <<NGX
daemon off; worker_processes 1; pid $TMP/nginx.pid; error_log $TMP/logs/error.log;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http { access_log off;
  server { listen 127.0.0.1:$PORT backlog=4096; location = /healthz { return 200 "ok"; } } }
NGX
nginx -c "$TMP/nginx.conf" -p "$TMP" & PIDS+=($!)
URL="http://127.0.0.1:$PORT/healthz"
for _ in $(seq 50); do curl -sf "$URL" >/dev/null && break; sleep 0.1; done
curl -sf "$URL" >/dev/null || { echo "nginx did not start" >&2; exit 1; }

# /proc/stat's cpu line: busy (user..softirq, without idle and iowait) and steal, in ticks.
stat_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $9}' /proc/stat; }
for i in $(seq "$RUNS"); do
  read -r b0 s0 < <(stat_ticks)
  /usr/bin/time -f '%U %S' -o "$TMP/$i.time" "$BENCH" --url "$URL" --targets 10000 \
    --interval-ms 1000 --timeout-ms 500 --duration-s "$SECS" --workers 2 --warmup-s 2 \
    > "$TMP/$i.json"
  read -r b1 s1 < <(stat_ticks)
  echo "$b0 $b1 $s0 $s1 $(cut -d' ' -f1 /proc/loadavg)" > "$TMP/$i.host"
  echo "run $i of $RUNS done" >&2
done

python3 - "$TMP" "$RUNS" "$(getconf CLK_TCK)" "$SECS" <<'PY'
import json, sys
tmp, runs, hz, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("| run | probes/s | p50 ms | p99 ms | max ms | skipped (worker full) | peak in flight | failed (of them inconclusive) "
      "| RSS MB (peak) | other processes, cores | steal, cores | load 1 min | goal |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
missed = 0
for i in range(1, runs + 1):
    r = json.load(open(f"{tmp}/{i}.json"))
    u, s = map(float, open(f"{tmp}/{i}.time").read().split())
    b0, b1, s0, s1, load = open(f"{tmp}/{i}.host").read().split()
    wall = r["wall_s"] + 2  # the warm-up is inside the busy-time window too
    others = max(0.0, (int(b1) - int(b0)) / hz - (u + s)) / wall
    steal = (int(s1) - int(s0)) / hz / wall
    ok = r["lateness_p99_us"] < 20000 and r["rss_kb"] < 64 * 1024 and r["skipped_late"] == 0
    missed += not ok
    print(f"| {i} | {r['probes_per_s']:,.0f} | {r['lateness_p50_us']/1000:.2f} "
          f"| {r['lateness_p99_us']/1000:.2f} | {r['lateness_max_us']/1000:.1f} "
          f"| {r['skipped_late']} ({r['skipped_full']}) | {r['max_in_flight']} | {r['failed']} ({r.get('inconclusive', 0)}) "
          f"| {r['rss_kb']/1024:.1f} ({r['hwm_kb']/1024:.1f}) | {others:.2f} | {steal:.3f} | {load} "
          f"| {'met' if ok else 'MISSED'} |")
print(f"\n{runs - missed} of {runs} runs met the goal (p99 < 20 ms, RSS < 64 MB, nothing skipped); "
      f"{secs} s measured per run")
sys.exit(1 if missed else 0)
PY
