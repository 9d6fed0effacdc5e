#!/usr/bin/env bash
# Crash consistency (issue #18): kill -9 of steerd at random moments during repeated failovers
# and failbacks, then check from the outside that nothing was lost or done twice.
#
# Setup (single_agent.sh): one steerd steering login.crash.test. between regions a and b on a
# real PowerDNS behind steer_write_recorder; region a is cut and restored by a flag file. Each
# run: flip the cut, then kill -9 steerd either the moment it logged its intent to change DNS
# (odd runs: its write request is held 150 ms at the recorder and lands after steerd died) or
# after a random 0-1.5 s (even runs), and start it again on the same state directory. At the
# end region a is restored and steerd stops cleanly, and crash_check.py judges the recorder's
# log against the audit log in state.db (rules there). STEER_FAULT_KEEP=1 keeps the files.
#
# Usage: crash_consistency.sh BUILD_DIR [RUNS]   (RUNS default 8; the long form: 100)
# Loopback only; free ports; every process stopped by PID; exit 0 = consistent.
set -euo pipefail
build=$(realpath "$1")
runs=${2:-${STEER_CRASH_RUNS:-8}}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/single_agent.sh"

start_steerd
cut=0
for run in $(seq "$runs"); do
  if [ $cut = 0 ]; then touch "$D/cut-a"; cut=1; event cut; else rm -f "$D/cut-a"; cut=0; event restore; fi
  if [ $((run % 2)) = 1 ]; then
    # Odd runs: kill the moment steerd has logged its intent, while its write request is held
    # at the recorder (it reaches PowerDNS after steerd died: the change nobody saw finish).
    before=$(intents)
    for _ in $(seq 300); do [ "$(intents)" -gt "$before" ] && break; sleep 0.01; done
  else
    sleep "$(python3 -c 'import random; print(round(random.uniform(0, 1.5), 3))')"
  fi
  kill -9 "$steerd_pid"; wait "$steerd_pid" 2>/dev/null || true
  event kill
  # The store as the next steerd will open it (the checker runs the same check at the end).
  integrity=$(sqlite3 "$STATE/state.db" "PRAGMA integrity_check" 2>&1)
  [ "$integrity" = ok ] || { echo "violation: integrity after kill $run: $integrity"; exit 1; }
  start_steerd
  event started
done
# Settle: region a healthy, steerd brings login back to a and then stops cleanly.
rm -f "$D/cut-a"; event restore
for _ in $(seq 150); do [ "$(answer)" = 127.0.0.2 ] && break; sleep 0.1; done
sleep 1
kill "$steerd_pid"; wait "$steerd_pid" 2>/dev/null || true; steerd_pid=""
echo "final answer: $(answer)"
python3 "$here/crash_check.py" --writes "$D/writes.jsonl" --events "$D/events.jsonl" \
  --state "$STATE/state.db" --name login.crash.test. --final 127.0.0.2 --runs "$runs" || {
  echo "--- steerd log (tail)"; tail -40 "$D/steerd.log"; exit 1; }
