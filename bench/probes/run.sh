#!/usr/bin/env bash
# Probe engine benchmark (issue 3). Builds nothing: uses build/ (steer_probe_bench).
# Starts nginx (1 worker) and prometheus-blackbox-exporter on loopback with their own temp
# configs, then in one run measures, for a fresh-connection HTTP GET of a small 200:
#   steer   - the probe engine (steer_probe_bench) probing nginx at a fixed rate
#   blackbox- blackbox_exporter probing nginx at the same rate, driven via /probe by
#             steer_probe_bench in keep-alive mode (the driver's own CPU is not counted)
#   wrk     - wrk with 'Connection: close' (a new connection per request), full speed
# then each at its own maximum (blackbox driven closed-loop by wrk -c8 on /probe, as in
# shared/research/blackbox-baseline.md), and 10,000 targets at a 1 s and a 5 s interval
# (start lateness, RSS, and the CPU other processes took meanwhile). Prints markdown tables.
# Usage: bench/probes/run.sh [RATE] [SECONDS]   (defaults: 200 probes/s, 10 s per phase;
# RATE must be one blackbox_exporter sustains on this machine, or its row shows failures)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/lib/proc.sh"
BENCH=${STEER_BUILD_DIR:-$ROOT/build}/bench/probes/steer_probe_bench
RATE=${1:-200}
SECS=${2:-10}
[[ -x $BENCH ]] || { echo "missing $BENCH: build target steer_probe_bench first" >&2; exit 2; }
for tool in nginx wrk prometheus-blackbox-exporter python3; do
  command -v $tool >/dev/null || { echo "missing $tool (apt-get install nginx-light wrk prometheus-blackbox-exporter)" >&2; exit 2; }
done
TMP=$(mktemp -d /tmp/steer-probe-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }  # utime+stime in clock ticks
HZ=$(getconf CLK_TCK)

NGINX_PORT=$(free_port); BB_PORT=$(free_port)
mkdir -p "$TMP/logs"
cat > "$TMP/nginx.conf" <<NGX
daemon off; worker_processes 1; pid $TMP/nginx.pid; error_log $TMP/logs/error.log;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:$NGINX_PORT backlog=4096; location = /healthz { return 200 "ok"; } } }
NGX
nginx -c "$TMP/nginx.conf" -p "$TMP" & PIDS+=($!)
cat > "$TMP/blackbox.yml" <<BB
modules: {http_2xx: {prober: http, timeout: 2s}}
BB
prometheus-blackbox-exporter --config.file="$TMP/blackbox.yml" \
  --web.listen-address=127.0.0.1:$BB_PORT >"$TMP/logs/bb.log" 2>&1 & PIDS+=($!)
BB_PID=$!
sleep 1
NGINX_WORKER=$(pgrep -P "$(cat "$TMP/nginx.pid")" | head -1)
URL="http://127.0.0.1:$NGINX_PORT/healthz"
curl -sf "$URL" >/dev/null || { echo "nginx did not start" >&2; exit 1; }
# RATE probes/s = RATE targets at a 1 s interval (enough concurrency for blackbox's latency).
TARGETS=$RATE

echo "steer engine -> nginx at $RATE/s for ${SECS}s" >&2
n0=$(ticks "$NGINX_WORKER")
"$BENCH" --url "$URL" --targets $TARGETS --interval-ms 1000 --duration-s "$SECS" --workers 1 \
  --timeout-ms 500 --body-contains ok > "$TMP/steer.json"
n1=$(ticks "$NGINX_WORKER"); echo "$n0 $n1" > "$TMP/steer.nginx"

echo "blackbox_exporter -> nginx at $RATE/s for ${SECS}s" >&2
PROBE="http://127.0.0.1:$BB_PORT/probe?target=$URL&module=http_2xx"
b0=$(ticks "$BB_PID"); n0=$(ticks "$NGINX_WORKER")
"$BENCH" --url "$PROBE" --targets $TARGETS --interval-ms 1000 --duration-s "$SECS" --workers 1 \
  --timeout-ms 900 --reuse --body-contains "probe_success 1" > "$TMP/bb.json"
b1=$(ticks "$BB_PID"); n1=$(ticks "$NGINX_WORKER"); echo "$b0 $b1 $n0 $n1" > "$TMP/bb.ticks"

echo "wrk (Connection: close) -> nginx for ${SECS}s" >&2
n0=$(ticks "$NGINX_WORKER")
/usr/bin/time -f 'WRKCPU %U %S' -o "$TMP/wrk.time" \
  wrk -t1 -c16 -d"${SECS}s" -H 'Connection: close' "$URL" > "$TMP/wrk.out"
n1=$(ticks "$NGINX_WORKER"); echo "$n0 $n1" > "$TMP/wrk.nginx"

echo "blackbox_exporter max rate (wrk -t1 -c8 on /probe) for ${SECS}s" >&2
b0=$(ticks "$BB_PID")
wrk -t1 -c8 -d"${SECS}s" --timeout 5s "$PROBE" > "$TMP/bbmax.out"
b1=$(ticks "$BB_PID"); echo "$b0 $b1" > "$TMP/bbmax.ticks"

echo "steer engine max rate (2 workers, 400 targets at 20 ms) for ${SECS}s" >&2
"$BENCH" --url "$URL" --targets 400 --interval-ms 20 --duration-s "$SECS" --workers 2 \
  > "$TMP/max.json"

# The 10,000-target rows need most of a 2-vCPU host (engine + nginx): record, over each bench
# process, the host's busy time (/proc/stat), the bench's CPU and nginx's, so the table can show
# how many cores other processes took meanwhile.
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }  # all but idle, iowait (ticks)
run_10k() {  # OUT INTERVAL_MS
  local n0 n1 h0 h1
  n0=$(ticks "$NGINX_WORKER"); h0=$(busy)
  /usr/bin/time -f 'TIME %e %U %S' -o "$TMP/$1.time" "$BENCH" --url "$URL" --targets 10000 \
    --interval-ms "$2" --timeout-ms 500 --duration-s "$SECS" --workers 2 --warmup-s 2 > "$TMP/$1.json"
  n1=$(ticks "$NGINX_WORKER"); h1=$(busy); echo "$n0 $n1 $h0 $h1" > "$TMP/$1.ticks"
}
echo "10,000 targets at 1 s for ${SECS}s" >&2
run_10k 10k 1000
echo "10,000 targets at 5 s for ${SECS}s" >&2
run_10k 10k5 5000

python3 - "$TMP" "$HZ" "$RATE" "$SECS" <<'PY'
import json, re, sys
tmp, hz, rate, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
j = lambda n: json.load(open(f"{tmp}/{n}"))
st, bb, mx, k10, k5 = (j(f) for f in ("steer.json", "bb.json", "max.json", "10k.json", "10k5.json"))
us = lambda ticks, n: ticks * 1e6 / hz / n if n else float("nan")
n0, n1 = map(int, open(f"{tmp}/steer.nginx").read().split())
steer_nginx = us(n1 - n0, st["probes"])
b0, b1, m0, m1 = map(int, open(f"{tmp}/bb.ticks").read().split())
bb_us, bb_nginx = us(b1 - b0, bb["probes"]), us(m1 - m0, bb["probes"])
wrk = open(f"{tmp}/wrk.out").read()
wrk_req = int(re.search(r"(\d+) requests in", wrk).group(1))
u, s = map(float, re.search(r"WRKCPU ([\d.]+) ([\d.]+)", open(f"{tmp}/wrk.time").read()).groups())
wrk_us = (u + s) * 1e6 / wrk_req
w0, w1 = map(int, open(f"{tmp}/wrk.nginx").read().split())
wrk_nginx = us(w1 - w0, wrk_req)
steer_us = st["cpu_us_per_probe"]
print(f"Fresh-connection HTTP GET of a 2-byte 200 from nginx on loopback, {secs} s per row.\n")
print("| client | rate (probes/s) | failed | client CPU-µs/probe | probes/s per core | CPU-s per 10k probes | nginx CPU-µs/probe | vs steer |")
print("|---|---|---|---|---|---|---|---|")
def row(name, r, failed, cu, ng):
    print(f"| {name} | {r:,.0f} | {failed} | {cu:.1f} | {1e6/cu:,.0f} | {cu/100:.2f} | {ng:.1f} | {cu/steer_us:.2f}× |")
row(f"steer engine (1 worker, target {rate}/s)", st["probes_per_s"], st["failed"], steer_us, steer_nginx)
row(f"blackbox_exporter via /probe (target {rate}/s)", bb["probes_per_s"], bb["failed"], bb_us, bb_nginx)
print(f"\nSame rate: blackbox_exporter / steer CPU per probe **{bb_us/steer_us:.1f}×**.\n")
bbmax = open(f"{tmp}/bbmax.out").read()
bbmax_req = int(re.search(r"(\d+) requests in", bbmax).group(1))
bbmax_bad = re.search(r"Non-2xx or 3xx responses: (\d+)", bbmax)
c0, c1 = map(int, open(f"{tmp}/bbmax.ticks").read().split())
bbmax_us = us(c1 - c0, bbmax_req)
mx_us = mx["cpu_us_per_probe"]
print("| client at its maximum | rate (probes/s) | failed | client CPU-µs/probe | probes/s per core | CPU-s per 10k probes | vs steer |")
print("|---|---|---|---|---|---|---|")
print(f"| steer engine, 2 workers, 400 targets at 20 ms | {mx['probes_per_s']:,.0f} | {mx['failed']} | {mx_us:.1f} | {1e6/mx_us:,.0f} | {mx_us/100:.2f} | 1.00× |")
print(f"| blackbox_exporter, wrk -t1 -c8 on /probe | {bbmax_req/float(secs):,.0f} | {bbmax_bad.group(1) if bbmax_bad else 0} | {bbmax_us:.1f} | {1e6/bbmax_us:,.0f} | {bbmax_us/100:.2f} | {bbmax_us/mx_us:.2f}× |")
print(f"| wrk -t1 -c16, Connection: close | {wrk_req/float(secs):,.0f} | 0 | {wrk_us:.1f} | {1e6/wrk_us:,.0f} | {wrk_us/100:.2f} | {wrk_us/mx_us:.2f}× |")
print(f"\nAt maximum: blackbox_exporter / steer **{bbmax_us/mx_us:.1f}×**; steer / wrk **{mx_us/wrk_us:.2f}×**.")
def others(f):
    # Cores the rest of the host used while the bench ran (warm-up included): host busy time
    # minus the bench's CPU and nginx's, over the bench's wall time.
    wall, u, s = map(float, re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+)", open(f"{tmp}/{f}.time").read()).groups())
    n0, n1, h0, h1 = map(int, open(f"{tmp}/{f}.ticks").read().split())
    return f"{((h1 - h0) - (n1 - n0)) / hz / wall - (u + s) / wall:.2f}"
print("\n| 10,000 targets (2 workers) | probes/s | CPU-µs/probe | lateness p50 | p99 | max | skipped | failed | RSS (peak) | other processes (cores) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, r, f in (("1 s interval", k10, "10k"), ("5 s interval", k5, "10k5")):
    print(f"| {name} | {r['probes_per_s']:,.0f} | {r['cpu_us_per_probe']:.1f} | {r['lateness_p50_us']/1000:.2f} ms "
          f"| {r['lateness_p99_us']/1000:.2f} ms | {r['lateness_max_us']/1000:.1f} ms | {r['skipped_late']} | {r['failed']} "
          f"| {r['rss_kb']/1024:.1f} MB ({r['hwm_kb']/1024:.1f} MB) | {others(f)} |")
load = open("/proc/loadavg").read().split()[:3]
print(f"\nload average at the end: {' '.join(load)} (2 vCPUs shared with other jobs)")
for name, r in (("steer", st), ("blackbox", bb), ("max", mx), ("10k", k10), ("10k@5s", k5)):
    if r["failed"]:
        print(f"\nnote: {name} run had {r['failed']} failed probes, first: {r['first_error']}")
PY
