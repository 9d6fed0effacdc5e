#!/usr/bin/env bash
# dnsperf against the embedded DNS server (steerd, provider type embedded), gdnsd and
# PowerDNS with a Lua record (issue 16). Builds nothing: uses build/agent/steerd.
# In a temp dir, on loopback free ports, it starts:
#   steer    - steerd with one embedded provider and a static policy: `login.bench.test.` A
#              steered between 127.0.0.2 (region a) and 127.0.0.3 (region b) by HTTP probes;
#              the embedded server runs as in production (one UDP thread per core, each on
#              its own SO_REUSEPORT socket, TCP on the first; dns/auth_server.h)
#   gdnsd    - gdnsd 3 as its docs recommend for production: udp_threads = tcp_threads =
#              cores (SO_REUSEPORT), `login` a DYNA simplefo with an http_status monitor
#   pdns-lua - PowerDNS 4.7 (gsqlite3), receiver-threads = cores with reuseport, packet cache
#              on (defaults), `login` a LUA ifurlup record (shared/research/pdns-lua-baseline)
# all serving the same zone (bench.test: 21 static A/AAAA records + login), health targets
# python3 http.server on 127.0.0.2 and 127.0.0.3. Query file: 1000 lines, 41 % login A, 40 %
# other names A/AAAA, 19 % NXDOMAIN (as shared/research/gdnsd-baseline.md).
# Phase 1 (throughput): RUNS rounds, servers interleaved (order rotated each round), each
#   `dnsperf -c 4 -T 1 -q 100 -l SECS` at full speed: queries/s, avg/max latency, server CPU
#   (utime+stime of its PID, so "cores" = CPU-s / wall-s), q/CPU-s = qps per core used,
#   load average before the run.
# Phase 2 (fixed rate): FIXED_RUNS rounds at -Q = 80 % of gdnsd's median qps, `-v`: p50/p99
#   latency over every answered query (nearest rank), achieved rate, timeouts.
# Prints markdown tables (median [min-max]). CHECK=1 (the ctest form): 1 run x 2 s, no
# fixed-rate phase, exit status 1 when a server does not answer its queries.
# Usage: bench/dns/dnsperf.sh   (env: RUNS=5 SECS=10 FIXED_RUNS=3 SERVERS="steer gdnsd pdns-lua"
#        CHECK=0 STEER_BUILD_DIR=build; FIXED_RATE=QPS overrides the fixed rate, GDNSD_THREADS=N
#        gdnsd's thread counts)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STEERD=${STEERD:-${STEER_BUILD_DIR:-$ROOT/build}/agent/steerd}
CHECK=${CHECK:-0}
if [[ $CHECK == 1 ]]; then RUNS=1 SECS=2 FIXED_RUNS=0; fi
RUNS=${RUNS:-5}
SECS=${SECS:-10}
FIXED_RUNS=${FIXED_RUNS:-3}
SERVERS=${SERVERS:-steer gdnsd pdns-lua}
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)
[[ -x $STEERD ]] || { echo "missing $STEERD: build target steerd first" >&2; exit 2; }
for tool in dnsperf gdnsd pdns_server pdnsutil sqlite3 dig python3; do
  command -v $tool >/dev/null || { echo "missing $tool (scripts/setup installs it)" >&2; exit 2; }
done
TMP=$(mktemp -d /tmp/steer-dnsperf.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
# A port below 32768 free for TCP and UDP on every address given.
free_port() {
  python3 - "$@" <<'PY'
import random, socket, sys
for _ in range(200):
    port, ok, held = random.randint(15000, 32000), True, []
    for host in sys.argv[1:]:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((host, port)); held.append(s)
            except OSError:
                ok = False
    for s in held: s.close()
    if ok: print(port); break
PY
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }  # utime+stime, all threads
answers() { dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" login.bench.test A 2>/dev/null || true; }
wait_answer() {  # port name pid: waits up to 30 s for login to be answered
  for _ in $(seq 300); do
    kill -0 "$3" 2>/dev/null || { echo "$2 exited; log:" >&2; tail -20 "$TMP/$2.log" >&2; exit 1; }
    [[ $(answers "$1") == 127.0.0.2 ]] && return 0
    sleep 0.1
  done
  echo "$2 does not answer login.bench.test A with 127.0.0.2; log:" >&2
  tail -20 "$TMP/$2.log" >&2
  exit 1
}

# --- the zone and the query file ---
STATIC='@    60 IN SOA  ns1.bench.test. hostmaster.bench.test. 2024120101 3600 600 604800 60
@       IN NS   ns1.bench.test.
ns1     IN A    127.0.0.1'
NAMES=(www:A www:AAAA api:A api:AAAA app:A app:AAAA mail:A cdn:A cdn:AAAA static:A img:A vpn:A
  git:A ci:A docs:A docs:AAAA blog:A shop:A status:A status:AAAA)
for i in "${!NAMES[@]}"; do
  n=${NAMES[$i]%%:*} t=${NAMES[$i]##*:}
  [[ $t == A ]] && STATIC+=$'\n'"$n IN A 192.0.2.$((10 + i))"
  [[ $t == AAAA ]] && STATIC+=$'\n'"$n IN AAAA 2001:db8::$((10 + i))"
done
for i in $(seq 0 999); do
  if ((i % 100 < 41)); then echo "login.bench.test A"
  elif ((i % 100 < 81)); then n=${NAMES[$((i % ${#NAMES[@]}))]}; echo "${n%%:*}.bench.test ${n##*:}"
  else printf 'nx%05d.bench.test A\n' "$i"; fi
done > "$TMP/queries.txt"

# --- health targets ---
HC=$(free_port 127.0.0.2 127.0.0.3)
mkdir -p "$TMP/www" && echo ok > "$TMP/www/healthz"
for ip in 127.0.0.2 127.0.0.3; do
  python3 -m http.server "$HC" --bind $ip --directory "$TMP/www" >"$TMP/hc-$ip.log" 2>&1 &
  PIDS+=($!)
done

declare -A PORT PID
start_steer() {
  local port=$(free_port 127.0.0.1) api=$(free_port 127.0.0.1) d=$TMP/steer
  mkdir -p $d/state
  printf '$ORIGIN bench.test.\n$TTL 300\n%s\n' "$STATIC" > $d/bench.zone
  local probe='probes: [{name: h, type: http, url: "http://%s:'$HC'/healthz", interval: 1s, timeout: 500ms}]'
  cat > $d/policy.yaml <<EOF
version: 1
agent: {vantage: bench, tick: 100ms, log_level: warn}
coordination: {mode: local}
providers:
  edge: {type: embedded, listen: ["127.0.0.1:$port"], zone_file: $d/bench.zone, origin: bench.test.}
regions:
  a: {components: {app: {$(printf "$probe" 127.0.0.2)}}}
  b: {components: {app: {$(printf "$probe" 127.0.0.3)}}}
services:
  login:
    dns_name: login.bench.test.
    zone: bench.test.
    provider: edge
    ttl: 30
    regions:
      - {region: a, answers: [127.0.0.2]}
      - {region: b, answers: [127.0.0.3]}
EOF
  "$STEERD" --config $d/policy.yaml --state-dir $d/state --listen 127.0.0.1:$api \
    >"$TMP/steer.log" 2>&1 &
  PID[steer]=$! PORT[steer]=$port
}
start_gdnsd() {
  local port=$(free_port 127.0.0.1) d=$TMP/gdnsd
  mkdir -p $d/zones $d/run $d/state
  printf '$TTL 300\n%s\nlogin 30/10 DYNA simplefo!login\n' "$STATIC" > $d/zones/bench.test
  cat > $d/config <<EOF
options => {
  listen => [ 127.0.0.1:$port ], udp_threads => ${GDNSD_THREADS:-$NCPU}, tcp_threads => ${GDNSD_THREADS:-$NCPU},
  run_dir => $d/run, state_dir => $d/state
}
service_types => {
  hc => { plugin => http_status, port => $HC, url_path => /healthz,
          interval => 2, timeout => 1, down_thresh => 1, up_thresh => 1, ok_thresh => 1 }
}
plugins => { simplefo => { login => { service_types => hc, primary => 127.0.0.2, secondary => 127.0.0.3 } } }
EOF
  gdnsd -c $d start >"$TMP/gdnsd.log" 2>&1 &
  PID[gdnsd]=$! PORT[gdnsd]=$port
}
start_pdns-lua() {
  local port=$(free_port 127.0.0.1) d=$TMP/pdns
  mkdir -p $d
  sqlite3 $d/pdns.db < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  cat > $d/pdns.conf <<EOF
launch=gsqlite3
gsqlite3-database=$d/pdns.db
local-address=127.0.0.1
local-port=$port
socket-dir=$d
receiver-threads=$NCPU
reuseport=yes
enable-lua-records=yes
lua-health-checks-interval=1
loglevel=3
EOF
  printf '$ORIGIN bench.test.\n$TTL 300\n%s\n' "$STATIC" > $d/bench.zone
  pdnsutil --config-dir=$d load-zone bench.test $d/bench.zone >/dev/null 2>&1
  pdnsutil --config-dir=$d add-record bench.test login LUA 30 \
    "A \"ifurlup('http://login.bench.test:$HC/healthz', {{'127.0.0.2'}, {'127.0.0.3'}}, {timeout=1})\"" \
    >/dev/null 2>&1
  pdns_server --config-dir=$d --daemon=no --guardian=no --disable-syslog >"$TMP/pdns-lua.log" 2>&1 &
  PID[pdns-lua]=$! PORT[pdns-lua]=$port
}
for s in $SERVERS; do start_$s; done
for s in $SERVERS; do
  PIDS+=(${PID[$s]})
  wait_answer ${PORT[$s]} $s ${PID[$s]}
  dnsperf -s 127.0.0.1 -p ${PORT[$s]} -d "$TMP/queries.txt" -l 2 -Q 2000 >/dev/null 2>&1  # warm-up
done

# One dnsperf run; appends a TSV row: phase server run qps completed lost avg_ms max_ms
# cores load1 p50_ms p99_ms rcodes
run_one() {  # phase server run [extra dnsperf args]
  local phase=$1 s=$2 r=$3; shift 3
  local load=$(cut -d' ' -f1 /proc/loadavg) t0=$(ticks ${PID[$s]}) w0=$(date +%s.%N)
  local out=$TMP/$phase-$s-$r.out
  dnsperf -s 127.0.0.1 -p ${PORT[$s]} -d "$TMP/queries.txt" -l "$SECS" -c 4 -T 1 -q 100 "$@" \
    >"$out" 2>&1 || true
  local t1=$(ticks ${PID[$s]}) w1=$(date +%s.%N)
  python3 - "$out" "$phase" "$s" "$r" "$load" "$(((t1 - t0)))" "$HZ" "$w0" "$w1" \
    >>"$TMP/results.tsv" <<'PY'
import re, sys
out, phase, server, run, load, ticks, hz, w0, w1 = sys.argv[1:]
text = open(out, errors="replace").read()
def num(pattern, default="nan"):
    m = re.search(pattern, text)
    return m.group(1) if m else default
qps = num(r"Queries per second:\s+([\d.]+)")
completed = num(r"Queries completed:\s+(\d+)", "0")
lost = num(r"Queries lost:\s+(\d+)", "0")
avg = num(r"Average Latency \(s\):\s+([\d.]+)")
mx = num(r"max ([\d.]+)\)")
rcodes = num(r"Response codes:\s+(.*)", "-").strip()
cores = int(ticks) / int(hz) / (float(w1) - float(w0))
lat = sorted(float(l.split()[-1]) for l in text.splitlines()
             if l.startswith("> ") and not l.startswith("> T "))
pct = lambda p: lat[max(0, -(-len(lat) * p // 100) - 1)] * 1000 if lat else float("nan")
ms = lambda v: float(v) * 1000 if v != "nan" else float("nan")
print("\t".join(map(str, [phase, server, run, qps, completed, lost, ms(avg), ms(mx),
                          round(cores, 3), load, pct(50), pct(99), rcodes])))
PY
  rm -f "$out"
}

read -ra LIST <<<"$SERVERS"
rotated() {  # round -> the servers in that round's order
  local n=${#LIST[@]} i
  for ((i = 0; i < n; i++)); do echo "${LIST[$(((i + $1) % n))]}"; done
}
for r in $(seq 1 "$RUNS"); do
  for s in $(rotated "$r"); do
    echo "throughput round $r: $s" >&2
    run_one max "$s" "$r"
  done
done
RATE=${FIXED_RATE:-}
[[ -n $RATE ]] || RATE=$(awk -F'\t' '$1 == "max" && $2 == "gdnsd" {print $4}' "$TMP/results.tsv" | sort -g |
  awk '{v[NR] = $1} END {if (NR) printf "%d", 0.8 * v[int((NR + 1) / 2)]}')
if [[ -n $RATE ]]; then
  for r in $(seq 1 "$FIXED_RUNS"); do
    for s in $(rotated "$r"); do
      echo "fixed rate $RATE q/s round $r: $s" >&2
      run_one fixed "$s" "$r" -Q "$RATE" -v
    done
  done
fi

echo "# $(date -u +%FT%TZ), $NCPU x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "RUNS=$RUNS SECS=$SECS, fixed rate ${RATE:-none} q/s (80 % of gdnsd's median)"
python3 - "$TMP/results.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def cell(vals, fmt):
    vals = [v for v in vals if v == v]
    if not vals: return "-"
    return f"{fmt(statistics.median(vals))} [{fmt(min(vals))}-{fmt(max(vals))}]"
k = lambda v: f"{v / 1000:.1f}k"
f2 = lambda v: f"{v:.2f}"
servers = list(dict.fromkeys(r[1] for r in rows))
def pick(phase, s, i): return [float(r[i]) for r in rows if r[0] == phase and r[1] == s]
print("\n| server | qps | CPU cores used | qps per core (q/CPU-s) | avg / max latency ms | lost | load1 before |")
print("|---|---|---|---|---|---|---|")
per_core = {}
for s in servers:
    qps, cores = pick("max", s, 3), pick("max", s, 8)
    pc = [q / c for q, c in zip(qps, cores) if c > 0]
    per_core[s] = statistics.median(pc) if pc else float("nan")
    print(f"| {s} | {cell(qps, k)} | {cell(cores, f2)} | {cell(pc, k)} | "
          f"{cell(pick('max', s, 6), f2)} / {cell(pick('max', s, 7), f2)} | "
          f"{int(sum(pick('max', s, 5)))} of {int(sum(pick('max', s, 4)) + sum(pick('max', s, 5)))} | "
          f"{cell(pick('max', s, 9), f2)} |")
print("\nResponse codes (first run): " + "; ".join(
    f"{s} {next(r[12] for r in rows if r[1] == s)}" for s in servers))
if "gdnsd" in per_core:
    print("\nqps per core relative to gdnsd (medians): " + ", ".join(
        f"{s} {per_core[s] / per_core['gdnsd'] * 100:.0f} %" for s in servers))
if any(r[0] == "fixed" for r in rows):
    print("\n| server (fixed rate) | achieved qps | p50 ms | p99 ms | max ms | lost | CPU cores used | load1 before |")
    print("|---|---|---|---|---|---|---|---|")
    for s in servers:
        print(f"| {s} | {cell(pick('fixed', s, 3), k)} | {cell(pick('fixed', s, 10), lambda v: f'{v:.3f}')} | "
              f"{cell(pick('fixed', s, 11), lambda v: f'{v:.3f}')} | {cell(pick('fixed', s, 7), f2)} | "
              f"{int(sum(pick('fixed', s, 5)))} | {cell(pick('fixed', s, 8), f2)} | {cell(pick('fixed', s, 9), f2)} |")
PY
if [[ $CHECK == 1 ]]; then
  bad=$(awk -F'\t' '$5 == 0 {print $2}' "$TMP/results.tsv")
  [[ -z $bad ]] || { echo "no answer from: $bad" >&2; exit 1; }
fi
