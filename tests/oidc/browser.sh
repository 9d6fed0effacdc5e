#!/usr/bin/env bash
# Integration test: CORS in a real browser. One steer-authd on a free loopback port (plain
# HTTP, a temp dir), a public client "spa" registered with the SPA's web origin, and
# tests/oidc/browser.mjs driving headless Debian Chromium (/usr/bin/chromium, package
# `chromium`) through playwright-core. Always stops what it started.
# Usage: browser.sh PATH/TO/steer-authd
set -euo pipefail
authd=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "tests/oidc/node_modules missing: run scripts/test-deps" >&2
  exit 1
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "$chromium missing: run scripts/setup (Debian package chromium)" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/steer-browser.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "${keep:-0}" = 1 ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# Three free loopback ports (bound to 0, then released): provider, SPA, unregistered page.
read -r pa ps po < <(node -e '
  const net = require("net"); const ports = [];
  const grab = () => { const s = net.createServer().listen(0, "127.0.0.1", () => {
    ports.push(s.address().port); s.close(() => ports.length < 3 ? grab() : console.log(ports.join(" ")));
  }); }; grab();')
issuer="http://127.0.0.1:$pa"
spa="http://127.0.0.1:$ps"
"$authd" admin keys generate --dir "$tmp/keys" >/dev/null
cat >"$tmp/authd.yaml" <<YAML
issuer: $issuer
listen: {address: 127.0.0.1, port: $pa}
keys_dir: keys
store: {sqlite: authd.db}
log: {level: info}
YAML
cfg="$tmp/authd.yaml"
echo "alice-password-1" | "$authd" admin --config "$cfg" user add alice --email alice@example.com >/dev/null
# The documented SPA registration: a public client with its redirect URI and its web origin.
"$authd" admin --config "$cfg" client add spa --public --redirect-uri "$spa/index.html" \
  --web-origin "$spa"
# A bad origin is refused with a clear error and changes nothing.
if "$authd" admin --config "$cfg" client add bad --public --web-origin "$spa/" 2>"$tmp/bad.err"; then
  echo "FAIL: a web origin with a path was accepted" >&2
  exit 1
fi
grep -q "no path" "$tmp/bad.err" || { cat "$tmp/bad.err" >&2; exit 1; }
if "$authd" admin --config "$cfg" client list | grep -q '^bad'; then
  echo "FAIL: the refused client was stored" >&2
  exit 1
fi
"$authd" --config "$cfg" >"$tmp/authd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -sf "$issuer/healthz/ready" >/dev/null && break
  sleep 0.1
done

STEER_ISSUER=$issuer SPA_PORT=$ps OTHER_PORT=$po CHROMIUM=$chromium node "$here/browser.mjs"
if grep -E "alice-password" "$tmp"/*.log; then
  echo "FAIL: a password reached the log" >&2
  exit 1
fi
echo "browser CORS test passed"
