#!/usr/bin/env bash
# Integration test: the public status page of the live demo in a real browser. scripts/demo
# (without setup and build, on free loopback ports, a status title with markup in it) runs
# PowerDNS, two steer-authd regions and steerd with its public listener; tests/status/page.mjs
# drives headless Debian Chromium (/usr/bin/chromium) through playwright-core: every service
# operational with 90 bars; `scripts/demo cut a` -> the incident with its timeline and login
# served from b; `scripts/demo restore a` -> back on a, the incident monitoring; 10 s later
# (status.resolve_after) the incident resolved. On each state:
# no console errors, no request off the page's origin, axe-core (light and dark) without
# serious or critical violations, the Statuspage v2 API read by the npm `statuspage.io` client
# and validated, the Atom feed parsed, and `steerctl status-page export` served by a plain
# static server (python3 -m http.server) showing the same page. Screenshots go to ARTIFACT_DIR.
# Usage: browser.sh ARTIFACT_DIR      (needs build/ with steerd, steerctl, steer-authd)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/status"
artifacts=$(mkdir -p "$1" && cd "$1" && pwd)
for m in playwright-core axe-core statuspage.io; do
  [ -d "$here/node_modules/$m" ] || { echo "tests/status/node_modules/$m missing: run scripts/test-deps" >&2; exit 1; }
done
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "$CHROMIUM missing: run scripts/setup (Debian package chromium)" >&2; exit 1; }
for b in agent/steerd agent/steerctl auth-core/steer-authd; do
  [ -x "$root/build/$b" ] || { echo "build/$b missing: build it first" >&2; exit 1; }
done
started=$(date +%s.%N)
tmp=$(mktemp -d /tmp/steer-status-browser.XXXXXX)
demo="" static=""
cleanup() {
  local pid
  for pid in $demo $static; do  # the demo's own TERM handler stops what it started
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${keep:-0}" = 1 ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# Seven free loopback ports (bound to 0, then released): the demo's six and the static server.
read -r -a ports < <(node -e '
  const net = require("net"); const ports = []; const held = [];
  const grab = () => { const s = net.createServer().listen(0, "127.0.0.1", () => {
    ports.push(s.address().port); held.push(s);
    if (ports.length < 7) return grab();
    held.forEach((h) => h.close()); console.log(ports.join(" "));
  }); }; grab();')
export STEER_DEMO_DIR="$tmp/demo" STEER_DEMO_SKIP_BUILD=1
export STEER_DEMO_DNS_PORT=${ports[0]} STEER_DEMO_PDNS_API_PORT=${ports[1]}
export STEER_DEMO_API_PORT=${ports[2]} STEER_DEMO_REGION_PORTS="${ports[3]} ${ports[4]}"
export STEER_DEMO_STATUS_PORT=${ports[5]} STEER_DEMO_TTL=5 STEER_DEMO_FAILBACK_AFTER=1s
export STEER_DEMO_STATUS_RESOLVE_AFTER=10s  # the incident resolves within the test
# Policy text reaches the page: markup in it must stay text (checked in the browser).
export STEER_DEMO_STATUS_TITLE='Steer demo <script>alert(1)</script> & "status"'
mkdir -p "$STEER_DEMO_DIR" "$tmp/site"
cd "$root"
scripts/demo >"$tmp/demo.out" 2>&1 &
demo=$!
for _ in $(seq 300); do grep -q "demo is running" "$tmp/demo.out" && break; sleep 0.1; done
grep -q "demo is running" "$tmp/demo.out" || { cat "$tmp/demo.out"; exit 1; }
awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "demo running after %.1f s\n", e - s }'
export STATUS_URL="http://127.0.0.1:$STEER_DEMO_STATUS_PORT"
grep -qF "status page  $STATUS_URL/" "$tmp/demo.out" || { echo "the demo printed no status page URL"; cat "$tmp/demo.out"; exit 1; }

# The export directory served by a plain static server.
python3 -m http.server --bind 127.0.0.1 --directory "$tmp/site" "${ports[6]}" >"$tmp/static.log" 2>&1 &
static=$!
export STATIC_URL="http://127.0.0.1:${ports[6]}" EXPORT_DIR="$tmp/site" ARTIFACTS="$artifacts"
export STEERCTL="$root/build/agent/steerctl" DEMO="$root/scripts/demo"
for _ in $(seq 100); do curl -s -o /dev/null "$STATIC_URL/" && break; sleep 0.1; done
if ! node "$here/page.mjs"; then
  echo "--- demo output"; cat "$tmp/demo.out"; echo "--- steerd log (tail)"; tail -30 "$STEER_DEMO_DIR/steerd.log"
  exit 1
fi
awk -v s="$started" -v e="$(date +%s.%N)" -v a="$artifacts" \
  'BEGIN { printf "status page browser test passed in %.1f s; screenshots in %s\n", e - s, a }'
