#pragma once

// Real etcd servers (Debian's etcd-server, 3.4) on 127.0.0.1 free ports in temp dirs, stopped
// by PID when the object goes away: one member (EtcdServer), or a cluster of several
// (EtcdCluster) whose members can be stopped, restarted on the same ports and paused one by
// one. Optional: https client URLs with a certificate from a test CA (TestPki), client
// certificates required (mTLS), and auth enabled with user "root" and a password. Peer
// traffic stays plain http. Heartbeat and election timeouts are etcd's defaults. Test-only;
// throws std::runtime_error when a server cannot be started. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steer/testsupport/process.h"
#include "steer/testsupport/test_pki.h"

namespace steer::testsupport {

struct EtcdOptions {
  bool tls = false;                     // https client URLs (server certificate for 127.0.0.1)
  bool client_cert_auth = false;        // with tls: require a client certificate of the test CA
  std::string root_password;            // non-empty: user "root" (role root) added, auth enabled
  int auth_token_ttl_seconds = 0;       // --auth-token-ttl; 0 = etcd's default (300 s)
  std::vector<std::string> extra_args;  // more etcd flags, e.g. "--heartbeat-interval=50"
};

// What a cluster's members share: the options and the test PKI.
struct EtcdShared {
  explicit EtcdShared(EtcdOptions o);
  EtcdOptions options;
  std::unique_ptr<TestPki> pki;  // null without tls
  CertFiles server;              // the members' certificate (SAN 127.0.0.1)
  CertFiles client;              // a client certificate of the same CA (CN "steer-client")
};

class EtcdServer {
 public:
  // A single-member cluster, started (and auth set up when asked).
  explicit EtcdServer(EtcdOptions options = {});
  // A member of a cluster; not started. Used by EtcdCluster.
  EtcdServer(std::shared_ptr<const EtcdShared> shared, std::string name, uint16_t client_port,
             uint16_t peer_port, std::string initial_cluster, std::string cluster_token);
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  std::string endpoint() const;  // http(s)://127.0.0.1:CLIENT_PORT
  uint16_t client_port() const { return client_port_; }
  uint16_t peer_port() const { return peer_port_; }
  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_.path(); }
  // The test CA and a client certificate it signed ("" without tls).
  std::string ca_file() const;
  std::string client_cert_file() const { return shared_->client.cert_pem; }
  std::string client_key_file() const { return shared_->client.key_pem; }
  std::string Log() const;  // the server's output so far

  // Stop() ends the process (data kept); Start() brings it back on the same ports and waits
  // until it answers /health (a lone restarted member of a cluster waits for a leader).
  // Pause()/Resume(): SIGSTOP/SIGCONT, a hung member.
  void Stop();
  void Start();
  void Pause();
  void Resume();
  bool Running();

  // Spawns the process without waiting (a cluster starts its members together).
  void Spawn();
  // True once /health answers {"health":"true"} within `timeout`; false when it does not or
  // the process exited.
  bool WaitHealthy(std::chrono::milliseconds timeout);
  // POSTs `body` to this member's gateway (with the CA, the client certificate and, when auth
  // is enabled and `as_root`, root's token); returns the HTTP status and fills `response`.
  // Throws on a transport failure.
  int Post(const std::string& path, const std::string& body, std::string* response = nullptr,
           bool as_root = true) const;
  // Adds user and role root, grants it, enables auth (through this member).
  void EnableAuth();

 private:
  std::string Url() const;
  std::vector<std::string> Argv(const std::string& binary) const;

  std::shared_ptr<const EtcdShared> shared_;
  TempDir dir_;
  std::string name_;
  uint16_t client_port_ = 0;
  uint16_t peer_port_ = 0;
  std::string initial_cluster_;
  std::string cluster_token_;
  std::unique_ptr<ChildProcess> process_;
};

class EtcdCluster {
 public:
  // `size` members on their own ports, started together; returns once every member is
  // healthy (and auth set up when asked).
  explicit EtcdCluster(size_t size = 3, EtcdOptions options = {});
  ~EtcdCluster();

  size_t size() const { return members_.size(); }
  EtcdServer& member(size_t i) { return *members_.at(i); }
  std::vector<std::string> endpoints() const;
  std::string ca_file() const { return members_.at(0)->ca_file(); }
  std::string client_cert_file() const { return members_.at(0)->client_cert_file(); }
  std::string client_key_file() const { return members_.at(0)->client_key_file(); }

 private:
  bool TryStart(size_t size, const std::shared_ptr<const EtcdShared>& shared);

  std::vector<std::unique_ptr<EtcdServer>> members_;
};

}  // namespace steer::testsupport
