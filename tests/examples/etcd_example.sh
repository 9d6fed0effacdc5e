# shellcheck shell=bash disable=SC2154  # (tmp, ns, src, bin: start_example.sh)
# Sourced by start_example.sh (kind etcd), inside the servers' network namespace and the
# private mount namespace: a PKI made with the openssl CLI, the example's host names, a
# 3-member etcd cluster (TLS, client certificates, auth), nginx as the PowerDNS API's TLS
# proxy and three steerd, one per vantage point, each in its own network namespace.
# Uses from start_example.sh: tmp, ns, src, bin, pids, VANTAGES, ETCD_ADDRS, wait_for, fail.

pki=$tmp/pki
issue_cert() {  # issue_cert OUT CN SUBJECT_ALT_NAMES EXTENDED_KEY_USAGE: OUT.pem + OUT.key
  local out=$1
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/${2:+CN=$2}" \
    -keyout "$out.key" -out "$out.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$out.ext"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" >>"$out.ext"
  openssl x509 -req -in "$out.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 1 -extfile "$out.ext" -out "$out.pem" 2>/dev/null
}

# One internal CA: each etcd member's certificate (clientAuth too: etcd's JSON gateway dials
# its own gRPC port with it), the members' peer certificate, the PowerDNS API proxy, steer.
make_pki() {
  mkdir -p "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=Example internal CA" -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
  local i peers=""
  for i in 1 2 3; do
    issue_cert "$pki/etcd-$i" "etcd-$i.example.test" \
      "DNS:etcd-$i.example.test,IP:${ETCD_ADDRS[$((i - 1))]}" serverAuth,clientAuth
    peers+="${peers:+,}DNS:etcd-$i.example.test,IP:${ETCD_ADDRS[$((i - 1))]}"
  done
  issue_cert "$pki/etcd-peer" etcd-peer.example.test "$peers" serverAuth,clientAuth
  issue_cert "$pki/pdns-api" pdns-api.example.test DNS:pdns-api.example.test serverAuth
  # No CommonName: with --client-cert-auth, etcd 3.4's JSON gateway (what steer speaks)
  # refuses a client certificate that has one (HTTP 400).
  issue_cert "$pki/steer" "" DNS:steer clientAuth
  install -m 0644 "$pki/ca.pem" /etc/steer/etcd-ca.pem
  install -m 0644 "$pki/steer.pem" /etc/steer/etcd-client.pem
  install -m 0600 "$pki/steer.key" /etc/steer/etcd-client.key
}

private_names() {  # the example's host names, a resolver that answers nothing, the CA trusted
  [ "${STEER_EXAMPLE_INNER:-}" = 1 ] || fail "private_names outside the private mount namespace"
  printf '127.0.0.1 localhost\n' >"$tmp/hosts"
  local i
  for i in 1 2 3; do printf '%s etcd-%s.example.test\n' "${ETCD_ADDRS[$((i - 1))]}" "$i" >>"$tmp/hosts"; done
  printf '198.51.100.53 pdns-api.example.test ns1.example.test\n203.0.113.53 ns2.example.test\n' \
    >>"$tmp/hosts"
  printf 'nameserver 127.0.0.1\n' >"$tmp/resolv.conf"
  cat /etc/ssl/certs/ca-certificates.crt "$pki/ca.pem" >"$tmp/ca-certificates.crt"
  mount --bind "$tmp/hosts" /etc/hosts
  mount --bind "$tmp/resolv.conf" /etc/resolv.conf
  mount --bind "$tmp/ca-certificates.crt" /etc/ssl/certs/ca-certificates.crt
}

etcdctl_() {
  local endpoints=https://etcd-1.example.test:2379,https://etcd-2.example.test:2379
  endpoints+=,https://etcd-3.example.test:2379
  ETCDCTL_API=3 etcdctl --dial-timeout=2s --cacert=/etc/steer/etcd-ca.pem \
    --cert=/etc/steer/etcd-client.pem --key=/etc/steer/etcd-client.key \
    --endpoints="$endpoints" "$@"
}

# TLS for clients (client certificates required) and for peers. The members share one peer
# certificate naming all three: etcd matches a peer's certificate against the connection's
# source address, and here every member's address is on the same `lo`, so the kernel picks
# the destination's address as the source.
start_etcd_cluster() {
  local cluster="" i tls ip name
  for i in 1 2 3; do cluster+="${cluster:+,}etcd-$i=https://etcd-$i.example.test:2380"; done
  for i in 1 2 3; do
    ip=${ETCD_ADDRS[$((i - 1))]} name=etcd-$i.example.test
    tls=(--cert-file="$pki/etcd-$i.pem" --key-file="$pki/etcd-$i.key" --client-cert-auth
      --trusted-ca-file="$pki/ca.pem" --peer-cert-file="$pki/etcd-peer.pem"
      --peer-key-file="$pki/etcd-peer.key" --peer-client-cert-auth
      --peer-trusted-ca-file="$pki/ca.pem")
    etcd --name "etcd-$i" --data-dir "$tmp/etcd-$i" "${tls[@]}" \
      --listen-client-urls "https://$ip:2379" --advertise-client-urls "https://$name:2379" \
      --listen-peer-urls "https://$ip:2380" --initial-advertise-peer-urls "https://$name:2380" \
      --initial-cluster "$cluster" --initial-cluster-token steer-example \
      --initial-cluster-state new >"$tmp/etcd-$i.log" 2>&1 &
    pids+=($!)
  done
  wait_for 15 etcdctl_ endpoint health || fail "etcd did not start"
}

enable_etcd_auth() {  # user steer: read/write on the example's prefix only
  local root_password
  root_password=$(openssl rand -hex 16)
  STEER_ETCD_PASSWORD=$(openssl rand -hex 16)
  export STEER_ETCD_PASSWORD
  {
    etcdctl_ user add "root:$root_password"
    etcdctl_ role add root
    etcdctl_ user grant-role root root
    etcdctl_ user add "steer:$STEER_ETCD_PASSWORD"
    etcdctl_ role add steer
    etcdctl_ role grant-permission steer --prefix=true readwrite /steer/login/
    etcdctl_ user grant-role steer steer
    etcdctl_ auth enable
  } >"$tmp/etcd-auth.log" 2>&1 || fail "etcd auth: $(cat "$tmp/etcd-auth.log")"
  if etcdctl_ --user "steer:$STEER_ETCD_PASSWORD" put /elsewhere x >/dev/null 2>&1; then
    fail "etcd auth is not enabled: steer may write outside /steer/login/"
  fi
}

start_tls_proxy() {  # nginx: https://pdns-api.example.test:8081 -> PowerDNS's http API
  mkdir -p "$tmp/nginx"
  cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server {
    listen 198.51.100.53:8081 ssl;
    ssl_certificate $pki/pdns-api.pem;
    ssl_certificate_key $pki/pdns-api.key;
    location / { proxy_pass http://127.0.0.1:8081; }
  }
}
NGINX
  nginx -e "$tmp/nginx.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  wait_for 10 curl -sf -H "X-API-Key: $PDNS_API_KEY" \
    https://pdns-api.example.test:8081/api/v1/servers/localhost || fail "the TLS proxy did not start"
}

start_agents() {  # start_agents EXAMPLE: us-east runs it, the others a copy (vantage only)
  local example=$1 v cfg
  grep -q '^  vantage: us-east$' "$example" || fail "$example is not the us-east agent's file"
  for v in "${VANTAGES[@]}"; do
    cfg=$example
    if [ "$v" != us-east ]; then
      cfg=/etc/steer/login-etcd-$v.yaml  # not $tmp: the agent gets its own /var/lib/steer
      sed "s/^  vantage: us-east\$/  vantage: $v/" "$example" >"$cfg"
      [ "$(diff "$example" "$cfg" | grep -c '^[<>]')" = 2 ] || fail "$cfg differs in more than vantage"
    fi
    "$bin/agent/steerctl" validate -c "$cfg" >"$tmp/validate-$v.out" 2>&1 ||
      fail "steerctl validate $v: $(cat "$tmp/validate-$v.out")"
    # The agent's own /var/lib/steer (state_dir), in a mount namespace of its own.
    # shellcheck disable=SC2016  # expanded by that sh
    ip netns exec "$ns-$v" unshare --mount --propagation private sh -c \
      'mount -t tmpfs -o mode=0700 tmpfs /var/lib/steer && exec "$0" --config "$1"' \
      "$bin/agent/steerd" "$cfg" >"$tmp/steerd-$v.log" 2>&1 &
    pids+=($!)
  done
  for v in "${VANTAGES[@]}"; do
    wait_for 20 grep -q "steerd: API on" "$tmp/steerd-$v.log" || fail "steerd $v did not start"
  done
}

agent_ctl() {  # agent_ctl VANTAGE ARGS...: steerctl in that agent's namespace, on its API
  local v=$1
  shift
  ip netns exec "$ns-$v" env STEER_API=http://127.0.0.1:9053 STEER_TOKEN="$STEER_API_TOKEN" \
    "$bin/agent/steerctl" "$@"
}

# Exactly one agent leads, none is frozen, every agent names the leader and sees three vantage
# points (its own and two fresh reports).
one_leader() {
  local v w leader="" count=0
  for v in "${VANTAGES[@]}"; do
    agent_ctl "$v" status >"$tmp/status-$v.out" 2>&1 || return 1
    ! grep -q FROZEN "$tmp/status-$v.out" || return 1
    if grep -q "^agent $v  leader=yes" "$tmp/status-$v.out"; then
      leader=$v
      count=$((count + 1))
    else
      grep -q "^agent $v  leader=no" "$tmp/status-$v.out" || return 1
    fi
    for w in "${VANTAGES[@]}"; do
      grep -Eq "^$w +(self|fresh [0-9.]+s) " "$tmp/status-$v.out" || return 1
    done
  done
  [ "$count" = 1 ] || return 1
  for v in "${VANTAGES[@]}"; do
    grep -Eq "^coordination etcd: leader $leader( |$)" "$tmp/status-$v.out" || return 1
  done
}

run_etcd_example() {
  make_pki
  private_names
  start_powerdns
  printf '%s' "$PDNS_API_KEY" >/etc/steer/pdns-api-key
  start_tls_proxy
  unset PDNS_API_KEY  # the example reads the key from /etc/steer/pdns-api-key
  start_etcd_cluster
  enable_etcd_auth
  export STEER_API_TOKEN=example-api-token-0123456789
  printf '%s' "$STEER_API_TOKEN" >/etc/steer/api-token
  # The notifications' secrets; their hosts resolve nowhere here, so deliveries just fail.
  export STEER_HOOK_TOKEN="Bearer example-hook-token" SMTP_PASSWORD=example-smtp-password
  start_agents "$src/examples/login-etcd.yaml"
  wait_for 30 one_leader || fail "not exactly one leader seen by all: $(cat "$tmp"/status-*.out)"
  cat "$tmp/status-us-east.out"
  # A follower finds the zone's NS set at the PowerDNS API's host and checks both servers.
  agent_ctl eu-west dns show -c /etc/steer/login-etcd-eu-west.yaml >"$tmp/dns.out" 2>&1 ||
    fail "steerctl dns show: $(cat "$tmp/dns.out")"
  cat "$tmp/dns.out"
  grep -q "ns1.example.test. (198.51.100.53)" "$tmp/dns.out" || fail "ns1 not discovered"
  grep -q "ns2.example.test. (203.0.113.53)" "$tmp/dns.out" || fail "ns2 not discovered"
}
