#!/usr/bin/env bash
# Benchmark: steer-authd vs npm oidc-provider, same machine, same run, loopback only, with wrk.
# The peer runs on every core (Node cluster, one worker per core, one shared adapter:
# peer.mjs); steer-authd with `threads: 2`. Measures client_credentials issuance (ES256,
# RS256 JWTs on both sides), introspection (steer-authd: its ES256 JWT; the peer: an opaque
# token, since oidc-provider refuses to introspect JWTs), p99 at about half of peak load, and
# password-grant logins against cores x one login's rate. Every row is run REPEAT times, the
# two servers interleaved, and reported as median [min-max], also per CPU-second of the server
# (utime+stime of all its processes and threads over the run). Load average is printed per run.
# Usage: bench/auth/run.sh [path/to/steer-authd]
#   env: DURATION (s per run, default 8), CONNS (32), REPEAT (3), THREADS (steer-authd, 2),
#        WORKERS (peer cluster workers, default: cores)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
authd=$(realpath "${1:-$here/../../build/auth-core/steer-authd}")
dur=${DURATION:-8}
conns=${CONNS:-32}
rep=${REPEAT:-3}
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

# shellcheck source=bench/auth/lib.sh
source "$here/lib.sh"

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; REPEAT=$rep DURATION=$dur CONNS=$conns"
SECRET=svc-secret-0123456789abcdef0123456789
# ---- steer-authd
sp=$(port)
cat >"$tmp/authd.yaml" <<YAML
issuer: http://127.0.0.1:$sp
listen: {address: 127.0.0.1, port: $sp}
threads: ${THREADS:-2}
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
STEER=$!
S=http://127.0.0.1:$sp
wait_up "$S/healthz/ready"

# ---- oidc-provider: one cluster worker per core (peer.mjs), sharing one adapter
pp=$(port)
NODE_ENV=production node "$here/peer.mjs" "$pp" >"$tmp/peer.log" 2>&1 &
pids+=($!)
P=http://127.0.0.1:$pp
for _ in $(seq 200); do grep -q '^ready' "$tmp/peer.log" && break; sleep 0.1; done
grep '^ready' "$tmp/peer.log" || { cat "$tmp/peer.log"; exit 1; }
PEER="${pids[1]} $(ps -o pid= --ppid "${pids[1]}" | tr '\n' ' ')"

CC="grant_type=client_credentials&scope=api"
token=$(curl -s -u "svc-ES256:$SECRET" -d "$CC" "$S/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
opaque=$(curl -s -u "svc:$SECRET" -d "$CC&resource=urn:bench:opaque" "$P/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
sleep 0.5  # the opaque token reaches every worker's copy of the adapter
# Warm-up, not recorded: Node's JIT and both servers' caches (steer-authd's verified-token and
# client caches, the peer's compiled code) get what every later run has.
warm() { PATH_TO=$2 BODY=$3 AUTH_B64=$(b64 "$4") timeout 30 wrk -t2 -c"$conns" -d3s -s "$here/post.lua" "$1" >/dev/null; }
warm "$S" /token "$CC" "svc-ES256:$SECRET"
warm "$S" /introspect "token=$token" "svc-ES256:$SECRET"
warm "$P" /token "$CC&resource=urn:bench:es" "svc:$SECRET"
warm "$P" /token "$CC&resource=urn:bench:rs" "svc:$SECRET"
warm "$P" /token/introspection "token=$opaque" "svc:$SECRET"
for i in $(seq "$rep"); do
  echo "-- round $i of $rep"
  SRV=$STEER run steer.cc.es256 "$S" /token "$CC" "svc-ES256:$SECRET"
  SRV=$PEER run peer.cc.es256 "$P" /token "$CC&resource=urn:bench:es" "svc:$SECRET"
  SRV=$STEER run steer.cc.rs256 "$S" /token "$CC" "svc-RS256:$SECRET"
  SRV=$PEER run peer.cc.rs256 "$P" /token "$CC&resource=urn:bench:rs" "svc:$SECRET"
  SRV=$STEER run steer.introspect "$S" /introspect "token=$token" "svc-ES256:$SECRET"
  SRV=$PEER run peer.introspect.opaque "$P" /token/introspection "token=$opaque" "svc:$SECRET"
done
# About half of the median peak: 64 connections, each pausing 64/(peak/2) s per request.
for i in $(seq "$rep"); do
  for n in cc.es256 cc.rs256 introspect; do
    peak=$(med "steer.$n")
    delay=$(awk -v p="$peak" 'BEGIN {d=int(64*1000/(p/2)); print (d<1?1:d)}')
    body=$CC; path=/token; who="svc-ES256:$SECRET"
    [ $n = cc.rs256 ] && who="svc-RS256:$SECRET"
    [ $n = introspect ] && { body="token=$token"; path=/introspect; }
    SRV=$STEER C=64 DELAY_MS=$delay run "steer.$n.half" "$S" "$path" "$body" "$who"
  done
done
PW="grant_type=password&username=bench&password=bench-password-1"
for i in $(seq "$rep"); do
  SRV=$STEER C=1 run steer.password.c1 "$S" /token "$PW" "cli:$SECRET"
  SRV=$STEER C=4 run steer.password.c4 "$S" /token "$PW" "cli:$SECRET"
done
grep -q '"active":true' <(curl -s -u "svc:$SECRET" -d "token=$opaque" "$P/token/introspection") ||
  echo "WARNING: the peer no longer knows its opaque token; its introspection rows are invalid"

# ---- RSA-2048 signing limit of this machine: one core's rate (openssl speed) x cores
rsa1=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}')
cores=$(nproc)
echo "openssl.rsa2048.sign.1core $rsa1 sign/s (x$cores cores = $(awk -v r="$rsa1" -v c="$cores" 'BEGIN {print r*c}'))"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (other tenants share these cores)"
echo
echo "Median of $rep runs [min-max]; req/cpu-s = requests per CPU-second of all the server's processes."
echo
rows_table
echo
echo "| comparison (medians) | steer-authd | oidc-provider | ratio req/s (per CPU-s) |"
echo "|---|---|---|---|"
cmp_row() {
  awk -v l="$1" -v a="$(med "$2")" -v b="$(med "$3")" -v ca="$(med "$2" 5)" -v cb="$(med "$3" 5)" \
    'BEGIN {printf "| %s req/s (per CPU-s) | %.0f (%.0f) | %.0f (%.0f) | %.1fx (%.1fx) |\n", l, a, ca, b, cb, a/b, ca/cb}'
}
cmp_row "ES256 client_credentials" steer.cc.es256 peer.cc.es256
cmp_row "RS256 client_credentials" steer.cc.rs256 peer.cc.rs256
cmp_row "introspection (steer: ES256 JWT, peer: opaque)" steer.introspect peer.introspect.opaque
awk -v a="$(med steer.cc.rs256 5)" -v r="$rsa1" \
  'BEGIN {printf "| RS256 tokens per CPU-s vs openssl rsa2048 signs per CPU-s | %.0f / %.0f | | %.0f%% |\n", a, r, 100*a/r}'
awk -v c1="$(med steer.password.c1)" -v c4="$(med steer.password.c4)" -v n="$cores" \
  'BEGIN {printf "| password logins/s vs cores x logins/s at 1 connection (%d x %.1f/s) | %.1f | | %.0f%% |\n", n, c1, c4, 100*c4/(n*c1)}'
