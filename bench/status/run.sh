#!/usr/bin/env bash
# bench/status (issue 15): the public status page under load. In one run: a state directory
# with 100 services x 90 days of uptime history (steer-status-history), a real steerd
# (embedded DNS provider, 100 public services, status.listen) serving the page from it,
# `steerctl status-page export` of the same page, and nginx (production settings:
# worker_processes auto, sendfile, tcp_nopush, keepalive, open_file_cache) serving the exported
# files. wrk then loads `/` and `/api/v2/summary.json` on both, keep-alive (-c CONNS) and new
# connections (`Connection: close`), RUNS times each, live and nginx interleaved. Prints
# requests/s and p99 (medians, min-max spread) and the ratio live/nginx; the load average.
#
#   bench/status/run.sh [RUNS] [SECONDS]   (defaults 3 runs of 5 s per row)
#
#   CONNS=50 (keep-alive connections), CLOSE_CONNS=16 (new-connection mode), THREADS=2 (wrk)
#   SERVICES=100, DAYS=90
# Needs build/agent/steerd, build/agent/steerctl and build/bench/status/steer-status-history
# (cmake --build build --target steerd steerctl steer-status-history), nginx and wrk.
# Loopback only; every process is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/proc.sh
RUNS=${1:-3}
SECS=${2:-5}
CONNS=${CONNS:-50}
CLOSE_CONNS=${CLOSE_CONNS:-16}
THREADS=${THREADS:-2}
SERVICES=${SERVICES:-100}
DAYS=${DAYS:-90}
BUILD=${STEER_BUILD_DIR:-build}
GEN=$BUILD/bench/status/steer-status-history
for f in "$BUILD/agent/steerd" "$BUILD/agent/steerctl" "$GEN"; do
  [ -x "$f" ] || { echo "missing $f: cmake --build $BUILD --target steerd steerctl steer-status-history" >&2; exit 2; }
done
for t in nginx wrk curl python3; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
D=$(mktemp -d /tmp/steer-bench-status.XXXXXX)
PIDS=()
cleanup() {
  stop_pids "${PIDS[@]}"
  rm -rf "$D"
}
on_exit cleanup
API=$(free_port); LIVE=$(free_port); NGX=$(free_port); DNS=$(free_port); HEALTH=$(free_port)

# 1. History.
mkdir -p "$D/state" "$D/www"
"$GEN" --state "$D/state" --services "$SERVICES" --days "$DAYS" >&2

# 2. nginx: the exported files on NGX, and /healthz for steerd's probes on HEALTH.
cat > "$D/nginx.conf" <<NGX
daemon off; worker_processes auto; pid $D/nginx.pid; error_log $D/nginx-error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types; default_type application/octet-stream;
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 100000;
  open_file_cache max=1000 inactive=20s; open_file_cache_valid 30s;
  open_file_cache_min_uses 2; open_file_cache_errors on;
  client_body_temp_path $D; proxy_temp_path $D; fastcgi_temp_path $D; uwsgi_temp_path $D;
  scgi_temp_path $D;
  server { listen 127.0.0.1:$NGX backlog=4096; root $D/www; index index.html; }
  server { listen 127.0.0.1:$HEALTH; location /healthz { return 200 "ok\n"; } }
}
NGX
nginx -c "$D/nginx.conf" -p "$D" >"$D/nginx.out" 2>&1 &
PIDS+=($!)

# 3. steerd: SERVICES services on the embedded DNS provider, every one public.
cat > "$D/zone" <<ZONE
\$ORIGIN bench.test.
@ 3600 IN SOA ns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
@ 3600 IN NS ns1.bench.test.
ns1 3600 IN A 127.0.0.1
ZONE
echo "bench:bench-token-0123456789abcdef" > "$D/tokens"
{
  cat <<YAML
version: 1
agent: {vantage: bench, listen: "127.0.0.1:$API", state_dir: $D/state}
providers:
  edge: {type: embedded, listen: ["127.0.0.1:$DNS"], zone_file: $D/zone, origin: bench.test.}
regions:
  a: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.1:$HEALTH/healthz"}]}}}
  b: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.1:$HEALTH/healthz"}]}}}
services:
YAML
  for i in $(seq -f %03g "$SERVICES"); do
    echo "  svc$i: {dns_name: svc$i.bench.test., zone: bench.test., provider: edge, nameservers: [\"127.0.0.1:$DNS\"], regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]}"
  done
  cat <<YAML
status:
  title: Bench Inc. status
  public_url: https://status.bench.test
  listen: 127.0.0.1:$LIVE
YAML
} > "$D/policy.yaml"
"$BUILD/agent/steerctl" validate "$D/policy.yaml" >/dev/null
"$BUILD/agent/steerd" --config "$D/policy.yaml" --token-file "$D/tokens" --log-level warn \
  >"$D/steerd.log" 2>&1 &
PIDS+=($!)
STEERD=$!
for _ in $(seq 300); do
  n=$(curl -sf "http://127.0.0.1:$LIVE/api/v2/components.json" 2>/dev/null |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["components"]))' 2>/dev/null || true)
  [ "${n:-0}" = "$SERVICES" ] && break
  sleep 0.2
done
[ "${n:-0}" = "$SERVICES" ] || { echo "steerd did not show $SERVICES services: $(tail -5 "$D/steerd.log")" >&2; exit 1; }
# The page's documents are kept 5 s: a fresh copy has every service decided.
sleep 5.5

# 4. The same page as static files.
"$BUILD/agent/steerctl" status-page export --from "http://127.0.0.1:$LIVE" --out "$D/www" >&2
curl -sf "http://127.0.0.1:$NGX/" >/dev/null || { echo "nginx does not serve: $(cat "$D/nginx-error.log")" >&2; exit 1; }

# Same bytes: the two copies differ at most in their timestamps (rendered every 5 s).
same() {  # same PATH: "SIZE_LIVE SIZE_NGINX same|DIFFERENT"
  local a b
  curl -sf "http://127.0.0.1:$LIVE$1" > "$D/a"; curl -sf "http://127.0.0.1:$NGX$1" > "$D/b"
  a=$(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/T/g' "$D/a" | sha256sum)
  b=$(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/T/g' "$D/b" | sha256sum)
  echo "$(stat -c %s "$D/a") $(stat -c %s "$D/b") $([ "$a" = "$b" ] && echo same || echo DIFFERENT)"
}

wrk_run() {  # wrk_run PORT PATH MODE -> "RPS P99_MS ERRORS"
  local extra=() c=$CONNS
  [ "$3" = close ] && extra=(-H 'Connection: close') && c=$CLOSE_CONNS
  wrk -t"$THREADS" -c"$c" -d"${SECS}s" --latency "${extra[@]}" "http://127.0.0.1:$1$2" > "$D/wrk.out" 2>&1
  python3 - "$D/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
err = re.search(r"Socket errors: (.*)", t)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{rps:.0f} {p99:.2f} {(err.group(1).replace(' ', '') if err else '-')}/{bad.group(1) if bad else 0}")
PY
}

echo "# bench/status: $SERVICES services x $DAYS days; $RUNS runs x ${SECS}s per row; wrk -t$THREADS, keep-alive -c$CONNS, close -c$CLOSE_CONNS"
for p in / /api/v2/summary.json; do echo "# bytes $p: live nginx $(same "$p")"; done
: > "$D/results"
for r in $(seq "$RUNS"); do
  for p in / /api/v2/summary.json; do
    for mode in keepalive close; do
      for sys in live nginx; do
        port=$LIVE; [ $sys = nginx ] && port=$NGX
        echo "$p $mode $sys $(wrk_run "$port" "$p" "$mode")" >> "$D/results"
      done
    done
  done
  echo "# run $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
kill -0 "$STEERD" || { echo "steerd died: $(tail -5 "$D/steerd.log")" >&2; exit 1; }
cat "$D/results" >&2
python3 - "$D/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    path, mode, sys_, rps, p99, errs = line.split()
    rows.setdefault((path, mode, sys_), []).append((float(rps), float(p99), errs))
print("| path | connections | server | req/s median (min–max) | p99 ms median (min–max) | errors (socket/non-2xx) |")
print("|---|---|---|---|---|---|")
ratios = []
for path in ("/", "/api/v2/summary.json"):
    for mode in ("keepalive", "close"):
        med = {}
        for s in ("live", "nginx"):
            v = rows[(path, mode, s)]
            r = [x[0] for x in v]; q = [x[1] for x in v]
            med[s] = statistics.median(r)
            print(f"| `{path}` | {'keep-alive' if mode == 'keepalive' else 'new (Connection: close)'} | {'steerd' if s == 'live' else 'nginx'} "
                  f"| {med[s]:,.0f} ({min(r):,.0f}–{max(r):,.0f}) | {statistics.median(q):.2f} ({min(q):.2f}–{max(q):.2f}) | {' '.join(x[2] for x in v)} |")
        ratios.append((path, mode, med["live"] / med["nginx"]))
print("\n| path | connections | live / nginx (median req/s) | goal ≥ 50 % |")
print("|---|---|---|---|")
for path, mode, r in ratios:
    print(f"| `{path}` | {mode} | {100 * r:.0f} % | {'met' if r >= 0.5 else 'NOT met'} |")
PY
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
