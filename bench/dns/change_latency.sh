#!/usr/bin/env bash
# Time from a change to its answer (issue 16: < 5 ms at the embedded server, < 100 ms at a
# BIND secondary). Builds nothing: uses build/ (steer_dns_replace_bench and
# steer_dns_integration_test, built with -DSTEER_BENCH=ON).
#   embedded  - steer_dns_replace_bench, REPLACE_RUNS runs of 200 changes each:
#               EmbeddedProvider::Replace (the call SafeWriter makes with a decision's RRset)
#               until a UDP query on loopback gets the new answer
#   secondary - EmbeddedSecondaryTest (dns/embedded_secondary_integration_test.cc) repeated
#               SECONDARY_RUNS times: a real BIND 9.18 secondary (AXFR/IXFR with TSIG) on a
#               loopback free port; per run three changes, each made with BIND idle, timed from
#               Replace (NOTIFY sent at once) until BIND answers the new record (polled every
#               1 ms). The first change of a run waits for the startup NOTIFY to be answered
#               (BIND was not up for the first one and gets it on the 1 s retry).
# Prints median / p90 / p99 / max (nearest rank) per kind, and the load average.
# Usage: bench/dns/change_latency.sh   (env: REPLACE_RUNS=3 SECONDARY_RUNS=10 STEER_BUILD_DIR)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${STEER_BUILD_DIR:-$ROOT/build}
REPLACE=$BUILD/bench/dns/steer_dns_replace_bench
SECONDARY=$BUILD/dns/steer_dns_integration_test
REPLACE_RUNS=${REPLACE_RUNS:-3}
SECONDARY_RUNS=${SECONDARY_RUNS:-10}
for b in "$REPLACE" "$SECONDARY"; do
  [[ -x $b ]] || { echo "missing $b: build targets steer_dns_replace_bench steer_dns_integration_test" >&2; exit 2; }
done
command -v named >/dev/null || { echo "missing named (scripts/setup installs bind9)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/steer-change-latency.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

echo "# $(date -u +%FT%TZ), $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Replace -> the embedded server answers (200 changes per run):"
for r in $(seq 1 "$REPLACE_RUNS"); do
  echo "- run $r: $("$REPLACE" 200)"
done
echo
"$SECONDARY" --gtest_filter='EmbeddedSecondaryTest.*' --gtest_repeat="$SECONDARY_RUNS" \
  --gtest_brief=1 >"$TMP/secondary.log" 2>&1 || { tail -40 "$TMP/secondary.log" >&2; exit 1; }
python3 - "$TMP/secondary.log" "$SECONDARY_RUNS" <<'PY'
import re, sys
ms = [int(m) for m in re.findall(r"secondary answered it after (\d+) ms", open(sys.argv[1]).read())]
def stats(v):
    v = sorted(v)
    rank = lambda p: v[max(0, -(-len(v) * p // 100) - 1)]
    return f"n={len(v)}: median {rank(50)} ms, p90 {rank(90)} ms, p99 {rank(99)} ms, max {v[-1]} ms"
print(f"Replace -> the BIND secondary answers ({sys.argv[2]} runs x 3 changes):")
print(f"- every change:         {stats(ms)}")
print(f"- first change of a run: {stats(ms[0::3])}")
print(f"- 2nd and 3rd changes:  {stats(ms[1::3] + ms[2::3])}")
PY
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
