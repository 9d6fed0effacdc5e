#!/usr/bin/env bash
# The README's rolling deploy on the demo: examples/rolling-deploy.sh deploys a "new build" to
# region a, then b (drain --wait, stop steer-authd and start it again, undrain --wait) while a
# client logs in continuously through login.demo.test: it asks the demo's DNS server, keeps
# the answer for its TTL as a resolver would, and asks for a token at the region answered.
# Zero failed logins; the audit log shows each drain and undrain. TTL 3 s and failback after
# 2 s (the demo's 30 s and 10 s would make this a two-minute test).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Below the kernel's ephemeral range (32768-60999), so no outgoing connection holds one.
base=$((20000 + RANDOM % 12000))
export STEER_DEMO_DIR=$(mktemp -d /tmp/steer-rolling-test.XXXXXX)
export STEER_DEMO_DNS_PORT=$base STEER_DEMO_PDNS_API_PORT=$((base + 1))
export STEER_DEMO_API_PORT=$((base + 2)) STEER_DEMO_REGION_PORTS="$((base + 3)) $((base + 4))"
export STEER_DEMO_STATUS_PORT=$((base + 5))
export STEER_DEMO_SKIP_BUILD=1 STEER_DEMO_TTL=3 STEER_DEMO_FAILBACK_AFTER=2s
D=$STEER_DEMO_DIR
cd "$root"
# Without a deploy command the script refuses to start (usage, exit 2) and touches nothing.
rc=0; env -u STEER_DEPLOY_CMD examples/rolling-deploy.sh a 2>/dev/null || rc=$?
[ "$rc" = 2 ] || { echo "rolling-deploy.sh without STEER_DEPLOY_CMD exited $rc, not 2"; exit 1; }
scripts/demo > "$D/demo.out" 2>&1 &
demo=$!
client=""
cleanup() {
  [ -z "$client" ] || kill "$client" 2>/dev/null || true
  kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$D"
}
trap cleanup EXIT
for _ in $(seq 300); do grep -q "demo is running" "$D/demo.out" && break; sleep 0.1; done
grep -q "demo is running" "$D/demo.out" || { cat "$D/demo.out"; exit 1; }
api=http://127.0.0.1:$STEER_DEMO_API_PORT
healthy() { build/agent/steerctl status --api "$api" | grep -cE '^[ab] +yes'; }
for _ in $(seq 100); do [ "$(healthy)" = 2 ] && break; sleep 0.1; done

# The client: one login (client_credentials token) after another, to the region the DNS name
# answers, the answer kept for its TTL. Every failure is logged with the region it went to.
port_of() { case "$1" in 198.51.100.10) echo $((base + 3)) ;; 198.51.100.20) echo $((base + 4)) ;; esac; }
login_loop() {
  local ip="" expires=0 ok=0 failed=0 now ttl
  while [ ! -e "$D/stop-client" ]; do
    now=$(date +%s%N)
    if [ "$now" -ge "$expires" ]; then
      read -r ttl ip < <(dig +noall +answer +tries=1 +time=1 @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" \
                           login.demo.test A | awk '{print $2, $5; exit}') || true
      expires=$((now + ${ttl:-0} * 1000000000))
    fi
    if curl -sf --max-time 2 -u demo-app:demo-client-secret-0123456789abcdef \
         -d grant_type=client_credentials -d scope=api \
         "http://127.0.0.1:$(port_of "$ip")/token" 2>/dev/null | grep -q '"access_token"'; then
      ok=$((ok + 1))
    else
      failed=$((failed + 1)); echo "$(date -u +%T.%N) login failed at $ip" >> "$D/client.log"
    fi
    echo "$ok $failed" > "$D/client.counts"
  done
}
login_loop &
client=$!
sleep 1

# The "new build": stop the region's steer-authd, start it again, return once it is ready
# (a deploy command returns when the new build serves; undrain --wait then waits for steerd).
cat > "$D/deploy-region" <<SH
#!/usr/bin/env bash
set -e
port=\$([ "\$REGION" = a ] && echo $((base + 3)) || echo $((base + 4)))
scripts/demo cut "\$REGION" && scripts/demo restore "\$REGION"
for _ in \$(seq 100); do curl -sf "http://127.0.0.1:\$port/healthz/ready" >/dev/null && exit 0; sleep 0.1; done
exit 1
SH
chmod +x "$D/deploy-region"
deploy="$D/deploy-region"
start=$(date +%s%N)
STEER_DEPLOY_CMD=$deploy STEERCTL=build/agent/steerctl STEER_API=$api \
  STEER_TOKEN_FILE=$D/token examples/rolling-deploy.sh --timeout 60s a b 2> "$D/deploy.log" || {
  echo "rolling-deploy.sh failed ($?)"; cat "$D/deploy.log"; tail -30 "$D/steerd.log"; exit 1
}
echo "rolling deploy of a and b took $(( ($(date +%s%N) - start) / 1000000 )) ms"
sleep 1
touch "$D/stop-client"; wait "$client" || true; client=""
read -r ok failed < "$D/client.counts"
echo "logins: $ok ok, $failed failed"
grep -E "drain|done in" "$D/deploy.log"
[ "$failed" -eq 0 ] || { cat "$D/client.log"; cat "$D/deploy.log"; exit 1; }
[ "$ok" -ge 20 ] || { echo "too few logins to tell ($ok)"; exit 1; }
# Both regions served logins and traffic ends back on a; the audit log has all four operations.
history=$(build/agent/steerctl history --api "$api")
for op in "drain a" "undrain a" "drain b" "undrain b"; do
  echo "$history" | grep -q "$op => ok" || { echo "no '$op' in the audit log:"; echo "$history"; exit 1; }
done
[ "$(dig +short @127.0.0.1 -p "$STEER_DEMO_DNS_PORT" login.demo.test)" = 198.51.100.10 ] ||
  { echo "login.demo.test does not answer a after the deploy"; exit 1; }
echo "rolling_deploy_test: ok"
