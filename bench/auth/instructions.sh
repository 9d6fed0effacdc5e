#!/usr/bin/env bash
# Instructions per request of steer-authd's token paths, counted by valgrind's callgrind (all
# threads of the server): independent of load on the host, unlike req/s, so an optimisation's
# effect can be measured on a busy machine. For each path: start the server under callgrind,
# send WARM requests on one keep-alive connection, zero the counters, send N more, dump, and
# divide. Leaves the callgrind profiles in OUT (default /tmp/steer-authd-instr) for
# callgrind_annotate.
# Usage: bench/auth/instructions.sh [path/to/steer-authd]   env: N (2000), WARM (300), OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
authd=$(realpath "${1:-$here/../../build/auth-core/steer-authd}")
n=${N:-2000}
warm=${WARM:-300}
out=${OUT:-/tmp/steer-authd-instr}
mkdir -p "$out"
tmp=$(mktemp -d /tmp/steer-authinstr.XXXXXX)
srv=
cleanup() {
  [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SECRET=svc-secret-0123456789abcdef0123456789
cat >"$tmp/authd.yaml" <<YAML
issuer: http://127.0.0.1:$port
listen: {address: 127.0.0.1, port: $port}
threads: 2
keys_dir: keys
store: {sqlite: authd.db}
throttle: {logins_per_minute: 0, requests_per_second: 0}
log: {level: warn}
YAML
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null
echo "$SECRET" | "$authd" admin --config "$tmp/authd.yaml" client add svc \
  --grant client_credentials --scope api --audience urn:bench --alg ES256 --secret-stdin

# send COUNT PATH BODY: COUNT POSTs on one keep-alive connection, each checked for 200.
send() {
  python3 - "$port" "$1" "$2" "$3" "$SECRET" <<'PY'
import base64, http.client, sys
port, count, path, body, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
auth = "Basic " + base64.b64encode(f"svc:{secret}".encode()).decode()
hdr = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth}
last = b""
for _ in range(count):
    c.request("POST", path, body, hdr)
    r = c.getresponse()
    last = r.read()
    if r.status != 200:
        sys.exit(f"{path}: HTTP {r.status} {last!r}")
print(last.decode())
PY
}

measure() {  # NAME PATH BODY
  valgrind --tool=callgrind --callgrind-out-file="$out/$1.%p" "$authd" --config "$tmp/authd.yaml" \
    >"$tmp/$1.log" 2>&1 &
  srv=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  send "$warm" "$2" "$3" >/dev/null
  callgrind_control -z "$srv" >/dev/null 2>&1
  send "$n" "$2" "$3" >"$tmp/$1.last"
  callgrind_control -d "$srv" >/dev/null 2>&1
  sleep 1
  local ir
  ir=$(ls -t "$out/$1.$srv"* | head -1 | xargs grep -h '^summary:\|^totals:' | head -1 | awk '{print $2}')
  printf '%-16s %10.0f instructions/request (%d requests, all threads)\n' "$1" "$(awk -v i="$ir" -v n="$n" 'BEGIN {print i/n}')" "$n"
  kill "$srv"; wait "$srv" 2>/dev/null || true
  srv=
}

rm -f "$out"/cc.* "$out"/introspect.*
measure cc /token "grant_type=client_credentials&scope=api"
token=$(python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])' <"$tmp/cc.last")
measure introspect /introspect "token=$token"
