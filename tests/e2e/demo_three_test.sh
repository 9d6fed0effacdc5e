#!/usr/bin/env bash
# The README's three-agent demo (STEER_DEMO_AGENTS=3 scripts/demo), end to end on free ports:
# three steerd on a 3-member etcd cluster elect one leader and all see three vantage points;
# cutting region a moves login.demo.test to b; the leader SIGSTOPped hands leadership to
# another agent, which continues (b stays); a pause asked of a follower is applied by the
# leader; scripts/demo stop leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Below the kernel's ephemeral range (32768-60999), so no outgoing connection holds one.
base=$((20000 + RANDOM % 12000))
export STEER_DEMO_DIR=$(mktemp -d /tmp/steer-demo3-test.XXXXXX)
export STEER_DEMO_DNS_PORT=$base STEER_DEMO_PDNS_API_PORT=$((base + 1))
export STEER_DEMO_API_PORT=$((base + 2)) STEER_DEMO_REGION_PORTS="$((base + 5)) $((base + 6))"
export STEER_DEMO_ETCD_PORT=$((base + 10)) STEER_DEMO_AGENTS=3 STEER_DEMO_SKIP_BUILD=1
export STEER_DEMO_STATUS_PORT=$((base + 7))  # status pages on +7, +8, +9
cd "$root"
scripts/demo > "$STEER_DEMO_DIR/demo.out" 2>&1 &
demo=$!
stopped=""
cleanup() {
  [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null || true
  kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$STEER_DEMO_DIR"
}
trap cleanup EXIT
fail() {
  echo "demo_three_test: FAIL: $*"; cat "$STEER_DEMO_DIR/demo.out"
  for f in "$STEER_DEMO_DIR"/steerd-*.log; do echo "--- $f"; tail -15 "$f"; done
  exit 1
}
answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" login.demo.test A; }
status() { "$root/build/agent/steerctl" status --api "http://127.0.0.1:$((STEER_DEMO_API_PORT + $1 - 1))" 2>/dev/null; }
leaders() {  # the agents (1..3) that say leader=yes
  local n
  for n in 1 2 3; do status "$n" | grep -q "leader=yes" && echo "$n"; done
  return 0
}
until_true() {  # until_true SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}
one_leader() { [ "$(leaders | wc -l)" = 1 ]; }
three_vantages() { [ "$(status "$1" | grep -cE '^v[123] +(self|fresh)')" = 3 ]; }
answers() { [ "$(answer)" = "$1" ]; }

until_true 60 grep -q "demo is running" "$STEER_DEMO_DIR/demo.out" || fail "the demo did not start"
until_true 20 one_leader || fail "not exactly one leader: $(leaders | tr '\n' ' ')"
for n in 1 2 3; do until_true 10 three_vantages "$n" || fail "agent $n does not see 3 vantage points"; done
until_true 20 answers 198.51.100.10 || fail "login.demo.test never answered a"

scripts/demo cut a
until_true 10 answers 198.51.100.20 || fail "no failover to b: $(answer)"

old=$(leaders)
stopped=$(cat "$STEER_DEMO_DIR/steerd-$old.pid")
kill -STOP "$stopped"
new_leader() { local l; l=$(leaders | grep -v "^$old$" || true); [ -n "$l" ]; }
until_true 10 new_leader || fail "no new leader while agent $old is stopped"
new=$(leaders | grep -v "^$old$")
kill -CONT "$stopped"; stopped=""
until_true 10 one_leader || fail "two leaders after agent $old resumed"
[ "$(leaders)" = "$new" ] || fail "leadership went back to $old"
answers 198.51.100.20 || fail "the answer moved on the leader change: $(answer)"

follower=$(for n in 1 2 3; do [ "$n" != "$new" ] && echo "$n" && break; done)
out=$("$root/build/agent/steerctl" pause login --why test \
  --api "http://127.0.0.1:$((STEER_DEMO_API_PORT + follower - 1))" --token-file "$STEER_DEMO_DIR/token" 2>&1) ||
  fail "pause through agent $follower: $out"
grep -q "applied by leader v$new, relayed by v$follower" <<<"$out" || fail "pause output: $out"

pids=$(cat "$STEER_DEMO_DIR"/*.pid)
stop_out=$(scripts/demo stop 2>&1)
[ "$stop_out" = "demo stopped" ] || fail "scripts/demo stop said: $stop_out"
wait "$demo" 2>/dev/null || true
for p in $pids; do
  if kill -0 "$p" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$p/status"; then
    fail "process $p still running after scripts/demo stop"
  fi
done
echo "demo_three_test: ok"
