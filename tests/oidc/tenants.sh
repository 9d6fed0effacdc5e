#!/usr/bin/env bash
# Integration test of tenants (docs/auth-core.md, Tenants) with real OpenID Connect clients:
# two steer-authd processes ("region A" plain HTTP loopback, "region B" HTTPS) sharing the same
# keys directory and the same tenants directory (copied, as an operator would), each with its
# own SQLite store. Tenants acme and globex are made with `admin tenant add`; both have a user
# `alice` (different people, different passwords) and a client `web`. tests/oidc/tenants.mjs
# drives the clients; it calls back into this script (`$0 hook ...`) for the admin steps that
# happen while the servers run (tenant add/remove, broken tenant.yaml, SIGHUP). A third small
# steer-authd checks host routing with curl. Loopback only.
# Usage: tenants.sh PATH/TO/steer-authd
set -euo pipefail

# Admin steps for tenants.mjs while the servers run: `tenants.sh hook STEP` with the
# environment set below.
if [ "${1:-}" = hook ]; then
  a() { "$AUTHD" admin --config "$TMP/a.yaml" "$@"; }
  hup() { kill -HUP "$PID_A" "$PID_B"; }
  # Both servers log a line per reload; wait for the count to grow.
  wait_reload() {
    local want_a=$1 want_b=$2
    for _ in $(seq 100); do
      [ "$(grep -c -E 'reload' "$TMP/a.log")" -ge "$want_a" ] &&
        [ "$(grep -c -E 'reload' "$TMP/b.log")" -ge "$want_b" ] && return 0
      sleep 0.1
    done
    echo "no reload logged" >&2
    return 1
  }
  reloads() { echo "$(grep -c reload "$TMP/a.log") $(grep -c reload "$TMP/b.log")"; }
  read -r ra rb < <(reloads)
  case $2 in
    add-initech)
      a tenant add initech --display-name "Initech" >/dev/null
      cp -a "$TMP/tenants/initech" "$TMP/tenants-b/"
      hup
      wait_reload $((ra + 1)) $((rb + 1))
      ;;
    break-initech)
      # An unknown key: the reload must be refused and the old set kept.
      for d in tenants tenants-b; do echo "no_such_key: 1" >>"$TMP/$d/initech/tenant.yaml"; done
      hup
      wait_reload $((ra + 1)) $((rb + 1))
      grep -q "reload refused" "$TMP/a.log" && grep -q "reload refused" "$TMP/b.log"
      # --check runs the same load and refuses it too.
      if "$AUTHD" --config "$TMP/a.yaml" --check 2>/dev/null; then echo "--check accepted it" >&2; exit 1; fi
      # Repair it so that later reloads succeed.
      for d in tenants tenants-b; do sed -i '/^no_such_key/d' "$TMP/$d/initech/tenant.yaml"; done
      ;;
    remove-globex)
      a tenant remove globex >/dev/null
      "$AUTHD" admin --config "$TMP/b.yaml" tenant remove globex >/dev/null
      hup
      wait_reload $((ra + 1)) $((rb + 1))
      ;;
    unlock-acme)
      # The lockout was recorded in region A's store only.
      a --tenant acme user unlock alice
      a --tenant acme ip unlock 127.0.0.1
      ;;
    rotate-acme)
      a --tenant acme keys rotate >/dev/null
      rm -rf "$TMP/tenants-b/acme/keys" && cp -a "$TMP/tenants/acme/keys" "$TMP/tenants-b/acme/"
      hup
      wait_reload $((ra + 1)) $((rb + 1))
      ;;
    *) echo "unknown hook $2" >&2; exit 2 ;;
  esac
  exit 0
fi

authd=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/openid-client" ]; then
  echo "tests/oidc/node_modules missing: run scripts/test-deps" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/steer-tenants.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${keep:-0}" = 1 ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "FAIL $*" >&2; rc=1; }

read -r pa pb pc < <(node -e '
  const net = require("net"); const ports = [];
  const grab = () => { const s = net.createServer().listen(0, "127.0.0.1", () => {
    ports.push(s.address().port); s.close(() => ports.length < 3 ? grab() : console.log(ports.join(" ")));
  }); }; grab();')
issuer="http://127.0.0.1:$pa"
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null

for region in a b; do
  port=$([ $region = a ] && echo "$pa" || echo "$pb")
  dir=$([ $region = a ] && echo tenants || echo tenants-b)
  cat >"$tmp/$region.yaml" <<YAML
issuer: $issuer
listen: {address: 127.0.0.1, port: $port}
keys_dir: keys
store: {sqlite: $region.db}
throttle: {logins_per_minute: 600}
lockout: {max_failures: 10, block_for: 15m}
log: {level: info}
tenants: {dir: $dir, routing: path}
YAML
  [ $region = b ] && echo "tls: {cert_file: tls.crt, key_file: tls.key}" >>"$tmp/$region.yaml"
done
adm() { "$authd" admin --config "$tmp/$1.yaml" "${@:2}"; }

rc=0
# Bad input: a bad tenant name is refused (exit 1) and creates nothing.
set +e
adm a tenant add Bad_Name >"$tmp/bad.out" 2>&1
bad_rc=$?
set -e
[ $bad_rc = 1 ] || fail "tenant add Bad_Name exited $bad_rc, want 1"
grep -q "a-z, 0-9" "$tmp/bad.out" || fail "tenant add Bad_Name: no clear error: $(cat "$tmp/bad.out")"
[ -z "$(ls -A "$tmp/tenants" 2>/dev/null)" ] || fail "tenant add Bad_Name created $(ls -A "$tmp/tenants")"
# A logo must be https:// (the login page may be https; an http image is mixed content).
set +e
adm a tenant add plain --logo-url http://cdn.example.com/x.svg >"$tmp/bad.out" 2>&1
bad_rc=$?
set -e
[ $bad_rc = 1 ] && grep -q "must start with https://" "$tmp/bad.out" ||
  fail "tenant add --logo-url http://: exit $bad_rc $(cat "$tmp/bad.out")"
[ -z "$(ls -A "$tmp/tenants" 2>/dev/null)" ] || fail "a refused tenant add created $(ls -A "$tmp/tenants")"

adm a tenant add acme --display-name "Acme Corp" --primary-color "#ff6600" \
  --background-color "#fff8f0" --logo-url https://cdn.example.com/acme.svg >/dev/null
adm a tenant add globex --display-name "Globex" >/dev/null
# A small lockout for acme only, so that its brute-force test is short. The admin leaves the
# server's lockout out of tenant.yaml (the tenant follows the server's), so acme's own is added.
grep -q '^lockout:' "$tmp/tenants/acme/tenant.yaml" && fail "tenant.yaml has the server's lockout"
printf 'lockout:\n  max_failures: 3\n  block_for: 15m\n' >>"$tmp/tenants/acme/tenant.yaml"
cp -a "$tmp/tenants" "$tmp/tenants-b"
adm a tenant list | grep -q "^acme	$issuer/t/acme	Acme Corp$" || fail "tenant list: $(adm a tenant list)"

web=(--redirect-uri http://127.0.0.1:9/cb --post-logout-uri http://127.0.0.1:9/bye)
# Users are added to both regions' stores in one run, so both hold the same (random) subject.
both=(--config "$tmp/a.yaml" --config "$tmp/b.yaml")
for t in acme globex; do
  echo "alice-$t-password" | "$authd" admin "${both[@]}" --tenant $t user add alice \
    --email "alice@$t.example" --name "Alice of $t" >/dev/null
done
echo "bob-acme-password" | "$authd" admin "${both[@]}" --tenant acme user add bob >/dev/null
# The top-level issuer has its own alice and web too.
echo "alice-top-password" | "$authd" admin "${both[@]}" user add alice >/dev/null
for region in a b; do
  for t in acme globex; do
    echo "web-$t-secret-0123456789abcdef0123" | adm $region --tenant $t client add web "${web[@]}" \
      --secret-stdin >/dev/null
  done
  echo "web-top-secret-0123456789abcdef0123" | adm $region client add web "${web[@]}" \
    --secret-stdin >/dev/null
  "$authd" --config "$tmp/$region.yaml" >"$tmp/$region.log" 2>&1 &
  pids+=($!)
done
pid_a=${pids[0]} pid_b=${pids[1]}

# --tenant scopes the admin commands; the top-level view shows no tenant's entries.
[ "$(adm a --tenant acme user list | cut -f1 | sort | tr '\n' ' ')" = "alice bob " ] ||
  fail "acme user list: $(adm a --tenant acme user list)"
[ "$(adm a user list | cut -f1 | tr '\n' ' ')" = "alice " ] || fail "top user list: $(adm a user list)"
set +e
adm a --tenant nosuch user list >"$tmp/nosuch.out" 2>&1
nosuch_rc=$?
set -e
[ $nosuch_rc = 1 ] && grep -q "no tenant nosuch" "$tmp/nosuch.out" ||
  fail "--tenant nosuch: exit $nosuch_rc $(cat "$tmp/nosuch.out")"

# The third server: host routing under "localhost" (allowed with an http loopback issuer).
cat >"$tmp/c.yaml" <<YAML
issuer: http://127.0.0.1:$pc
listen: {address: 127.0.0.1, port: $pc}
keys_dir: keys
store: {sqlite: c.db}
log: {level: info}
tenants: {dir: tenants-c, routing: host, domain: localhost}
YAML
adm c tenant add acme >/dev/null
adm c tenant add globex >/dev/null
"$authd" --config "$tmp/c.yaml" >"$tmp/c.log" 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$pa" "https://127.0.0.1:$pb" "http://127.0.0.1:$pc"; do
  for _ in $(seq 100); do
    curl -sf --cacert "$tmp/tls.crt" "$url/healthz/ready" >/dev/null && break
    sleep 0.1
  done
done

# Host routing (curl sets the Host header; nothing resolves acme.localhost).
c_get() { curl -s -o "$tmp/c.body" -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$pc$2"; }
code=$(c_get "acme.localhost:$pc" /.well-known/openid-configuration)
[ "$code" = 200 ] || fail "host routing: acme discovery $code"
iss=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' "$tmp/c.body")
[ "$iss" = "http://acme.localhost:$pc" ] || fail "host routing: issuer $iss"
code=$(c_get "ACME.localhost:$pc" /jwks)
[ "$code" = 200 ] || fail "host routing: Host is case-insensitive, got $code"
code=$(c_get "acme.localhost:$pc" /t/globex/.well-known/openid-configuration)
[ "$code" = 400 ] || fail "host routing: Host acme + path /t/globex gave $code, want 400"
code=$(c_get "nosuch.localhost:$pc" /.well-known/openid-configuration)
cp "$tmp/c.body" "$tmp/c.unknown-tenant"
c_get "127.0.0.1:$pc" /no/such/path >/dev/null
[ "$code" = 404 ] && cmp -s "$tmp/c.body" "$tmp/c.unknown-tenant" ||
  fail "host routing: unknown tenant gave $code $(cat "$tmp/c.unknown-tenant")"
code=$(c_get "127.0.0.1:$pc" /.well-known/openid-configuration)
iss=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' "$tmp/c.body")
[ "$iss" = "http://127.0.0.1:$pc" ] || fail "host routing: top-level issuer $iss"

set +e
NODE_EXTRA_CA_CERTS="$tmp/tls.crt" STEER_ISSUER=$issuer STEER_A=$issuer \
  STEER_B="https://127.0.0.1:$pb" STEER_HOOK="$0" AUTHD="$authd" TMP="$tmp" \
  PID_A=$pid_a PID_B=$pid_b node "$here/tenants.mjs"
[ $? = 0 ] || rc=1
set -e
for p in "$pid_a" "$pid_b"; do kill -0 "$p" 2>/dev/null || fail "steer-authd $p died"; done
# No password or secret may appear in any log.
if grep -E "alice-(acme|globex|top)-password|bob-acme-password|secret-0123|guess-" "$tmp"/*.log; then fail "a secret reached a log"; fi
[ $rc = 0 ] || for r in a b c; do echo "--- region $r log"; tail -20 "$tmp/$r.log"; done
exit $rc
