#!/usr/bin/env bash
# Integration test: two steer-authd processes ("region A" and "region B") with the same key
# directory, the same seeded users and clients, and each its own SQLite file, driven by real
# OpenID Connect clients (tests/oidc/flow.mjs: openid-client + jose). Region A speaks plain
# HTTP, region B HTTPS. Loopback only.
# With `postgres`, both regions share one PostgreSQL 15 (started by steer-test-pg) instead, and
# flow.mjs adds the cross-region steps that only a shared store passes (a token revoked at A is
# inactive at B, a code redeemed at A is refused at B, a refresh token rotated at A and replayed
# at B revokes the family, failures at A and B count toward one lockout).
# Usage: two_regions.sh PATH/TO/steer-authd [postgres PATH/TO/steer-test-pg]
set -euo pipefail
authd=$(realpath "$1")
store=${2:-sqlite}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/openid-client" ]; then
  echo "tests/oidc/node_modules missing: run scripts/test-deps" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/steer-oidc.XXXXXX)
pids=()
if [ "$store" = postgres ]; then
  coproc PG { exec "$3"; }
  pids+=("$PG_PID")
  read -r line <&"${PG[0]}" && pg_dsn=${line#dsn=}
  read -r line <&"${PG[0]}" && pg_password=${line#password_file=}
  [ -n "${pg_dsn:-}" ] || { echo "steer-test-pg did not start" >&2; exit 1; }
fi
cleanup() {
  # Newest first: the servers stop before the database they use.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${keep:-0}" = 1 ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# Two free loopback ports (bound to 0, then released).
read -r pa pb < <(node -e '
  const net = require("net"); const ports = [];
  const grab = () => { const s = net.createServer().listen(0, "127.0.0.1", () => {
    ports.push(s.address().port); s.close(() => ports.length < 2 ? grab() : console.log(ports.join(" ")));
  }); }; grab();')
issuer="http://127.0.0.1:$pa"
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null
# Region B serves HTTPS (self-signed for 127.0.0.1, trusted by node via NODE_EXTRA_CA_CERTS);
# region A plain HTTP, which steer-authd allows on loopback only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null

for region in a b; do
  port=$([ $region = a ] && echo "$pa" || echo "$pb")
  cat >"$tmp/$region.yaml" <<YAML
issuer: $issuer
listen: {address: 127.0.0.1, port: $port}
keys_dir: keys
$(if [ "$store" = postgres ]; then
  echo "store: {postgres: {dsn: \"$pg_dsn\", password: \"file:$pg_password\"}}"
else
  echo "store: {sqlite: $region.db}"
fi)
throttle: {logins_per_minute: 600}
lockout: {max_failures: 10, block_for: 15m}
log: {level: info}
YAML
  [ $region = b ] && echo "tls: {cert_file: tls.crt, key_file: tls.key}" >>"$tmp/$region.yaml"
done
# Users are added to both regions in one run, so both stores get the same random subject.
both=(--config "$tmp/a.yaml" --config "$tmp/b.yaml")
echo "alice-password-1" | "$authd" admin "${both[@]}" user add alice --email alice@example.com --name Alice >/dev/null
echo "mallory-password-1" | "$authd" admin "${both[@]}" user add mallory >/dev/null
echo "carol-password-1" | "$authd" admin "${both[@]}" user add carol >/dev/null
echo "erin-password-1" | "$authd" admin "${both[@]}" user add erin >/dev/null

for region in a b; do
  cfg="$tmp/$region.yaml"
  if [ "$store" = postgres ] && [ $region = b ]; then  # one store: the clients exist already
    "$authd" --config "$cfg" >"$tmp/$region.log" 2>&1 &
    pids+=($!)
    continue
  fi
  web=(--redirect-uri http://127.0.0.1:9/cb --post-logout-uri http://127.0.0.1:9/bye)
  echo "web-secret-0123456789abcdef0123456789" | "$authd" admin --config "$cfg" client add web "${web[@]}" --secret-stdin
  echo "web-secret-0123456789abcdef0123456789" | "$authd" admin --config "$cfg" client add web-es "${web[@]}" \
    --id-token-alg ES256 --secret-stdin
  if "$authd" admin --config "$cfg" client add bad "${web[@]}" --public --id-token-alg HS256 2>"$tmp/bad.err"; then
    echo "FAIL --id-token-alg HS256 was accepted" >&2; exit 1
  fi
  grep -q -- "--id-token-alg must be RS256 or ES256" "$tmp/bad.err"
  "$authd" admin --config "$cfg" client add spa "${web[@]}" --public
  for svc in svc svc-rs; do
    alg=$([ $svc = svc ] && echo ES256 || echo RS256)
    echo "svc-secret-0123456789abcdef0123456789" | "$authd" admin --config "$cfg" client add $svc \
      --grant client_credentials --scope api --audience urn:steer:api --alg $alg --secret-stdin
  done
  echo "cli-secret-0123456789abcdef0123456789" | "$authd" admin --config "$cfg" client add cli \
    --grant password --grant refresh_token --secret-stdin
  "$authd" --config "$cfg" >"$tmp/$region.log" 2>&1 &
  pids+=($!)
done

for url in "http://127.0.0.1:$pa" "https://127.0.0.1:$pb"; do
  for _ in $(seq 100); do
    curl -sf --cacert "$tmp/tls.crt" "$url/healthz/ready" >/dev/null && break
    sleep 0.1
  done
done

set +e
NODE_EXTRA_CA_CERTS="$tmp/tls.crt" \
STEER_ISSUER=$issuer STEER_A=$issuer STEER_B="https://127.0.0.1:$pb" STEER_KEYS="$tmp/keys" \
  STEER_AUTHD="$authd" STEER_CONFIGS="$tmp/a.yaml $tmp/b.yaml" STEER_SHARED_STORE=$([ "$store" = postgres ] && echo 1 || echo 0) \
  WEB_SECRET=web-secret-0123456789abcdef0123456789 SVC_SECRET=svc-secret-0123456789abcdef0123456789 \
  CLI_SECRET=cli-secret-0123456789abcdef0123456789 node "$here/flow.mjs"
rc=$?
set -e
# No password or secret may appear in any log.
if grep -E "alice-password|mallory-password|carol-password|erin-password|secret-0123|guess-" "$tmp"/*.log; then
  echo "FAIL a secret reached a log" >&2
  rc=1
fi
[ $rc = 0 ] || { echo "--- region A log"; tail -20 "$tmp/a.log"; echo "--- region B log"; tail -20 "$tmp/b.log"; }
exit $rc
