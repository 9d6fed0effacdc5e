#!/usr/bin/env bash
# The README's PostgreSQL demo (STEER_DEMO_STORE=postgres scripts/demo), end to end, without
# setup and build: both regions' steer-authd on one PostgreSQL replicated by Patroni; a token
# revoked at region a is inactive at b at once; db.demo.test answers the Patroni primary's
# address, and after `scripts/demo kill-db` (kill -9 of the primary's postmaster) the other
# node's; region a issues tokens again and login.demo.test stays on a (a fault every region
# shares moves nothing); scripts/demo stop leaves nothing running (the postmasters included).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# 16 consecutive ports, below the ephemeral range (32768+: a client socket may hold one there)
# and free for TCP now: Patroni's REST API does not retry another port.
free16() {
  python3 -c 'import socket,sys
b=int(sys.argv[1])
for p in range(b, b + 16):
    s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()' "$1" 2>/dev/null
}
for _ in $(seq 50); do
  base=$((20000 + RANDOM % 12000))
  free16 "$base" && break
done
export STEER_DEMO_DIR=$(mktemp -d /tmp/steer-demo-pg-test.XXXXXX)
export STEER_DEMO_STORE=postgres STEER_DEMO_SKIP_BUILD=1
export STEER_DEMO_DNS_PORT=$base STEER_DEMO_PDNS_API_PORT=$((base + 1))
export STEER_DEMO_API_PORT=$((base + 2)) STEER_DEMO_REGION_PORTS="$((base + 3)) $((base + 4))"
export STEER_DEMO_PG_PORTS="$((base + 5)) $((base + 6))" STEER_DEMO_PATRONI_PORTS="$((base + 7)) $((base + 8))"
export STEER_DEMO_ETCD_PORT=$((base + 9))  # +9 .. +14
export STEER_DEMO_STATUS_PORT=$((base + 15))
chmod 755 "$STEER_DEMO_DIR"  # the postgres user works below it
cd "$root"
scripts/demo > "$STEER_DEMO_DIR/demo.out" 2>&1 &
demo=$!
cleanup() {
  scripts/demo stop >/dev/null 2>&1 || true
  kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true
  rm -rf "$STEER_DEMO_DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  cat "$STEER_DEMO_DIR/demo.out"
  for f in "$STEER_DEMO_DIR"/patroni-*.log; do [ -f "$f" ] && tail -n 5 "$f"; done
  for f in steerd.log authd-a.log authd-b.log; do
    echo "--- $f"; tail -n 20 "$STEER_DEMO_DIR/$f" 2>/dev/null | cut -c1-400 || true
  done
  exit 1
}

answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" "$1" A; }
wait_answer() {  # wait_answer NAME ANSWER SECONDS
  for _ in $(seq $(($3 * 10))); do [ "$(answer "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "$1 never answered $2 (last: $(answer "$1"))"
}
for _ in $(seq 1800); do grep -q "demo is running\|stopping the demo" "$STEER_DEMO_DIR/demo.out" && break; sleep 0.1; done
grep -q "demo is running" "$STEER_DEMO_DIR/demo.out" || fail "the demo did not start"
wait_answer login.demo.test 198.51.100.10 20

read -r pa pb <<<"$STEER_DEMO_PATRONI_PORTS"
primary_is_a() { curl -sf -o /dev/null "http://127.0.0.1:$pa/primary"; }
if primary_is_a; then first=198.51.100.11 second=198.51.100.21; else first=198.51.100.21 second=198.51.100.11; fi
wait_answer db.demo.test "$first" 20

a=$((base + 3)) b=$((base + 4)) creds=demo-app:demo-client-secret-0123456789abcdef
token() { curl -sf -u "$creds" -d grant_type=client_credentials -d scope=api "http://127.0.0.1:$a/token" |
          sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'; }
t=$(token)
[ -n "$t" ] || fail "no token from region a"
curl -sf -u "$creds" -d "token=$t" "http://127.0.0.1:$b/introspect" | grep -q '"active":true' || fail "b does not know a's token"
curl -sf -u "$creds" -d "token=$t" "http://127.0.0.1:$a/revoke" >/dev/null || fail "revoke at a"
curl -sf -u "$creds" -d "token=$t" "http://127.0.0.1:$b/introspect" | grep -q '"active":false' ||
  fail "a token revoked at a is still active at b"

scripts/demo kill-db | grep -q "killed the PostgreSQL primary" || fail "kill-db"
wait_answer db.demo.test "$second" 30
t=""
for _ in $(seq 200); do t=$(token) && [ -n "$t" ] && break; sleep 0.1; done
[ -n "$t" ] || fail "region a does not issue tokens after the database failover"
[ "$(answer login.demo.test)" = 198.51.100.10 ] || fail "login.demo.test moved for a database failover"

pids=$(cat "$STEER_DEMO_DIR"/*.pid)
[ "$(scripts/demo stop 2>&1)" = "demo stopped" ] || fail "scripts/demo stop"
wait "$demo" 2>/dev/null || true
sleep 1
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status"; then
    fail "still running after stop: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  fi
done
if pgrep -f "postgres -D $STEER_DEMO_DIR" >/dev/null; then fail "a postmaster outlived the demo"; fi
echo "demo_postgres_test: ok"
