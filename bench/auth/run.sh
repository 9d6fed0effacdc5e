#!/usr/bin/env bash
# Benchmark: steer-authd vs npm oidc-provider (in-memory adapter, JWT access tokens through a
# resource indicator), same machine, same run, loopback only, with wrk. Measures
# client_credentials issuance (ES256, RS256), introspection, p99 at about half of peak load,
# password-grant logins against cores / Argon2id hash time, and `openssl speed rsa2048`.
# Usage: bench/auth/run.sh [path/to/steer-authd]   env: DURATION (s, default 8), CONNS (32)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
authd=$(realpath "${1:-$here/../../build/auth-core/steer-authd}")
dur=${DURATION:-8}
conns=${CONNS:-32}
tmp=$(mktemp -d /tmp/steer-authbench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -d "$here/node_modules/oidc-provider" ] ||
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
b64() { printf '%s' "$1" | base64 -w0; }
wait_up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; return 1; }

# run NAME URL PATH BODY BASIC [extra wrk args...] -> "NAME req/s p99 non2xx"
run() {
  local name=$1 url=$2 path=$3 body=$4 basic=$5
  shift 5
  local out t0 t1
  t0=$(ticks)
  out=$(PATH_TO=$path BODY=$body AUTH_B64=$(b64 "$basic") DELAY_MS=${DELAY_MS:-0} \
    timeout $((dur + 20)) wrk -t"$(( ${C:-$conns} < 2 ? 1 : 2 ))" -c"${C:-$conns}" -d"${dur}s" --latency -s "$here/post.lua" "$url" "$@")
  t1=$(ticks)
  local rps p99 bad n cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  # Requests per CPU-second of the server process: the figure the shared, noisy host does
  # not distort much (other tenants steal wall time, not the server's CPU time).
  cpu=$(awk -v n="$n" -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf("%.0f", (d > 0) ? n / (d / hz) : 0)}')
  printf '%-22s %9s req/s  p99 %-9s non-2xx %-3s %7s req/cpu-s\n' "$name" "$rps" "$p99" "${bad:-0}" "$cpu" | tee -a "$tmp/results"
}
rps_of() { awk -v n="$1" '$1==n {print $2}' "$tmp/results"; }
cpu_of() { awk -v n="$1" '$1==n {print $(NF-1)}' "$tmp/results"; }
# utime+stime (clock ticks) of the server under test, all threads.
ticks() { awk '{print $14 + $15}' "/proc/$SRV/stat"; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
SECRET=svc-secret-0123456789abcdef0123456789
# ---- steer-authd
sp=$(port)
cat >"$tmp/authd.yaml" <<YAML
issuer: http://127.0.0.1:$sp
listen: {address: 127.0.0.1, port: $sp}
threads: 2
keys_dir: keys
store: {sqlite: authd.db}
throttle: {logins_per_minute: 0, requests_per_second: 0}
hashing: {max_concurrent: 2}
log: {level: warn}
YAML
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null
for alg in ES256 RS256; do
  echo "$SECRET" | "$authd" admin --config "$tmp/authd.yaml" client add "svc-$alg" \
    --grant client_credentials --scope api --audience urn:bench --alg $alg --secret-stdin
done
echo "$SECRET" | "$authd" admin --config "$tmp/authd.yaml" client add cli --grant password --secret-stdin
echo "bench-password-1" | "$authd" admin --config "$tmp/authd.yaml" user add bench >/dev/null
"$authd" --config "$tmp/authd.yaml" >"$tmp/authd.log" 2>&1 &
pids+=($!)
SRV=$!
wait_up "http://127.0.0.1:$sp/healthz/ready"
S=http://127.0.0.1:$sp
CC="grant_type=client_credentials&scope=api"
token=$(curl -s -u "svc-ES256:$SECRET" -d "$CC" "$S/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
run steer.cc.es256 "$S" /token "$CC" "svc-ES256:$SECRET"
run steer.cc.rs256 "$S" /token "$CC" "svc-RS256:$SECRET"
run steer.introspect "$S" /introspect "token=$token" "svc-ES256:$SECRET"
# About half of the measured peak: 64 connections, each pausing 64/(peak/2) s per request.
for n in cc.es256 cc.rs256 introspect; do
  peak=$(rps_of "steer.$n")
  delay=$(awk -v p="$peak" 'BEGIN {d=int(64*1000/(p/2)); print (d<1?1:d)}')
  body=$CC; path=/token; who="svc-ES256:$SECRET"
  [ $n = cc.rs256 ] && who="svc-RS256:$SECRET"
  [ $n = introspect ] && { body="token=$token"; path=/introspect; }
  C=64 DELAY_MS=$delay run "steer.$n.half" "$S" "$path" "$body" "$who"
done
PW="grant_type=password&username=bench&password=bench-password-1"
C=1 run steer.password.c1 "$S" /token "$PW" "cli:$SECRET"
C=4 run steer.password.c4 "$S" /token "$PW" "cli:$SECRET"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# ---- oidc-provider
pp=$(port)
NODE_ENV=production node "$here/peer.mjs" "$pp" >"$tmp/peer.log" 2>&1 &
pids+=($!)
SRV=$!
P=http://127.0.0.1:$pp
wait_up "$P/.well-known/openid-configuration"
opaque=$(curl -s -u "svc:$SECRET" -d "$CC&resource=urn:bench:opaque" "$P/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
run peer.cc.es256 "$P" /token "$CC&resource=urn:bench:es" "svc:$SECRET"
run peer.cc.rs256 "$P" /token "$CC&resource=urn:bench:rs" "svc:$SECRET"
run peer.introspect.opaque "$P" /token/introspection "token=$opaque" "svc:$SECRET"

# ---- RSA-2048 signing limit of this machine: one core's rate (openssl speed) x cores
rsa1=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
cores=$(nproc)
rsa=$(awk -v r="$rsa1" -v c="$cores" 'BEGIN {print r*c}')
echo "openssl.rsa2048.sign.1core $rsa1 sign/s (x$cores cores = $rsa)" | tee -a "$tmp/results"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (other tenants share these cores)"
echo
echo "| measure | steer-authd | oidc-provider | ratio |"
echo "|---|---|---|---|"
for n in cc.es256 cc.rs256; do
  awk -v a="$(rps_of steer.$n)" -v b="$(rps_of peer.$n)" -v ca="$(cpu_of steer.$n)" \
    -v cb="$(cpu_of peer.$n)" -v n="$n" 'BEGIN {printf "| %s req/s (req per CPU-s) | %.0f (%.0f) | %.0f (%.0f) | %.1fx (%.1fx) |\n", n, a, ca, b, cb, a/b, ca/cb}'
done
awk -v a="$(rps_of steer.introspect)" -v b="$(rps_of peer.introspect.opaque)" \
  -v ca="$(cpu_of steer.introspect)" -v cb="$(cpu_of peer.introspect.opaque)" \
  'BEGIN {printf "| introspection req/s (steer: ES256 JWT, peer: opaque) | %.0f (%.0f) | %.0f (%.0f) | %.1fx (%.1fx) |\n", a, ca, b, cb, a/b, ca/cb}'
awk -v a="$(cpu_of steer.cc.rs256)" -v r="$rsa1" \
  'BEGIN {printf "| RS256 tokens per CPU-s vs openssl rsa2048 signs per CPU-s | %.0f / %.0f | | %.0f%% |\n", a, r, 100*a/r}'
awk -v c1="$(rps_of steer.password.c1)" -v c4="$(rps_of steer.password.c4)" -v n="$cores" \
  'BEGIN {printf "| password logins/s vs cores / hash time (%d x %.1f/s) | %.1f | | %.0f%% |\n", n, c1, c4, 100*c4/(n*c1)}'
awk -v a="$(cpu_of steer.password.c4)" -v b="$(cpu_of steer.password.c1)" \
  'BEGIN {printf "| password logins per CPU-s, 4 concurrent vs 1 (hash cost only) | %.1f / %.1f | | %.0f%% |\n", a, b, 100*a/b}'
