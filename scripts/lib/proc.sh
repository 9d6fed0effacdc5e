# Shell helpers shared by the benchmarks (bench/*) and tests/fault/single_agent.sh: a free port
# on loopback, stopping the processes a script started by PID, and running a cleanup once on
# exit. Sourced; defines functions only.
# shellcheck shell=bash

# A TCP port free on 127.0.0.1 a moment ago (bound to 0 by the kernel, then released).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# stop_pids PID...: SIGCONT (a paused one must see the TERM) and SIGTERM to each, wait up to
# 5 s for each to go (a run right after needs its ports), then SIGKILL.
stop_pids() {
  local p
  for p in "$@"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}

# on_exit FUNC: FUNC runs once when the script ends, also on INT and TERM. A trap on a signal
# alone returns to the script afterwards (a stopped soak went on sampling without its servers),
# so the signals exit and the EXIT trap does the cleaning.
on_exit() {
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
