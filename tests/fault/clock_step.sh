#!/usr/bin/env bash
# A real steerd under libfaketime whose wall clock is stepped an hour forward, then (a second
# run) an hour back, while the monotonic clock runs on (FAKETIME_DONT_FAKE_MONOTONIC). Region a
# is down at start, so service login fails over to b at once; block_after_failover 12s; a comes
# back 2 s after start and the wall clock is stepped 3 s after start. The failback must come
# when the block window ends, 12 s after the failover on the monotonic clock (~9 s after the
# step): not at once after +1 h (the window ending early), not an hour late after -1 h. ~30 s.
# Usage: clock_step.sh STEERD
set -euo pipefail
steerd=$1
lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[ -r "$lib" ] || { echo "clock_step: libfaketime missing (Debian faketime; scripts/setup)"; exit 1; }
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
# listen PORTFILE [FLAG]: a TCP listener on a free loopback port (printed to PORTFILE); with
# FLAG, the port refuses connections until FLAG exists.
listen() {
  python3 -c '
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while len(sys.argv) > 1 and not os.path.exists(sys.argv[1]): time.sleep(0.05)
s.listen(128)
while True:
    c, _ = s.accept(); c.close()' "${@:2}" >"$1" &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$1" ] && return; sleep 0.1; done
  echo "clock_step: listener did not start"; exit 1
}
listen "$dir/port_b"

# seconds NS_SINCE: whole seconds since a `date +%s%N` reading.
seconds() { echo $((($(date +%s%N) - $1) / 1000000000)); }
# wait_for ADDRESS LIMIT_S: until the zone serves ADDRESS; false after LIMIT_S seconds.
wait_for() {
  local start
  start=$(date +%s%N)
  until grep -q "A $1\$" "$dir/demo.zone"; do
    [ "$(seconds "$start")" -lt "$2" ] || return 1
    sleep 0.1
  done
}

# start_steerd: steerd on the policy, under libfaketime reading $dir/faketime; sets `pid`.
# (The probes have jitter: a process started with a non-zero offset never runs a timer that is
# due at once, as the first probe without jitter is: asio then arms its timerfd with an absolute
# time, which libfaketime shifts by the offset. An artifact of the test's clock, not steerd's.)
start_steerd() {
  LD_PRELOAD=$lib FAKETIME_TIMESTAMP_FILE="$dir/faketime" FAKETIME_NO_CACHE=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 \
    "$steerd" --config "$dir/policy.yaml" --listen 127.0.0.1:0 >>"$dir/out" 2>>"$dir/log" &
  pid=$!
  pids+=("$pid")
}

# run STEP [restart]: a fresh steerd and region a; STEP seconds are added to steerd's wall clock
# 3 s after start (with `restart`: steerd is stopped then, and started again with the stepped
# clock on the same state directory). Sets `result`: whole seconds from the step (3 s after
# start) to the failback (-1: none in 25 s).
run() {
  local pid
  rm -rf "$dir/state" "$dir/a_up" && mkdir "$dir/state"
  listen "$dir/port_a" "$dir/a_up"
  local a_pid=${pids[-1]}
  cat >"$dir/demo.zone" <<'ZONE'
$ORIGIN demo.test.
$TTL 300
@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300
@ IN NS ns1.demo.test.
ns1 IN A 127.0.0.1
login 30 IN A 198.51.100.10
ZONE
  cat >"$dir/policy.yaml" <<YAML
version: 1
agent: {vantage: test, state_dir: $dir/state}
providers:
  dns: {type: zonefile, path: $dir/demo.zone, origin: demo.test.}
regions:
  a: {components: {app: {probes: [{name: h, type: tcp, address: "127.0.0.1:$(cat "$dir/port_a")", interval: 200ms, timeout: 100ms, jitter: 20ms}]}}}
  b: {components: {app: {probes: [{name: h, type: tcp, address: "127.0.0.1:$(cat "$dir/port_b")", interval: 200ms, timeout: 100ms, jitter: 20ms}]}}}
services:
  login:
    dns_name: login.demo.test.
    zone: demo.test.
    provider: dns
    nameservers: ["127.0.0.1:1"]
    min_change_interval: 0s
    block_after_failover: 12s
    failback_after: 0s
    regions:
      - {region: a, answers: [198.51.100.10]}
      - {region: b, answers: [198.51.100.20]}
YAML
  echo "+0" >"$dir/faketime"
  start_steerd
  local started
  started=$(date +%s%N)
  wait_for 198.51.100.20 2 || { echo "clock_step: no failover to b at start" >&2; tail "$dir/log" >&2; exit 1; }
  while [ "$(($(date +%s%N) - started))" -lt 2000000000 ]; do sleep 0.05; done
  touch "$dir/a_up"
  while [ "$(($(date +%s%N) - started))" -lt 3000000000 ]; do sleep 0.05; done
  if [ "${2:-}" = restart ]; then  # stopped, stepped while stopped, started again
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$1" >"$dir/faketime"
    start_steerd
  else
    echo "$1" >"$dir/faketime"
  fi
  local stepped
  stepped=$(date +%s%N)
  [ "${2:-}" != restart ] || stepped=$((started + 3000000000))  # stopping steerd takes a while
  if wait_for 198.51.100.10 25; then result=$(seconds "$stepped"); else result=-1; fi
  kill "$pid" "$a_pid"
  wait "$pid" "$a_pid" 2>/dev/null || true
}

fail() { echo "clock_step: $*"; tail -8 "$dir/log"; exit 1; }
run +3600
fwd=$result
[ "$fwd" -ge 7 ] && [ "$fwd" -le 12 ] ||
  fail "+1 h step: failback ${fwd}s after the step (-1: none in 25 s), want ~9 s"
run -3600
back=$result
[ "$back" -ge 7 ] && [ "$back" -le 12 ] ||
  fail "-1 h step: failback ${back}s after the step (-1: none in 25 s), want ~9 s"
# The same step while steerd is stopped: the restarted steerd continues this boot's policy time
# (agent/policy_clock.h), so the block window persisted before the restart still ends 12 s after
# the failover.
run +3600 restart
restarted=$result
[ "$restarted" -ge 7 ] && [ "$restarted" -le 12 ] ||
  fail "+1 h step while stopped: failback ${restarted}s after the stop (-1: none in 25 s), want ~9 s"
echo "clock_step: ok (failback ${fwd}s after +1 h, ${back}s after -1 h, ${restarted}s after +1 h while stopped)"
