#!/usr/bin/env bash
# steerd logs as its policy says: agent.log_format json gives one JSON object per line, at
# agent.log_level (warn: no info lines); --log-level overrides the policy's level.
# Usage: steerd_log_format.sh STEERD
set -euo pipefail
steerd=$1
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/state"
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
agent: {vantage: test, state_dir: $dir/state, log_format: json, log_level: warn}
providers:
  dns: {type: zonefile, path: $dir/demo.zone, origin: demo.test.}
regions:
  a: {components: {app: {probes: [{name: h, type: tcp, address: "127.0.0.1:1", interval: 100ms, timeout: 50ms}]}}}
services:
  login:
    dns_name: login.demo.test.
    zone: demo.test.
    provider: dns
    nameservers: ["127.0.0.1:1"]
    regions:
      - {region: a, answers: [198.51.100.10]}
YAML
run() {  # run ARGS...: steerd for a second, its stderr in $dir/log
  "$steerd" --config "$dir/policy.yaml" --listen 127.0.0.1:0 "$@" >"$dir/out" 2>"$dir/log" &
  pid=$!
  sleep 1.5
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}
run
[ -s "$dir/log" ] || { echo "steerd logged nothing"; exit 1; }
while IFS= read -r line; do
  jq -e . >/dev/null 2>&1 <<<"$line" || { echo "not a JSON line: $line"; exit 1; }
done <"$dir/log"
grep -q '"level":"warning"' "$dir/log" || { echo "no warning line"; head -5 "$dir/log"; exit 1; }
if grep -q '"level":"info"' "$dir/log"; then
  echo "info lines at log_level warn"; head -5 "$dir/log"; exit 1
fi
run --log-level info
grep -q '"level":"info"' "$dir/log" || { echo "--log-level info did not override warn"; exit 1; }
echo "steerd_log_format: ok"
