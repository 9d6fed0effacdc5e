#!/usr/bin/env bash
# The README's demo, end to end: scripts/demo (without setup and build) brings up PowerDNS, two
# steer-authd regions and steerd; cutting region a moves login.demo.test to b on the demo's
# PowerDNS and the public status page shows it as an incident; a token issued by a is accepted
# by b; a failover back that max_changes_per_hour (1 here) refuses is printed by the demo and
# by steerctl status as held, naming the rule;
# scripts/demo stop stops the demo (its own handler) cleanly and leaves nothing running.
# With STEER_DEMO_DNS=embedded (ctest demo.embedded_dns) the same run has steerd serve
# demo.test itself instead of PowerDNS.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Six free loopback ports, bound to 0 together and then released (a random range once met
# another test's outgoing connection in the kernel's ephemeral range).
read -r -a ports < <(python3 -c '
import socket
held = [socket.socket() for _ in range(6)]
for s in held: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))')
export STEER_DEMO_DIR=$(mktemp -d /tmp/steer-demo-test.XXXXXX)
export STEER_DEMO_DNS_PORT=${ports[0]} STEER_DEMO_PDNS_API_PORT=${ports[1]}
export STEER_DEMO_API_PORT=${ports[2]} STEER_DEMO_REGION_PORTS="${ports[3]} ${ports[4]}"
export STEER_DEMO_SKIP_BUILD=1 STEER_DEMO_MAX_CHANGES_PER_HOUR=1
export STEER_DEMO_STATUS_PORT=${ports[5]}
cd "$root"
scripts/demo > "$STEER_DEMO_DIR/demo.out" 2>&1 &
demo=$!
cleanup() { kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$STEER_DEMO_DIR"; }
trap cleanup EXIT

answer() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" login.demo.test A; }
wait_for() {  # wait_for ANSWER SECONDS
  for _ in $(seq $(($2 * 10))); do [ "$(answer)" = "$1" ] && return 0; sleep 0.1; done
  echo "login.demo.test never answered $1 (last: $(answer))"; cat "$STEER_DEMO_DIR/demo.out"
  tail -20 "$STEER_DEMO_DIR/steerd.log"; return 1
}
wait_output() {  # wait_output TEXT SECONDS: the demo prints TEXT
  for _ in $(seq $(($2 * 10))); do grep -qF "$1" "$STEER_DEMO_DIR/demo.out" && return 0; sleep 0.1; done
  echo "the demo never printed: $1"; cat "$STEER_DEMO_DIR/demo.out"; return 1
}
for _ in $(seq 300); do grep -q "demo is running" "$STEER_DEMO_DIR/demo.out" && break; sleep 0.1; done
grep -q "demo is running" "$STEER_DEMO_DIR/demo.out" || { cat "$STEER_DEMO_DIR/demo.out"; exit 1; }
wait_for 198.51.100.10 20

a=${ports[3]} b=${ports[4]} creds=demo-app:demo-client-secret-0123456789abcdef
token=$(curl -sf -u "$creds" -d grant_type=client_credentials -d scope=api "http://127.0.0.1:$a/token" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -sf -u "$creds" -d "token=$token" "http://127.0.0.1:$b/introspect" | grep -q '"active":true'

scripts/demo cut a
wait_for 198.51.100.20 10
pids=$(cat "$STEER_DEMO_DIR"/*.pid)
[ "$(echo "$pids" | wc -w)" -ge 3 ] || { echo "expected steerd, region b and the DNS server or watcher running"; exit 1; }
if [ "${STEER_DEMO_DNS:-powerdns}" = embedded ]; then  # no PowerDNS: steerd answered that
  [ ! -e "$STEER_DEMO_DIR/pdns.pid" ] || { echo "PowerDNS runs in the embedded mode"; exit 1; }
  dig +norec @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" login.demo.test A | grep -q "flags: qr aa" ||
    { echo "the answer is not authoritative"; exit 1; }
fi
wait_output "login.demo.test answers region b (198.51.100.20)" 5

# The public status page (its address printed by the demo) shows the failover as an incident.
page="http://127.0.0.1:$STEER_DEMO_STATUS_PORT"
grep -qF "status page  $page/" "$STEER_DEMO_DIR/demo.out" || { echo "no status page printed"; exit 1; }
incident='"name":"login: failover away from a"'
# Fetched first, then searched: `curl | grep -q` fails under pipefail when grep exits before
# curl has written a large body (curl: "Failed writing body", exit 23).
fetch() { curl -sf "$1" || true; }
for _ in $(seq 100); do grep -qF "$incident" <<<"$(fetch "$page/api/v2/incidents.json")" && break; sleep 0.1; done
grep -qF "$incident" <<<"$(fetch "$page/api/v2/incidents.json")" ||
  { echo "no incident on the status page: $(curl -s "$page/api/v2/incidents.json")"; exit 1; }
grep -qF "Steer demo status" <<<"$(fetch "$page/")" || { echo "the status page has no title"; exit 1; }

# The one change allowed this hour is spent: with a back and b cut, the failover to a is held.
status() { build/agent/steerctl status --api "http://127.0.0.1:$STEER_DEMO_API_PORT"; }
scripts/demo restore a
for _ in $(seq 100); do status | grep -qE '^a +yes' && break; sleep 0.1; done
scripts/demo cut b
held="HELD login: failover b \xE2\x86\x92 a held by rule max_changes_per_hour (1 changes in the last hour"
wait_output "$(printf "$held")" 20
wait_output "A SAFETY RULE HOLDS A CHANGE" 1
[ "$(answer)" = 198.51.100.20 ] || { echo "the held change was made: $(answer)"; exit 1; }
status | grep -qF "$(printf "$held")" ||
  { echo "steerctl status does not show the hold"; exit 1; }

pids=$(cat "$STEER_DEMO_DIR"/*.pid)
stop_out=$(scripts/demo stop 2>&1)
[ "$stop_out" = "demo stopped" ] || { echo "scripts/demo stop said: $stop_out"; exit 1; }
wait "$demo" 2>/dev/null || true
grep -q "stopping the demo" "$STEER_DEMO_DIR/demo.out" || { echo "the demo's handler did not run"; exit 1; }
for pid in $pids; do  # a zombie has stopped: its new parent (init) has not reaped it yet
  if kill -0 "$pid" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status"; then
    echo "still running after stop: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
    exit 1
  fi
done
echo "demo_test: ok"
