#!/usr/bin/env bash
# bench/coordination: etcd's load from N agents' coordination (issue 12), measured with etcd's
# own /metrics, on a 3-member etcd cluster on loopback (start_etcd of bench/failover/lib.sh),
# then etcd's write capacity on the same cluster, and `etcdctl check perf` with CHECK_PERF=s,
# m or l (60 s more).
#
#   bench/coordination/run.sh [ARGS...]   (needs build/bench/coordination/steer_coord_bench)
#
# ARGS go to steer_coord_bench (defaults: --vantages=50 --regions=20 --targets=2 --tick_ms=100
# --interval_ms=1000 --flip=0.01 --seconds=20); see bench/coordination/coord_bench.cc.
cd "$(dirname "$0")/../.."
ETCD_PORT0=${ETCD_PORT0:-24479}
. bench/failover/lib.sh
start_etcd
echo "# bench/coordination: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu() {  # cpu PID...: user+system CPU seconds so far
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz}'
}
e0=$(cpu "${PIDS[@]}")
/usr/bin/time -f "# steer_coord_bench CPU: %U s user, %S s system, %e s elapsed" \
  "${BENCH:-build/bench/coordination/steer_coord_bench}" "${ETCD_ENDPOINTS//, /,}" "$@"
echo "# etcd (3 members) CPU during the bench: $(awk -v a="$e0" -v b="$(cpu "${PIDS[@]}")" 'BEGIN {print b - a}') s"
if [ -n "${CHECK_PERF:-}" ]; then  # CHECK_PERF=s|m|l: etcd's own 60 s check at that load
  echo "# etcdctl check perf --load=$CHECK_PERF"
  ETCDCTL_API=3 etcdctl --endpoints "${ETCD_ENDPOINTS//, /,}" check perf --load="$CHECK_PERF" \
    --prefix /bench/perf/ 2>&1 | grep -E 'PASS|FAIL' || true
fi
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
