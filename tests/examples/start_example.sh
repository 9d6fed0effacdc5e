#!/usr/bin/env bash
# Starts one file of examples/ UNMODIFIED, as an operator would, and checks it is accepted:
#   powerdns  examples/login-powerdns.yaml     steerd + PowerDNS (API 127.0.0.1:8081, DNS :53)
#   rfc2136   examples/login-bind-rfc2136.yaml steerd + BIND (127.0.0.1:53, TSIG steer-key)
#   patroni   examples/db-patroni.yaml         steerd + PowerDNS, db.example.test steered by
#             each region's Patroni /primary (no Patroni here: tests/e2e steer_patroni_e2e_test
#             runs the same policy shape against a real Patroni cluster)
#   authd     examples/authd/authd.yaml        steer-authd (0.0.0.0:8443, TLS)
#   etcd      examples/login-etcd.yaml         three steerd (us-east, eu-west, ap-south), a
#             3-member etcd cluster (TLS, client certificates, auth: user steer), PowerDNS
#             behind an nginx TLS proxy (pdns-api.example.test:8081)
# The examples name documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24),
# port 53, /etc/steer and /var/lib/steer. So everything runs in a network namespace of its
# own, where those addresses are on `lo` and nothing else is reachable (no traffic leaves it),
# and in a private mount namespace where /etc/steer, /var/lib/steer and /var/lib/steer-authd
# are tmpfs. The region probes fail (no backends there); the test checks that the daemon
# starts, answers its API, refuses nothing, and (steerd) found the nameservers it verifies.
# etcd: the servers (etcd, PowerDNS, nginx) run in that namespace; each agent runs in a
# network namespace of its own (veth to the servers' one: 10.99.N.2 <-> 10.99.N.1) and a
# mount namespace with its own /var/lib/steer, so all three use the example's listen
# (127.0.0.1:9053, each in its namespace) and state_dir. us-east runs the file itself; the
# other two run a copy that differs only in `vantage:`, as the example says. /etc/hosts
# (etcd-N, pdns-api, ns1, ns2), /etc/resolv.conf (127.0.0.1: other names fail at once) and the
# system CA bundle (plus the test CA) are bind-mounted in the private mount namespace.
# Needs root (ip netns, mount); exits 77 (skipped) otherwise.
#
# Usage: start_example.sh powerdns|rfc2136|patroni|authd|etcd SOURCE_DIR BINARY_DIR
set -euo pipefail

kind=$1 src=$2 bin=$3
ns=${STEER_EXAMPLE_NS:-steer-example-$kind-$$}  # the inner run is told the outer one's
say() { echo "start_example[$kind]: $*"; }

VANTAGES=(us-east eu-west ap-south)  # etcd: one agent (and network namespace) each
ETCD_ADDRS=(198.51.100.2 203.0.113.2 192.0.2.2)  # etcd-1..3.example.test, one per region

if [ "${STEER_EXAMPLE_INNER:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then
    say "SKIP: needs root, ip and unshare"
    exit 77
  fi
  if [ "$kind" = etcd ]; then
    for tool in etcd etcdctl pdns_server nginx openssl; do
      command -v "$tool" >/dev/null || { say "SKIP: needs $tool"; exit 77; }
    done
  fi
  created=()
  nets=("$ns")
  [ "$kind" != etcd ] || for v in "${VANTAGES[@]}"; do nets+=("$ns-$v"); done
  cleanup() {
    local pids n
    for n in "${nets[@]}"; do
      pids=$(ip netns pids "$n" 2>/dev/null || true)
      for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done  # only ours live there
    done
    for n in "${nets[@]}"; do ip netns delete "$n" 2>/dev/null || true; done
    for d in "${created[@]}"; do rmdir "$d" 2>/dev/null || true; done
  }
  trap cleanup EXIT
  # Mount points for the private tmpfs mounts; removed again if this test made them.
  for d in /etc/steer /var/lib/steer /var/lib/steer-authd; do
    if [ ! -d "$d" ]; then
      mkdir -p "$d"
      created+=("$d")
    fi
  done
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  for a in 198.51.100.10 198.51.100.11 198.51.100.53 203.0.113.10 203.0.113.11 203.0.113.53; do
    ip -n "$ns" addr add "$a/32" dev lo
  done
  if [ "$kind" = etcd ]; then
    for a in "${ETCD_ADDRS[@]}" 192.0.2.10; do ip -n "$ns" addr add "$a/32" dev lo; done
    n=1
    for v in "${VANTAGES[@]}"; do
      ip netns add "$ns-$v"
      ip -n "$ns" link add "agent$n" type veth peer name eth0 netns "$ns-$v"
      ip -n "$ns" addr add "10.99.$n.1/24" dev "agent$n"
      ip -n "$ns" link set "agent$n" up
      ip -n "$ns-$v" link set lo up
      ip -n "$ns-$v" addr add "10.99.$n.2/24" dev eth0
      ip -n "$ns-$v" link set eth0 up
      ip -n "$ns-$v" route add default via "10.99.$n.1"
      n=$((n + 1))
    done
  fi
  STEER_EXAMPLE_INNER=1 STEER_EXAMPLE_NS=$ns ip netns exec "$ns" unshare --mount --propagation private \
    bash "$0" "$kind" "$src" "$bin"
  exit $?
fi

# ---- inside the namespaces -----------------------------------------------------------------
for d in /etc/steer /var/lib/steer /var/lib/steer-authd; do mount -t tmpfs -o mode=0700 tmpfs "$d"; done
tmp=$(mktemp -d /var/lib/steer/test.XXXXXX)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
fail() {
  say "FAIL: $*"
  for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  exit 1
}
trap stop_all EXIT

wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

start_powerdns() {
  export PDNS_API_KEY=example-pdns-key-0123456789
  sqlite3 "$tmp/pdns.db" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  cat >"$tmp/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$tmp/pdns.db
local-address=127.0.0.1, 198.51.100.53, 203.0.113.53
local-port=53
api=yes
api-key=$PDNS_API_KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=8081
webserver-allow-from=127.0.0.0/8
socket-dir=$tmp
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
EOF
  pdns_server --config-dir="$tmp" --daemon=no --guardian=no --disable-syslog --write-pid=no \
    >"$tmp/pdns.log" 2>&1 &
  pids+=($!)
  wait_for 10 curl -sf -H "X-API-Key: $PDNS_API_KEY" http://127.0.0.1:8081/api/v1/servers/localhost ||
    fail "PowerDNS did not start"
  # The zone's NS set: two servers on documentation addresses, found by steerd's discovery.
  curl -sf -H "X-API-Key: $PDNS_API_KEY" -X POST http://127.0.0.1:8081/api/v1/servers/localhost/zones \
    -d '{"name": "example.test.", "kind": "Native", "nameservers": ["ns1.example.test.", "ns2.example.test."],
         "rrsets": [
           {"name": "ns1.example.test.", "type": "A", "ttl": 30, "records": [{"content": "198.51.100.53", "disabled": false}]},
           {"name": "ns2.example.test.", "type": "A", "ttl": 30, "records": [{"content": "203.0.113.53", "disabled": false}]},
           {"name": "login.example.test.", "type": "A", "ttl": 30, "records": [{"content": "198.51.100.10", "disabled": false}]}]}' \
    >/dev/null || fail "cannot create the zone"
}

start_bind() {
  local secret
  secret=$(openssl rand -base64 32)
  printf '%s' "$secret" >/etc/steer/tsig-secret
  export STEER_API_TOKEN=example-api-token-0123456789
  cat >"$tmp/example.test.zone" <<EOF
\$TTL 30
@ IN SOA ns1.example.test. hostmaster.example.test. 1 60 60 600 30
@ IN NS ns1.example.test.
ns1 IN A 203.0.113.53
login IN A 203.0.113.10
EOF
  cat >"$tmp/named.conf" <<EOF
key "steer-key" { algorithm hmac-sha256; secret "$secret"; };
options { directory "$tmp"; listen-on port 53 { 127.0.0.1; 203.0.113.53; }; listen-on-v6 { none; };
  pid-file "$tmp/named.pid"; session-keyfile "$tmp/session.key"; recursion no;
  dnssec-validation no; };
controls { };
zone "example.test" { type primary; file "$tmp/example.test.zone";
  update-policy { grant steer-key zonesub ANY; }; };
EOF
  named -g -c "$tmp/named.conf" -n 1 -u root >"$tmp/named.log" 2>&1 &
  pids+=($!)
  wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/53" || fail "named did not start"
}

run_steerd() {  # run_steerd EXAMPLE TOKEN [SERVICE]: starts steerd, checks status and dns show
  local example=$1 token=$2 service=${3:-login}
  "$bin/agent/steerd" --config "$example" >"$tmp/steerd.log" 2>&1 &
  local steerd=$!
  pids+=("$steerd")
  wait_for 20 grep -q "steerd: API on" "$tmp/steerd.log" ||
    fail "steerd did not start on $example (exit: $(kill -0 "$steerd" 2>/dev/null && echo running || echo gone))"
  export STEER_API=http://127.0.0.1:9053 STEER_TOKEN=$token
  "$bin/agent/steerctl" status >"$tmp/status.out" 2>&1 || fail "steerctl status: $(cat "$tmp/status.out")"
  grep -q "$service" "$tmp/status.out" || fail "status does not show $service: $(cat "$tmp/status.out")"
  "$bin/agent/steerctl" validate -c "$example" >"$tmp/validate.out" 2>&1 ||
    fail "steerctl validate: $(cat "$tmp/validate.out")"
  # What steerd verifies after a change: each authoritative server answers the provider's data.
  "$bin/agent/steerctl" dns show -c "$example" >"$tmp/dns.out" 2>&1 ||
    fail "steerctl dns show: $(cat "$tmp/dns.out")"
  cat "$tmp/status.out" "$tmp/dns.out"
  kill -0 "$steerd" 2>/dev/null || fail "steerd exited"
}

case $kind in
  powerdns)
    start_powerdns
    printf '%s' example-api-token-0123456789 >/etc/steer/api-token
    export SLACK_WEBHOOK_URL=http://127.0.0.1:9/slack  # its notifier's secret; nothing listens
    run_steerd "$src/examples/login-powerdns.yaml" example-api-token-0123456789
    grep -q "ns1.example.test. (198.51.100.53)" "$tmp/dns.out" || fail "ns1 not discovered"
    grep -q "ns2.example.test. (203.0.113.53)" "$tmp/dns.out" || fail "ns2 not discovered"
    ;;
  patroni)
    start_powerdns
    curl -sf -H "X-API-Key: $PDNS_API_KEY" -X PATCH \
      http://127.0.0.1:8081/api/v1/servers/localhost/zones/example.test. \
      -d '{"rrsets": [{"name": "db.example.test.", "type": "A", "ttl": 5, "changetype": "REPLACE",
           "records": [{"content": "198.51.100.11", "disabled": false}]}]}' ||
      fail "cannot add db.example.test."
    printf '%s' example-api-token-0123456789 >/etc/steer/api-token
    run_steerd "$src/examples/db-patroni.yaml" example-api-token-0123456789 db
    grep -q "ns1.example.test. (198.51.100.53)" "$tmp/dns.out" || fail "ns1 not discovered"
    ;;
  rfc2136)
    start_bind
    run_steerd "$src/examples/login-bind-rfc2136.yaml" "$STEER_API_TOKEN"
    grep -q "127.0.0.1:53 .* ok" "$tmp/dns.out" || fail "the configured nameserver does not agree"
    ;;
  authd)
    authd=$bin/auth-core/steer-authd
    cfg=$src/examples/authd/authd.yaml
    mkdir -p /etc/steer/authd/tls
    "$authd" admin keys generate --dir /etc/steer/authd/keys >/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
      -subj /CN=login.example.com -addext subjectAltName=DNS:login.example.com \
      -keyout /etc/steer/authd/tls/key.pem -out /etc/steer/authd/tls/chain.pem 2>/dev/null
    echo "alice-password-1" | "$authd" admin -c "$cfg" user add alice --email alice@example.com >/dev/null
    "$authd" admin -c "$cfg" client add web --redirect-uri https://app.example.com/cb >/dev/null
    rm -rf /etc/steer/authd/tenants
    "$authd" admin -c "$cfg" tenant add acme --display-name "Acme Corp" >/dev/null
    "$authd" --config "$cfg" --check >"$tmp/check.log" 2>&1 || fail "--check: $(cat "$tmp/check.log")"
    "$authd" --config "$cfg" >"$tmp/authd.log" 2>&1 &
    pids+=($!)
    url=https://login.example.com:8443
    curl_authd() {
      curl -sf --cacert /etc/steer/authd/tls/chain.pem --resolve login.example.com:8443:198.51.100.10 "$@"
    }
    wait_for 20 curl_authd "$url/healthz/ready" || fail "steer-authd did not become ready"
    curl_authd "$url/.well-known/openid-configuration" >"$tmp/discovery.json" || fail "no discovery document"
    grep -q '"issuer":"https://login.example.com"' "$tmp/discovery.json" ||
      fail "wrong issuer: $(cat "$tmp/discovery.json")"
    curl_authd "$url/t/acme/.well-known/openid-configuration" >"$tmp/acme.json" || fail "no tenant"
    grep -q '"issuer":"https://login.example.com/t/acme"' "$tmp/acme.json" ||
      fail "wrong tenant issuer: $(cat "$tmp/acme.json")"
    ;;
  etcd)
    # shellcheck source=tests/examples/etcd_example.sh
    source "$(dirname "$0")/etcd_example.sh"
    run_etcd_example
    ;;
  *)
    echo "usage: start_example.sh powerdns|rfc2136|patroni|authd|etcd SOURCE_DIR BINARY_DIR" >&2
    exit 2
    ;;
esac
say "ok"
