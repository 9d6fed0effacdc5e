#!/usr/bin/env bash
# A/B of two steer-authd builds on the same machine, interleaved (A, B, A, B, ...) so that a VM
# whose speed drifts over minutes affects both alike. Each build runs as in bench/auth/run.sh
# (SQLite, `threads: 2`); per round and build: WARM s of warm-up, then DURATION s of
# wrk -t2 -c32 on introspection and on ES256 client_credentials. Prints req/s and the server's
# CPU-µs per request (user and sys, from /proc/PID/stat), then the median of each. Exit status
# 1 if a run answered nothing or anything but 2xx. CI runs a short form (bench.auth_ab_short).
# Usage: bench/auth/ab.sh A_STEER_AUTHD B_STEER_AUTHD   env: ROUNDS (3), DURATION (8), WARM (3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# = 2 ] || { echo "usage: bench/auth/ab.sh A_STEER_AUTHD B_STEER_AUTHD" >&2; exit 2; }
rounds=${ROUNDS:-3}
dur=${DURATION:-8}
warm=${WARM:-3}
tmp=$(mktemp -d /tmp/steer-authab.XXXXXX)
srv=
cleanup() {
  if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=bench/auth/lib.sh
source "$here/lib.sh"
SECRET=svc-secret-0123456789abcdef0123456789
CC="grant_type=client_credentials&scope=api"
AUTH=$(b64 "svc-ES256:$SECRET")

# start NAME BINARY: a fresh steer-authd of BINARY in $tmp/NAME; sets srv and url.
start() {
  local d=$tmp/$1 bin=$2 p
  rm -rf "$d" && mkdir -p "$d"
  p=$(port)
  cat >"$d/authd.yaml" <<YAML
issuer: http://127.0.0.1:$p
listen: {address: 127.0.0.1, port: $p}
threads: 2
keys_dir: $d/keys
store: {sqlite: $d/authd.db}
throttle: {logins_per_minute: 0, requests_per_second: 0}
log: {level: warn}
YAML
  "$bin" admin keys generate --dir "$d/keys" >/dev/null
  echo "$SECRET" | "$bin" admin --config "$d/authd.yaml" client add svc-ES256 \
    --grant client_credentials --scope api --audience urn:bench --alg ES256 --secret-stdin >/dev/null
  "$bin" --config "$d/authd.yaml" >"$d/authd.log" 2>&1 &
  srv=$!
  url=http://127.0.0.1:$p
  wait_up "$url/healthz/ready" || { cat "$d/authd.log"; exit 1; }
}
# measure NAME PATH BODY: appends "NAME req/s user-us sys-us" to $tmp/raw.
measure() {
  local name=$1 path=$2 body=$3 u0 s0 u1 s1 out n rps
  PATH_TO=$path BODY=$body AUTH_B64=$AUTH DELAY_MS=0 \
    wrk -t2 -c32 -d"${warm}s" -s "$here/post.lua" "$url" >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$srv/stat")
  out=$(PATH_TO=$path BODY=$body AUTH_B64=$AUTH DELAY_MS=0 \
    wrk -t2 -c32 -d"${dur}s" -s "$here/post.lua" "$url")
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$srv/stat")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  if grep -q 'Non-2xx' <<<"$out"; then echo "$name: $(grep 'Non-2xx' <<<"$out")" >&2; exit 1; fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v nm="$name" -v r="$rps" -v n="$n" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
    -v hz="$(getconf CLK_TCK)" -v raw="$tmp/raw" 'BEGIN {
      us = u * 1e6 / hz / n; sy = s * 1e6 / hz / n
      printf "%-16s %9.0f req/s  user %5.1f  sys %5.1f CPU-us/req\n", nm, r, us, sy
      printf "%s %s %s %s %s\n", nm, r, us + sy, us, sy >> raw}'
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); ROUNDS=$rounds DURATION=$dur"
for i in $(seq "$rounds"); do
  for side in A B; do
    bin=$1; [ $side = B ] && bin=$2
    start "$side" "$(realpath "$bin")"
    token=$(curl -s -u "svc-ES256:$SECRET" -d "$CC" "$url/token" |
      sed 's/.*"access_token":"\([^"]*\)".*/\1/')
    measure "$side.introspect" /introspect "token=$token"
    measure "$side.cc.es256" /token "$CC"
    kill "$srv"; wait "$srv" 2>/dev/null || true; srv=
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| row | req/s, median [min-max] | server CPU-us per request, user + sys |"
echo "|---|---|---|"
# Columns of $tmp/raw: name, req/s, CPU-us per request (user + sys), user, sys; stat_of from
# lib.sh gives the median [min max] of one.
for row in A.introspect B.introspect A.cc.es256 B.cc.es256; do
  printf '| %s | %s | %s |\n' "$row" \
    "$(stat_of "$row" 2 | awk '{printf "%.0f [%.0f-%.0f]", $1, $2, $3}')" \
    "$(stat_of "$row" 3 | awk '{printf "%.1f [%.1f-%.1f]", $1, $2, $3}')"
done
# Every run must have answered: 4 rows a round, each with requests.
if [ "$(awk '$2 > 0' "$tmp/raw" | wc -l)" != $((4 * rounds)) ]; then
  echo "a run answered nothing" >&2
  exit 1
fi
