#!/usr/bin/env bash
# Benchmark of steer-authd's stores (issue 14), in one run on this machine: steer-authd on
# SQLite, steer-authd on PostgreSQL 15 (one server from steer-test-pg --durable: fsync on, 256 MB
# of shared buffers, on loopback) and npm oidc-provider twice (peer.mjs, every core): `peer` with
# its shared in-memory adapter (oidc-provider calls that adapter development-only) and
# `peer_redis` with a Redis adapter (redis-server with appendonly yes, appendfsync everysec:
# Redis's recommended durability; its CPU counted as the server's), for client_credentials
# (ES256 JWT), refresh-token rotation (each wrk thread holds one chain: access token ES256 JWT +
# id_token signed with ID_TOKEN_ALG + a new refresh token on every side) and introspection
# (steer-authd: its ES256 JWT, with the revocation check in the store; the peer: an opaque
# token), then p99 at about half of each one's median peak. Rows run REPEAT times, interleaved;
# reported as median [min-max], also per CPU-second of the server:
# for PostgreSQL that is steer-authd plus every postgres process, the database's work included,
# and for peer_redis the Node workers plus redis-server. PEERS="peer peer_redis" (default) picks
# the peer sides.
# Usage: bench/auth/store.sh [BUILD_DIR]
#   env: DURATION (8), CONNS (16), REPEAT (3), KINDS ("cc refresh introspect": which paths),
#        THREADS (steer-authd's `threads`, 2), ID_TOKEN_ALG (the refreshing client's
#        id_token_signed_response_alg on both sides: RS256, the OIDC default, or ES256),
#        PEERS ("peer peer_redis": which oidc-provider sides)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-$here/../../build}")
authd=$build/auth-core/steer-authd
dur=${DURATION:-8}
conns=${CONNS:-16}
rep=${REPEAT:-3}
id_alg=${ID_TOKEN_ALG:-RS256}
tmp=$(mktemp -d /tmp/steer-storebench.XXXXXX)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -d "$here/node_modules/oidc-provider" ] ||
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
# shellcheck source=bench/auth/lib.sh
source "$here/lib.sh"
SECRET=svc-secret-0123456789abcdef0123456789
chains=$((conns * rep * 2))  # one chain per connection, per run (peak and half load)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; REPEAT=$rep DURATION=$dur CONNS=$conns ID_TOKEN_ALG=$id_alg"

coproc PG { exec "$build/tests/support/steer-test-pg" --durable; }
pids+=("$PG_PID")
read -r line <&"${PG[0]}" && pg_dsn=${line#dsn=}
read -r line <&"${PG[0]}" && pg_password=${line#password_file=}
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null

start_authd() {  # start_authd NAME STORE_YAML: seeds clients and a user, starts, sets PORT_<NAME>
  local name=$1 port cfg="$tmp/$1.yaml"
  port=$(port)
  cat >"$cfg" <<YAML
issuer: http://127.0.0.1:$port
listen: {address: 127.0.0.1, port: $port}
threads: ${THREADS:-2}
keys_dir: keys
$2
throttle: {logins_per_minute: 0, requests_per_second: 0}
lockout: {max_failures: 1000}
hashing: {max_concurrent: 2}
log: {level: warn}
YAML
  echo "$SECRET" | "$authd" admin --config "$cfg" client add svc --grant client_credentials \
    --scope api --audience urn:bench --alg ES256 --secret-stdin >/dev/null
  echo "$SECRET" | "$authd" admin --config "$cfg" client add cli --grant password \
    --grant refresh_token --alg ES256 --id-token-alg "$id_alg" --secret-stdin >/dev/null
  echo "bench-password-1" | "$authd" admin --config "$cfg" user add bench >/dev/null
  "$authd" --config "$cfg" >"$tmp/$name.log" 2>&1 &
  pids+=($!)
  eval "PID_$name=$!"
  eval "URL_$name=http://127.0.0.1:$port"
  wait_up "http://127.0.0.1:$port/healthz/ready" || { cat "$tmp/$name.log"; exit 1; }
}
start_authd sqlite "store: {sqlite: sqlite.db}"
start_authd pg "store: {postgres: {dsn: \"$pg_dsn\", password: \"file:$pg_password\", pool_size: 8}}"

peers=${PEERS:-peer peer_redis}
start_peer() {  # start_peer NAME [PEER_REDIS URL]: sets PID_<NAME>, URL_<NAME>, chains.<NAME>
  local name=$1 pp; pp=$(port)
  PEER_REDIS=${2:-} ID_TOKEN_ALG=$id_alg PEER_REFRESH=$chains NODE_ENV=production \
    node "$here/peer.mjs" "$pp" >"$tmp/$name.log" 2>&1 &
  local pid=$! kids
  pids+=("$pid")
  kids=$(sleep 1; ps -o pid= --ppid "$pid" | tr '\n' ' ')
  eval "PID_$name='$pid $kids ${3:-}'"
  eval "URL_$name=http://127.0.0.1:$pp"
  for _ in $(seq 600); do grep -q '^ready' "$tmp/$name.log" && break; sleep 0.1; done
  grep -q '^ready' "$tmp/$name.log" || { cat "$tmp/$name.log"; exit 1; }
  awk '/^refresh/ {print $2}' "$tmp/$name.log" >"$tmp/chains.$name"
}
for s in $peers; do
  case $s in
    peer) start_peer peer ;;
    peer_redis)
      command -v redis-server >/dev/null ||
        { echo "missing redis-server: run scripts/setup, or PEERS=peer" >&2; exit 2; }
      rp=$(port); mkdir -p "$tmp/redis"
      redis-server --port "$rp" --bind 127.0.0.1 --dir "$tmp/redis" --save '' --appendonly yes \
        --appendfsync everysec --daemonize no >"$tmp/redis.log" 2>&1 &
      pids+=($!); rpid=$!
      for _ in $(seq 100); do redis-cli -p "$rp" ping >/dev/null 2>&1 && break; sleep 0.1; done
      redis-cli -p "$rp" ping >/dev/null 2>&1 || { echo "redis-server did not start:" >&2; cat "$tmp/redis.log" >&2; exit 1; }
      start_peer peer_redis "redis://127.0.0.1:$rp" "$rpid" ;;
    *) echo "unknown peer $s (PEERS: peer peer_redis)" >&2; exit 2 ;;
  esac
done

# Refresh chains of steer-authd: password-grant logins (Argon2id), one per chain.
PW="grant_type=password&username=bench&password=bench-password-1&scope=openid%20offline_access"
for s in sqlite pg; do
  url=$(eval echo "\$URL_$s")
  for _ in $(seq "$chains"); do
    curl -sf -u "cli:$SECRET" -d "$PW" "$url/token" | sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p'
    echo  # the body ends without a newline
  done >"$tmp/chains.$s"
  [ "$(grep -c . "$tmp/chains.$s")" = "$chains" ] || { echo "no refresh tokens from $s:" >&2; cat "$tmp/chains.$s" "$tmp/$s.log" >&2; exit 1; }
done
CC="grant_type=client_credentials&scope=api"
tok() { curl -s -u "svc:$SECRET" -d "$CC${2:-}" "$1/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'; }
token_sqlite=$(tok "$URL_sqlite") token_pg=$(tok "$URL_pg")
for s in $peers; do eval "token_$s=\$(tok \"\$URL_$s\" '&resource=urn:bench:opaque')"; done
for s in sqlite pg $peers; do
  case $(eval echo "\$token_$s") in ""|*error*) echo "no access token from $s" >&2; exit 1 ;; esac
done
sleep 0.5
# steer-authd on PostgreSQL, the postmaster and its backends (only this server's: others may run).
pg_pids() {
  local pm; pm=$(pgrep -f "postgres -D $(dirname "$pg_password")/data" | head -1)
  echo "$PID_pg $pm $(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
}
srv_of() { case $1 in pg) pg_pids ;; *) eval echo "\$PID_$1" ;; esac; }
extra_of() { case $1 in peer*) echo "&resource=urn:bench:es" ;; esac; }
introspect_path() { case $1 in peer*) echo /token/introspection ;; *) echo /introspect ;; esac; }

next_chains() {  # next_chains SIDE: the next $conns unused chain starts of SIDE
  local f="$tmp/chains.$1" used="$tmp/used.$1"
  local n; n=$(cat "$used" 2>/dev/null || echo 0)
  sed -n "$((n + 1)),$((n + conns))p" "$f" | tr '\n' ' '
  echo $((n + conns)) >"$used"
}
cc()         { SRV=$(srv_of "$1") run "$2$1.cc" "$(eval echo "\$URL_$1")" /token "$CC$(extra_of "$1")" "svc:$SECRET"; }
refresh()    { SRV=$(srv_of "$1") T=$conns SCRIPT=$here/refresh.lua TOKENS=$(next_chains "$1") EXTRA=$(extra_of "$1") \
                 run "$2$1.refresh" "$(eval echo "\$URL_$1")" /token "" "cli:$SECRET"; }
introspect() { SRV=$(srv_of "$1") run "$2$1.introspect" "$(eval echo "\$URL_$1")" "$(introspect_path "$1")" \
                 "token=$(eval echo "\$token_$1")" "svc:$SECRET"; }
export TOKENS EXTRA
for s in sqlite pg $peers; do  # warm-up, not recorded
  SRV=$(srv_of "$s") run "warm.$s" "$(eval echo "\$URL_$s")" /token "$CC$(extra_of "$s")" "svc:$SECRET" >/dev/null
done
kinds=${KINDS:-cc refresh introspect}
for i in $(seq "$rep"); do
  echo "-- round $i of $rep"
  for s in sqlite pg $peers; do for kind in $kinds; do "$kind" "$s" ""; done; done
done
for i in $(seq "$rep"); do  # about half of the median peak: each connection pauses between requests
  for s in sqlite pg $peers; do
    for kind in $kinds; do
      delay=$(awk -v p="$(med "$s.$kind")" -v c="$conns" 'BEGIN {d=int(c*1000/(p/2)); print (d<1?1:d)}')
      DELAY_MS=$delay "$kind" "$s" "half."
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Median of $rep runs [min-max]; req/cpu-s = requests per CPU-second of the server's processes (PostgreSQL's and Redis's included)."
echo
rows_table
if awk '$1 !~ /^warm/ && $4 > 0 {bad=1} END {exit !bad}' "$tmp/raw"; then
  echo "WARNING: some runs had non-2xx responses (see the rows above); their figures are invalid"
fi
echo
hdr="| path (medians) |" sep="|---|"
for s in $peers; do hdr+=" PostgreSQL / $s, req/s (per CPU-s) |"; sep+="---|"; done
echo "$hdr PostgreSQL / SQLite, req/s (per CPU-s) |"
echo "$sep---|"
ratio() {  # ratio A B [pct]: A over B as "x.yx (x.yx)", or "n% (n%)" with pct; req/s (per CPU-s)
  awk -v a="$(med "$1")" -v b="$(med "$2")" -v ca="$(med "$1" 5)" -v cb="$(med "$2" 5)" -v pct="${3:-}" \
    'BEGIN {if (pct) printf "%.0f%% (%.0f%%)", 100*a/b, 100*ca/cb; else printf "%.1fx (%.1fx)", a/b, ca/cb}'
}
for kind in $kinds; do
  line="| $kind |"
  for s in $peers; do line+=" $(ratio "pg.$kind" "$s.$kind") |"; done
  line+=" $(ratio "pg.$kind" "sqlite.$kind" pct) |"
  echo "$line"
done
