#!/usr/bin/env bash
# Disk faults (issue #18): steerd's state directory read-only (at start), full, or its database
# locked by another process. Read-only: steerd refuses to start and names the store. Full or
# locked under a running steerd: it keeps probing and answering its API, makes no DNS change (a
# decision is acted on only once its state is stored, a change is made only after its intent is
# durable in the audit log), says why in the status (the service's `held`, or `last_error` when
# the intent could not be written), and makes the change once the disk is back.
#
# The state directory is a 2 MiB tmpfs (root only: exit 77 otherwise). Setup: single_agent.sh.
# Usage: disk_faults.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "disk_faults.sh needs root (tmpfs mounts): skipped"; exit 77; }
mounted=""
mount_state() { mount -t tmpfs -o size=2m steer-fault "$STATE"; mounted=$STATE; }
unmount_state() { [ -z "$mounted" ] || umount -l "$mounted" || true; }
prepare_state=mount_state on_cleanup=unmount_state
. "$here/single_agent.sh"

fail() { echo "FAIL: $*"; tail -30 "$D/steerd.log"; exit 1; }
accepted() { grep -c '"status":2' "$D/writes.jsonl" 2>/dev/null || true; }
why() {
  curl -sf -m 2 "http://127.0.0.1:$API/api/v1/status" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]; print(s["held"] or s["last_error"] or "")'
}
# expect_held WHAT SECONDS: for SECONDS no write lands, DNS still answers a, the API answers and
# says why (held or last_error names the state store or the audit log); then `restore_disk` and the failover to b lands within 10 s.
expect_held() {
  local before; before=$(accepted)
  touch "$D/cut-a"; event cut
  local seen="" err=""
  local until=$((SECONDS + $2))
  while [ $SECONDS -lt $until ]; do
    sleep 0.1
    err=$(why) || fail "$1: the API stopped answering"
    case "$err" in *"audit log"* | *"state store"*) seen=$err ;; esac
  done
  [ "$(accepted)" = "$before" ] || fail "$1: a DNS write landed although it could not be audited"
  [ "$(answer)" = 127.0.0.2 ] || fail "$1: DNS changed: $(answer)"
  [ -n "$seen" ] || fail "$1: the status never said why (held / last_error: $err)"
  echo "$1: held: $seen"
  restore_disk
  for _ in $(seq 100); do [ "$(answer)" = 127.0.0.3 ] && break; sleep 0.1; done
  [ "$(answer)" = 127.0.0.3 ] || fail "$1: no failover after the disk came back"
  echo "$1: failover landed once the disk was back"
  rm -f "$D/cut-a"; event restore
  for _ in $(seq 100); do [ "$(answer)" = 127.0.0.2 ] && break; sleep 0.1; done
  [ "$(answer)" = 127.0.0.2 ] || fail "$1: no failback"
}

# 1. Read-only: steerd refuses to start on a state directory it cannot write, and says which.
# (A running steerd's tmpfs cannot be remounted read-only: its open database makes it busy.)
mount -o remount,ro "$STATE"
set +e
CRASH_PDNS_KEY=$KEY timeout 20 "$steerd" --config "$D/policy.yaml" --token-file "$D/tokens" \
  >"$D/ro.log" 2>&1
rc=$?
set -e
mount -o remount,rw "$STATE"
[ $rc != 0 ] && [ $rc != 124 ] || fail "read-only: steerd did not refuse to start (exit $rc)"
grep -q "$STATE/state.db" "$D/ro.log" || fail "read-only: the error does not name the store: $(cat "$D/ro.log")"
echo "read-only: refused to start: $(grep -m1 state.db "$D/ro.log")"

start_steerd
sleep 0.5

# 2. Full: a file fills every free block of the tmpfs.
dd if=/dev/zero of="$STATE/fill" bs=64k 2>/dev/null || true
restore_disk() { rm -f "$STATE/fill"; }
expect_held "full" 3

# 3. Locked: another process holds the database's write lock (longer than steerd's 5 s busy
# timeout per statement).
setsid sqlite3 -bail "$STATE/state.db" ".timeout 10000" "BEGIN EXCLUSIVE;" ".shell touch $D/locked" \
  ".shell sleep 60" "COMMIT;" >/dev/null &
locker=$!
PIDS+=($locker)
for _ in $(seq 100); do [ -e "$D/locked" ] && break; sleep 0.1; done
[ -e "$D/locked" ] || fail "locked: sqlite3 did not get the write lock"
# Its own process group: the `.shell sleep` child goes with it.
restore_disk() { kill -- "-$locker" 2>/dev/null || true; wait "$locker" 2>/dev/null || true; }
expect_held "locked" 8

kill "$steerd_pid"; wait "$steerd_pid" 2>/dev/null || true; steerd_pid=""
python3 "$here/crash_check.py" --writes "$D/writes.jsonl" --events "$D/events.jsonl" \
  --state "$STATE/state.db" --name login.crash.test. --final 127.0.0.2
