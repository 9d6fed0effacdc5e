#!/usr/bin/env bash
# steerctl probe against a real local HTTPS server (openssl s_server) whose certificate is
# signed by a CA made here: a verified probe prints its phases and exits 0; the same probe
# without the CA fails with error class tls (exit 1). Usage: probe_https.sh STEERCTL
set -euo pipefail
steerctl=$1
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=Steer Test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=login.steer.test" \
  -keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=DNS:login.steer.test\n' > ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile ext.cnf -out srv.pem 2>/dev/null
# A free port: bind 0 through Python would add a dependency; retry a few random high ports.
for _ in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 30000))
  openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert srv.pem -key srv.key \
    >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break 2
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true; pid=""
done
[ -n "$pid" ] || { echo "could not start s_server"; exit 1; }

url="https://login.steer.test:$port/"
out=$("$steerctl" probe "$url" --connect-to "127.0.0.1:$port" --ca-file ca.pem) || {
  echo "verified probe failed:"; echo "$out"; exit 1; }
echo "$out"
echo "$out" | grep -q " ok " || { echo "no ok row"; exit 1; }
echo "$out" | grep -q "TLS" || { echo "no phase columns"; exit 1; }

set +e
out=$("$steerctl" probe "$url" --connect-to "127.0.0.1:$port")
rc=$?
set -e
echo "$out"
[ "$rc" -eq 1 ] || { echo "unverified probe exited $rc, want 1"; exit 1; }
echo "$out" | grep -q "tls" || { echo "no tls error class"; exit 1; }
echo "probe_https: ok"
