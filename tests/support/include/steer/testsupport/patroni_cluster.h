#pragma once

// A real 2-node PostgreSQL 15 cluster under Patroni 3.0.2 (Debian `patroni`) for integration
// tests: one etcd (EtcdServer) as the DCS, two nodes with synchronous_mode: true, ttl 5,
// loop_wait 1, retry_timeout 2 and primary_start_timeout 0 (a crashed primary postmaster is
// failed over, not restarted in place). Everything on 127.0.0.1 free ports in temp dirs. As
// root each Patroni runs as the `postgres` user (setpriv), always with a clean environment
// (a leaked PGPASSWORD breaks replication). Patroni starts the postmaster detached, so the
// destructor stops Patroni by PID (SIGTERM, then SIGKILL) and then SIGKILLs any postmaster
// still listed in a node's postmaster.pid, with its children: no postgres or patroni process
// outlives the object. Superuser "postgres" with a random password. Test-only; throws
// std::runtime_error when the cluster cannot be started. Not thread-safe.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/config/authd_config.h"
#include "steer/testsupport/etcd_server.h"
#include "steer/testsupport/process.h"

namespace steer::testsupport {

class PatroniCluster {
 public:
  static constexpr int kNodes = 2;

  // Starts etcd and both nodes; returns once WaitHealthy() holds (throws after 120 s).
  PatroniCluster();
  ~PatroniCluster();
  PatroniCluster(const PatroniCluster&) = delete;
  PatroniCluster& operator=(const PatroniCluster&) = delete;

  const std::string& password() const { return password_; }
  std::string password_file() const { return dir_.File("password"); }
  // libpq conninfo listing both nodes (node `first` first) with target_session_attrs=read-write,
  // without the password.
  std::string Dsn(int first = 0, const std::string& database = "postgres") const;
  // libpq conninfo of `node` alone (whatever its role), without the password.
  std::string NodeDsn(int node, const std::string& database = "postgres") const;
  // steer-authd's store settings: Dsn(first), the password by file reference, 2 s timeouts.
  config::PostgresConfig StoreConfig(int first = 0) const;
  uint16_t pg_port(int node) const { return nodes_.at(node).pg_port; }
  uint16_t rest_port(int node) const { return nodes_.at(node).rest_port; }

  // The node whose Patroni answers GET /primary with 200; nullopt when none does (exactly one
  // is required).
  std::optional<int> Primary() const;
  // True when GET `path` (e.g. "/primary", "/sync") on `node`'s REST API answers 200.
  bool RestOk(int node, const std::string& path) const;
  // Leader and sync standby: one node's /primary and the other's /sync answer 200.
  bool Healthy() const;
  bool WaitHealthy(std::chrono::milliseconds timeout) const;

  // kill -9 of the current primary's postmaster (from its postmaster.pid); returns the node.
  // Throws when there is no primary.
  int KillPrimaryPostgres();
  // kill -9 of `node`'s Patroni, then of its postmaster and that one's children: the node is
  // lost as a whole. StartNode() brings it back with its data.
  void KillNode(int node);
  // kill -9 of `node`'s Patroni alone: its postmaster keeps running, detached (an orphan
  // that stays read-write; docs/auth-core.md's gotcha). The destructor still stops it.
  void KillPatroni(int node);
  void StartNode(int node);
  // SIGSTOP / SIGCONT of `node`'s postmaster and its children (not Patroni): a hung server
  // whose connections stay open, e.g. a sync standby that stops confirming.
  void PausePostgres(int node);
  void ResumePostgres(int node);

  // Patroni's maintenance mode (PATCH /config {"pause": ...}): while paused, Patroni neither
  // fails over nor restarts PostgreSQL, so a killed primary stays away. Returns once every
  // running Patroni reports the new state (throws after 10 s).
  void SetPaused(bool paused);

  // SQL through psql on the primary (found through Dsn), or on `node` alone; -At output;
  // throws on failure.
  std::string Sql(const std::string& sql) const;
  std::string SqlOn(int node, const std::string& sql) const;
  // Patroni's log of `node`, and the postgres log.
  std::string Log(int node) const;

 private:
  struct Node {
    std::string name;
    uint16_t pg_port = 0;
    uint16_t rest_port = 0;
    std::unique_ptr<ChildProcess> patroni;
  };
  std::string NodeDir(int node) const;
  void WriteConfig(int node, const std::string& scope);
  void KillPostmaster(int node);
  std::string RunSql(const std::string& dsn, const std::string& sql) const;
  void StopAll();

  std::unique_ptr<EtcdServer> etcd_;
  TempDir dir_;
  std::string password_;
  std::vector<Node> nodes_;
};

}  // namespace steer::testsupport
