#!/usr/bin/env bash
# bench/coordination: etcd's load from N agents' coordination (issue 12), measured with etcd's
# own /metrics, on a 3-member etcd cluster on loopback (start_etcd of bench/failover/lib.sh),
# then etcd's write capacity on the same cluster, and `etcdctl check perf` with CHECK_PERF=1
# (60 s).
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
"${BENCH:-build/bench/coordination/steer_coord_bench}" "${ETCD_ENDPOINTS//, /,}" "$@"
if [ -n "${CHECK_PERF:-}" ]; then
  ETCDCTL_API=3 etcdctl --endpoints "${ETCD_ENDPOINTS//, /,}" check perf --load=s --prefix /bench/perf/ 2>&1 | tail -8
fi
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
