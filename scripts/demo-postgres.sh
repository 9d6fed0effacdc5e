# shellcheck shell=bash
# The demo's PostgreSQL mode (STEER_DEMO_STORE=postgres scripts/demo), sourced by scripts/demo:
# both regions' steer-authd share one PostgreSQL database, replicated between two nodes
# (region a's and region b's, 127.0.0.1:15432 and :15433) under Patroni with synchronous
# replication, on the etcd cluster that the three-agent mode uses too. Each steer-authd lists
# both nodes (target_session_attrs=read-write finds the primary) and reads its own node while
# the primary is away (standby_dsn). steerd also steers db.demo.test to the node whose Patroni
# answers GET /primary. `scripts/demo kill-db` kills the primary's postmaster (kill -9).

PG_PORTS=(${STEER_DEMO_PG_PORTS:-15432 15433})
PATRONI_PORTS=(${STEER_DEMO_PATRONI_PORTS:-18008 18009})
DB_ANSWERS=(198.51.100.11 198.51.100.21)

as_postgres() {  # as root, as the postgres user; clean environment; exec: keeps the PID (run with &)
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups env -i PATH=/usr/bin:/bin HOME="$D" "$@"
  else
    exec env -i PATH=/usr/bin:/bin HOME="$D" "$@"
  fi
}

write_patroni_config() {  # write_patroni_config INDEX
  local i=$1 r=${REGIONS[$1]} dir="$D/pg-${REGIONS[$1]}"
  local rest="127.0.0.1:${PATRONI_PORTS[$i]}" pg="127.0.0.1:${PG_PORTS[$i]}"
  mkdir -p "$dir" && chmod 700 "$dir"
  cat > "$D/patroni-$r.yaml" <<YAML
scope: steer-demo
namespace: /service/
name: pg-$r
restapi: {listen: '$rest', connect_address: '$rest'}
etcd3: {hosts: ['127.0.0.1:$ETCD_PORT0', '127.0.0.1:$((ETCD_PORT0 + 2))', '127.0.0.1:$((ETCD_PORT0 + 4))']}
bootstrap:
  dcs:
    ttl: 5
    loop_wait: 1
    retry_timeout: 2
    primary_start_timeout: 0
    synchronous_mode: true
    postgresql: {use_pg_rewind: true, parameters: {shared_buffers: 16MB, max_connections: 40}}
  initdb: [{encoding: UTF8}, data-checksums]
postgresql:
  listen: '$pg'
  connect_address: '$pg'
  data_dir: $dir/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: $dir/pgpass
  parameters: {unix_socket_directories: '$dir'}
  authentication:
    superuser: {username: postgres, password: '$PG_SUPERUSER_PASSWORD'}
    replication: {username: replicator, password: '${PG_SUPERUSER_PASSWORD}r'}
    rewind: {username: rewinder, password: '${PG_SUPERUSER_PASSWORD}w'}
  pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256',
           'host replication replicator 127.0.0.1/32 scram-sha-256']
YAML
  [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$dir" "$D/patroni-$r.yaml"
}

rest_ok() { curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:${PATRONI_PORTS[$1]}$2"; }

db_primary() {  # the index of the node whose Patroni answers /primary, or nothing
  local i
  for i in 0 1; do rest_ok "$i" /primary && { echo "$i"; return 0; }; done
  return 0
}

start_patroni() {
  local i r
  PG_SUPERUSER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  PG_AUTHD_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s' "$PG_AUTHD_PASSWORD" > "$D/pg-authd-password"; chmod 600 "$D/pg-authd-password"
  for i in 0 1; do
    r=${REGIONS[$i]}
    rm -rf "$D/pg-$r"
    write_patroni_config "$i"
    as_postgres /usr/bin/patroni "$D/patroni-$r.yaml" >"$D/patroni-$r.log" 2>&1 &
    echo $! > "$D/patroni-$r.pid"
  done
  local p=""
  for _ in $(seq 900); do  # bootstrap: initdb, then the replica's base backup
    p=$(db_primary)
    [ -n "$p" ] && rest_ok $((1 - p)) /sync && break
    sleep 0.1
  done
  [ -n "$p" ] && rest_ok $((1 - p)) /sync || { echo "Patroni did not come up; see $D/patroni-*.log" >&2; exit 1; }
  PGPASSWORD=$PG_SUPERUSER_PASSWORD psql -X -q -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=${PG_PORTS[$p]} dbname=postgres user=postgres" \
    -c "CREATE ROLE authd LOGIN PASSWORD '$PG_AUTHD_PASSWORD'" -c "CREATE DATABASE authd OWNER authd" >/dev/null
}

# stop_patroni: Patroni stops its postmaster on TERM; a postmaster left running (Patroni
# killed) is killed by the PID in its data directory.
stop_patroni() {
  local r pid
  for r in "${REGIONS[@]}"; do stop_pid "patroni-$r"; done
  for r in "${REGIONS[@]}"; do
    pid=$(head -1 "$D/pg-$r/data/postmaster.pid" 2>/dev/null) || continue
    kill -9 "$pid" 2>/dev/null || true
  done
}

kill_db() {
  local p; p=$(db_primary)
  [ -n "$p" ] || { echo "no node answers /primary now" >&2; exit 1; }
  kill -9 "$(head -1 "$D/pg-${REGIONS[$p]}/data/postmaster.pid")"
  echo "killed the PostgreSQL primary of region ${REGIONS[$p]} (kill -9); Patroni promotes the other node"
}

authd_store_yaml() {  # authd_store_yaml INDEX: the store section of region INDEX's steer-authd
  local own=${PG_PORTS[$1]} other=${PG_PORTS[$((1 - $1))]}
  cat <<YAML
store:
  postgres:
    dsn: "host=127.0.0.1,127.0.0.1 port=$own,$other dbname=authd user=authd target_session_attrs=read-write connect_timeout=2"
    password: file:$D/pg-authd-password
    standby_dsn: "host=127.0.0.1 port=$own dbname=authd user=authd"
YAML
}

policy_db_regions() {  # the regions of db.demo.test: each node's Patroni /primary
  local i
  for i in 0 1; do
    cat <<YAML
  db-${REGIONS[$i]}:
    components:
      db:
        probes:
          - name: patroni-primary
            type: http
            url: http://127.0.0.1:${PATRONI_PORTS[$i]}/primary
            interval: 200ms
            timeout: 150ms
            healthy_threshold: 1
            unhealthy_threshold: 2
YAML
  done
}

policy_db_service() {  # $1: the quorum line ("" for one agent)
  cat <<YAML
  db:
    dns_name: db.demo.test.
    zone: demo.test.
    ttl: 5
    provider: $DNS_PROVIDER
    regions:
      - region: db-a
        answers: [${DB_ANSWERS[0]}]
      - region: db-b
        answers: [${DB_ANSWERS[1]}]
    min_change_interval: 0ms
    block_after_failover: 0ms
    safety: {max_changes_per_hour: $MAX_CHANGES_PER_HOUR}
    failback: manual
    all_down: keep
    nameservers: ["127.0.0.1:$DNS_PORT"]
    propagation_timeout: 10s
$1
YAML
}
