#!/usr/bin/env bash
# Time from a steerd decision to its own embedded DNS server answering it (issue 16: < 5 ms),
# through the whole steerd path, not only EmbeddedProvider::Replace (change_latency.sh): the
# decision's audit row, the change's durable intent row, the read before, Replace, the read
# back and the change's audit row, in a real steerd.
#
# One steerd (tick 20 ms; probes every 100 ms, 3 failures down, 2 successes up; no block, no
# rate limit, failback after 500 ms) steers login.lat.test between regions a (nginx on
# 127.0.0.2) and b (127.0.0.3) on its embedded server. Each run SIGKILLs a's nginx (failover to
# b), then starts it again (failback to a). steer-dns-poll asks the embedded server every
# 200 us until it answers the new region. Per change: decision -> answer (the poller's first
# new answer minus the decision's audit time), decision -> intent row, intent -> change row.
# Audit times are whole milliseconds (truncated), so a figure may be up to 1 ms high; the
# decision's row is written when the decision is announced, beside (not before) the change.
#
#   bench/dns/decision_latency.sh [RUNS]   (default 10 runs = 20 changes; needs build/agent/steerd
#                                           and build/bench/failover/steer-dns-poll)
cd "$(dirname "$0")/../.."
RUNS=${1:-10}
. bench/failover/lib.sh
STEERD=${STEERD:-build/agent/steerd}
[ -x "$STEERD" ] && [ -x "$POLL" ] || { echo "build steerd and steer-dns-poll first" >&2; exit 2; }
DNS_PORT=$(free_port)
API_PORT=$(free_port)
mkdir -p "$D/steerd/state"
cat >"$D/lat.zone" <<ZONE
\$ORIGIN lat.test.
\$TTL 300
@ IN SOA ns1.lat.test. hostmaster.lat.test. 1 3600 600 86400 300
@ IN NS ns1.lat.test.
ns1 IN A 127.0.0.1
login 1 IN A 127.0.0.2
ZONE
cat >"$D/steerd/policy.yaml" <<YAML
version: 1
agent: {vantage: bench, listen: "127.0.0.1:$API_PORT", state_dir: $D/steerd/state, tick: 20ms}
coordination: {mode: local}
providers:
  edge: {type: embedded, listen: ["127.0.0.1:$DNS_PORT"], zone_file: $D/lat.zone, origin: lat.test.}
regions:
  a: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.2:$BPORT/healthz", $PROBE}]}}}
  b: {components: {app: {probes: [{name: h, type: http, url: "http://127.0.0.3:$BPORT/healthz", $PROBE}]}}}
services:
  login:
    dns_name: login.lat.test.
    zone: lat.test.
    ttl: 1
    provider: edge
    regions: [{region: a, answers: [127.0.0.2]}, {region: b, answers: [127.0.0.3]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    failback: auto
    failback_after: 500ms
    safety: {max_changes_per_hour: 0}
    propagation_timeout: 5s
YAML
A=$(backend 127.0.0.2); PIDS+=("$A")
B=$(backend 127.0.0.3); PIDS+=("$B")
"$STEERD" --config "$D/steerd/policy.yaml" --log-level warn >"$D/steerd/log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$API_PORT/api/v1/status" | grep -q '"deciding":true' && break
  sleep 0.1
done
DB=$D/steerd/state/state.db
[ -f "$DB" ] || DB=$(find "$D/steerd/state" -name '*.db' | head -1)
audit_after() {  # audit_after ID: "id at_ms kind" rows of login after ID
  sqlite3 -separator ' ' "$DB" \
    "SELECT id, at_ms, kind FROM audit WHERE service = 'login' AND id > $1 ORDER BY id"
}
last_id() { sqlite3 "$DB" "SELECT coalesce(max(id), 0) FROM audit"; }
# flip WANT: waits for the embedded server to answer WANT; prints "decision->answer
# decision->intent intent->change" in ms for the decision that made the change.
flip() {
  local want=$1 before=$2 t
  t=$(STEER_POLL_INTERVAL_US=200 "$POLL" until "$want" "127.0.0.1:$DNS_PORT/login.lat.test")
  sleep 0.3  # the change's audit row follows the read back
  audit_after "$before" | awk -v t="$t" '
    $3 == "decision" { d = $2 }  # the last one: a failback is preceded by a hold while
                                 # failback_after runs. The decision loop writes this row and
                                 # the DNS writer the intent, so either may come first.
    $3 == "dns_intent" && !i { i = $2 }
    $3 == "dns_change" && !c { c = $2 }
    END { if (!d || !i || !c) { print "incomplete audit" > "/dev/stderr"; exit 1 }
          printf "%.3f %d %d\n", t * 1000 - d, i - d, c - i }'
}
"$POLL" until 127.0.0.2 "127.0.0.1:$DNS_PORT/login.lat.test" >/dev/null
echo "# $(date -u +%FT%TZ), $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$D/rows"
for i in $(seq "$RUNS"); do
  id=$(last_id)
  kill -9 "$A"
  row=$(flip 127.0.0.3 "$id")  # an assignment, so that a failed flip stops the script
  echo "failover $row" | tee -a "$D/rows"
  id=$(last_id)
  A=$(backend 127.0.0.2); PIDS+=("$A")
  row=$(flip 127.0.0.2 "$id")
  echo "failback $row" | tee -a "$D/rows"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$D/rows" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def rank(v, p):
    v = sorted(v)
    return v[max(0, min(len(v) - 1, -(-len(v) * p // 100) - 1))]
for col, name in ((1, "decision -> embedded answer"), (2, "decision -> intent row"),
                  (3, "intent row -> change row")):
    v = [float(r[col]) for r in rows]
    print(f"{name} (ms, n={len(v)}): median {rank(v, 50):.2f}  p90 {rank(v, 90):.2f}  "
          f"max {max(v):.2f}")
PY
