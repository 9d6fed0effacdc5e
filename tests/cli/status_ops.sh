#!/usr/bin/env bash
# steerctl incident and maintenance against a real steerd: unknown names and bad messages are
# refused and store nothing; an operator's incident (HTML in its message) reaches the public
# listener's JSON and page (escaped) and survives a restart; a maintenance window with --drain
# drains its region when it starts and undrains it at its end, both audited.
# Usage: status_ops.sh STEERD STEERCTL
set -euo pipefail
steerd=$1
steerctl=$2
dir=$(mktemp -d)
pid=""
lpid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$lpid" ] && kill "$lpid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- steerd log"; tail -20 "$dir/log" 2>/dev/null; exit 1; }
mkdir "$dir/state"
# A TCP port that accepts and closes: both regions' probe target, so both are healthy.
python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
while True:
    s.accept()[0].close()
' >"$dir/port" &
lpid=$!
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
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
  a: {components: {app: {probes: [{name: h, type: tcp, address: "127.0.0.1:$port", interval: 100ms, timeout: 50ms}]}}}
  b: {components: {app: {probes: [{name: h, type: tcp, address: "127.0.0.1:$port", interval: 100ms, timeout: 50ms}]}}}
services:
  login:
    dns_name: login.demo.test.
    zone: demo.test.
    provider: dns
    nameservers: ["127.0.0.1:1"]
    regions:
      - {region: a, answers: [198.51.100.10]}
      - {region: b, answers: [198.51.100.20]}
status:
  title: Demo status
  listen: 127.0.0.1:0
YAML
echo "ops:s3cret-token-for-tests" >"$dir/tokens"
echo "s3cret-token-for-tests" >"$dir/token"
start() {
  "$steerd" --config "$dir/policy.yaml" --listen 127.0.0.1:0 --token-file "$dir/tokens" \
    >"$dir/out" 2>"$dir/log" &
  pid=$!
  for _ in $(seq 100); do
    api=$(grep -o 'API listening on http://[0-9.:]*' "$dir/log" | head -1 | sed 's|.*http://||') || true
    page=$(grep -o 'public status page on http://[0-9.:]*' "$dir/log" | head -1 | sed 's|.*http://||') || true
    [ -n "$api" ] && [ -n "$page" ] && return 0
    sleep 0.1
  done
  fail "steerd did not start"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
ctl() { "$steerctl" "$@" --api "http://$api" --token-file "$dir/token"; }
expect_exit() {  # expect_exit CODE PATTERN ARGS...: exit code and a pattern in the output
  local want=$1 pattern=$2 rc=0
  shift 2
  ctl "$@" >"$dir/ctl.out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || fail "steerctl $* exited $rc, not $want: $(cat "$dir/ctl.out")"
  grep -q -- "$pattern" "$dir/ctl.out" || fail "steerctl $*: no '$pattern' in $(cat "$dir/ctl.out")"
}
json() { curl -fsS "http://$page/api/v2/$1"; }
start

# Bad input: each a clear error, nothing stored.
expect_exit 1 "no service 'nosuch'" incident open --service login --service nosuch --message x
expect_exit 2 "at most 4096" incident open --service login --message "$(head -c 51200 /dev/zero | tr '\0' x)"
expect_exit 2 "empty" incident open --service login --message ""
big=$(python3 -c 'import json; print(json.dumps({"services":["login"],"message":"x"*51200}))')
code=$(curl -s -o "$dir/big.out" -w '%{http_code}' -H "Authorization: Bearer s3cret-token-for-tests" \
  -d "$big" "http://$api/api/v1/incidents")
[ "$code" = 400 ] || fail "a 50 KB message through the API: HTTP $code"
grep -q 'at most 4096' "$dir/big.out" || fail "50 KB: $(cat "$dir/big.out")"
expect_exit 1 "impact 'huge'" incident open --service login --impact huge --message x

# An incident with a timeline.
expect_exit 0 "opened incident #" incident open --service login --impact major --status identified \
  --message '<script>alert(1)</script> Logins fail'
id=$(grep -o '#[0-9]*' "$dir/ctl.out" | tr -d '#')
expect_exit 0 "updated incident #$id" incident update "$id" --status monitoring --message "A fix is out"
j=$(json incidents.json)  # the first request: rendered now, then cached for 5 s
[ "$(jq '.incidents | length' <<<"$j")" = 1 ] || fail "a refused incident was stored: $j"
[ "$(jq -r '.incidents[0].impact' <<<"$j")" = major ] || fail "impact: $j"
[ "$(jq -r '.incidents[0].status' <<<"$j")" = monitoring ] || fail "status: $j"
[ "$(jq -r '.incidents[0].incident_updates[1].body' <<<"$j")" = '<script>alert(1)</script> Logins fail' ] ||
  fail "updates: $j"
html=$(curl -fsS "http://$page/")
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; Logins fail' <<<"$html" || fail "page does not show the escaped message"
if grep -q '<script' <<<"$html"; then fail "the page carries a script element"; fi
expect_exit 0 "resolved incident #$id" incident resolve "$id" --message "Fixed"
expect_exit 1 "no open incident" incident update "$id" --status monitoring --message late

# Maintenance: bad windows, then one that drains b for 20 seconds.
now=$(date -u +%s)
at() { date -u -d "@$((now + $1))" +%Y-%m-%dT%H:%M:%SZ; }
expect_exit 2 "ends before it starts" maintenance schedule --service login --start "$(at 60)" --end "$(at 30)" --message m
expect_exit 1 "no region 'mars'" maintenance schedule --service login --start "$(at 60)" --end "$(at 90)" --drain mars --message m
expect_exit 1 "starts in the past" maintenance schedule --service login --start "$(at -7200)" --end "$(at 90)" --message m
drained() { curl -fsS "http://$api/api/v1/status" | jq -r '.regions[] | select(.name == "b") | .drained'; }
now=$(date -u +%s)
expect_exit 0 "scheduled maintenance #" maintenance schedule --service login --start "$(at 5)" --end "$(at 25)" \
  --drain b --message "Database upgrade" --title "DB upgrade"
mid=$(grep -o '#[0-9]*' "$dir/ctl.out" | tr -d '#')
[ "$(drained)" = false ] || fail "b drained before the window"
for _ in $(seq 150); do [ "$(drained)" = true ] && break; sleep 0.1; done
[ "$(drained)" = true ] || fail "b not drained when the window started"
for _ in $(seq 60); do  # the page's copies are cached for 5 s
  j=$(json scheduled-maintenances/active.json)
  [ "$(jq -r '.scheduled_maintenances[0].name' <<<"$j")" = "DB upgrade" ] && break
  sleep 0.25
done
[ "$(jq -r '.scheduled_maintenances[0].name' <<<"$j")" = "DB upgrade" ] || fail "active: $j"
expect_exit 0 "scheduled maintenance #" maintenance schedule --service login --start "$(at 600)" --end "$(at 900)" --message "Later"
later=$(grep -o '#[0-9]*' "$dir/ctl.out" | tr -d '#')
expect_exit 0 "cancelled maintenance #$later" maintenance cancel "$later"
for _ in $(seq 250); do [ "$(drained)" = false ] && break; sleep 0.1; done
[ "$(drained)" = false ] || fail "b not undrained at the window's end"
hist=$(curl -fsS "http://$api/api/v1/history?limit=200")
jq -e --arg who "maintenance #$mid" '[.[] | select(.who == $who and (.what | startswith("drain b")))] | length == 1' <<<"$hist" >/dev/null ||
  fail "no audited drain by the window: $hist"
jq -e --arg who "maintenance #$mid" '[.[] | select(.who == $who and (.what | startswith("undrain b")))] | length == 1' <<<"$hist" >/dev/null ||
  fail "no audited undrain by the window"
jq -e '[.[] | select(.who == "ops" and .ok and (.what | startswith("incident open login --impact major")))] | length == 1' <<<"$hist" >/dev/null ||
  fail "incident open not audited"

# A restart keeps both.
stop
start
j=$(json incidents.json | jq --arg id "$id" '.incidents[] | select(.id == $id)')
[ "$(jq -r '.status' <<<"$j")" = resolved ] || fail "after restart: $j"
[ "$(jq -r '.incident_updates | length' <<<"$j")" = 3 ] || fail "after restart: $j"
j=$(json scheduled-maintenances.json)
[ "$(jq -r '.scheduled_maintenances[0].status' <<<"$j")" = completed ] || fail "after restart: $j"
[ "$(jq '.scheduled_maintenances | length' <<<"$j")" = 1 ] ||
  fail "a window cancelled before it started is listed: $j"
echo "status_ops: ok"
