#!/usr/bin/env bash
# Benchmark: steer-authd with 1 tenant vs with N tenants (default 1000), requests spread over
# all of them, same binary, same run, alternating REPEAT times; plus the memory of an idle
# tenant. Loopback only. Issue 13's goal: N tenants within 10 % of one tenant.
# Usage: bench/auth/tenants.sh [path/to/steer-authd]
#   env: TENANTS (1000), REPEAT (3), DURATION (s, 8), CONNS (32)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
authd=$(realpath "${1:-$here/../../build/auth-core/steer-authd}")
n=${TENANTS:-1000} repeat=${REPEAT:-3} dur=${DURATION:-8} conns=${CONNS:-32}
tmp=$(mktemp -d /tmp/steer-tenantbench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
SECRET=svc-secret-0123456789abcdef0123456789
port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
name() { printf 't%04d' "$1"; }

# setup DIR COUNT PORT: a config whose tenants.dir holds COUNT tenants, each with client svc.
# Tenant 0 is made by `admin tenant add`; the others copy its keys (a separate key set per
# tenant costs minutes of RSA generation and changes nothing measured here: every tenant
# still loads, holds and uses its own copy).
setup() {
  local dir=$1 count=$2 p=$3
  mkdir -p "$dir"
  cat >"$dir/authd.yaml" <<YAML
issuer: http://127.0.0.1:$p
listen: {address: 127.0.0.1, port: $p}
threads: 2
keys_dir: keys
store: {sqlite: authd.db}
tenants: {dir: tenants}
throttle: {logins_per_minute: 0, requests_per_second: 0}
log: {level: warn}
YAML
  "$authd" admin keys generate --dir "$dir/keys" >/dev/null
  "$authd" admin -c "$dir/authd.yaml" tenant add "$(name 0)" >/dev/null
  for ((i = 1; i < count; i++)); do
    cp -r "$dir/tenants/$(name 0)" "$dir/tenants/$(name "$i")"
  done
  for ((i = 0; i < count; i++)); do
    echo "$SECRET" | "$authd" admin -c "$dir/authd.yaml" --tenant "$(name "$i")" client add svc \
      --grant client_credentials --scope api --audience urn:bench --alg ES256 --secret-stdin
  done
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# start DIR PORT: runs steer-authd, waits until ready, records its idle RSS.
start() {
  "$authd" --config "$1/authd.yaml" >"$1/authd.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$2/healthz/ready" >/dev/null && break; sleep 0.1; done
  sleep 0.5
  echo "$(rss_kib "$pid")" >"$1/rss"
}

# lines DIR PORT COUNT KIND -> the LINES file for spread.lua
lines() {
  local dir=$1 p=$2 count=$3 kind=$4 b64
  b64=$(printf 'svc:%s' "$SECRET" | base64 -w0)
  for ((i = 0; i < count; i++)); do
    local t; t=$(name "$i")
    if [ "$kind" = cc ]; then
      printf '/t/%s/token\tgrant_type=client_credentials&scope=api\t%s\n' "$t" "$b64"
    else
      local tok
      tok=$(curl -s -u "svc:$SECRET" -d "grant_type=client_credentials&scope=api" \
        "http://127.0.0.1:$p/t/$t/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
      printf '/t/%s/introspect\ttoken=%s\t%s\n' "$t" "$tok" "$b64"
    fi
  done >"$dir/$kind.lines"
}

# measure LABEL DIR PORT KIND -> "LABEL req/s p99 req/cpu-s"
measure() {
  local label=$1 dir=$2 p=$3 kind=$4 out t0 t1
  t0=$(ticks)
  out=$(LINES="$dir/$kind.lines" wrk -t2 -c"$conns" -d"${dur}s" --latency -s "$here/spread.lua" \
    "http://127.0.0.1:$p")
  t1=$(ticks)
  local rps p99 count bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  count=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-16s %-12s %9s req/s  p99 %-8s non-2xx %-4s %7.0f req/cpu-s\n' "$label" "$kind" "$rps" \
    "$p99" "${bad:-0}" "$(awk -v n="$count" -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {print (d > 0) ? n / (d / hz) : 0}')" | tee -a "$tmp/results"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
p1=$(port); pn=$(port)
setup "$tmp/one" 1 "$p1"
setup "$tmp/many" "$n" "$pn"
for ((r = 1; r <= repeat; r++)); do
  for side in one many; do
    dir=$tmp/$side; p=$([ $side = one ] && echo "$p1" || echo "$pn")
    count=$([ $side = one ] && echo 1 || echo "$n")
    start "$dir" "$p"
    [ "$r" = 1 ] && echo "$side: idle RSS $(cat "$dir/rss") KiB" | tee -a "$tmp/results"
    lines "$dir" "$p" "$count" cc
    lines "$dir" "$p" "$count" introspect
    measure "$side" "$dir" "$p" cc
    measure "$side" "$dir" "$p" introspect
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v s="$1" -v k="$2" -v c="$3" '$1==s && $2==k {print $c}' "$tmp/results"; }
echo "| measure | 1 tenant (median, min–max) | $n tenants (median, min–max) | ratio |"
echo "|---|---|---|---|"
for kind in cc introspect; do
  for c in 3 9; do
    unit=$([ $c = 3 ] && echo "req/s" || echo "req/CPU-s")
    a=$(col one $kind $c | median); b=$(col many $kind $c | median)
    printf '| %s %s | %.0f (%s–%s) | %.0f (%s–%s) | %.2f |\n' "$kind" "$unit" "$a" \
      "$(col one $kind $c | sort -n | head -1)" "$(col one $kind $c | sort -n | tail -1)" "$b" \
      "$(col many $kind $c | sort -n | head -1)" "$(col many $kind $c | sort -n | tail -1)" \
      "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
  done
done
awk -v a="$(cat "$tmp/one/rss")" -v b="$(cat "$tmp/many/rss")" -v n="$n" \
  'BEGIN {printf "| idle memory per tenant | %d KiB RSS | %d KiB RSS | %.1f KiB per tenant |\n", a, b, (b - a) / (n - 1)}'
