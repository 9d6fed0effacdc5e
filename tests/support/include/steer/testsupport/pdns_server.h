#pragma once

// A real PowerDNS Authoritative server (pdns_server, gsqlite3 backend, HTTP API) on loopback
// free ports in a temp dir, stopped by PID when the object goes away. Packet and query caches
// are off so an answer changes as soon as the API accepts a change. Two servers may share one
// database (a second authoritative server of the same zones). Test-only; throws
// std::runtime_error when the server cannot be started. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steer/testsupport/process.h"

namespace steer::testsupport {

struct PdnsOptions {
  std::string api_key;          // "" = a random one
  std::string shared_database;  // path of another server's database to serve; "" = own
  std::vector<std::string>
      extra_config;  // more pdns.conf lines, after (overriding) the defaults, e.g.
                     // "gsqlite3-pragma-synchronous=1" or "local-address=127.0.0.1, 127.0.0.2"
};

struct PdnsRecordSet {
  std::string name;  // FQDN
  std::string type;
  int ttl = 30;
  std::vector<std::string> contents;
};

class PdnsServer {
 public:
  explicit PdnsServer(PdnsOptions options = {});
  ~PdnsServer();

  uint16_t dns_port() const { return dns_port_; }
  uint16_t api_port() const { return api_port_; }
  std::string api_url() const;  // http://127.0.0.1:PORT
  const std::string& api_key() const { return api_key_; }
  const std::string& database() const { return database_; }
  const std::string& dir() const { return dir_.path(); }
  std::string Log() const;  // the server's stdout/stderr so far

  // Creates a Native zone with these NS names (FQDN) and record sets; throws on failure.
  void CreateZone(const std::string& zone, const std::vector<std::string>& nameservers,
                  const std::vector<PdnsRecordSet>& records = {});

  // Stops the server (a "server down" test); Start() brings it back on the same ports.
  void Stop();
  void Start();
  ChildProcess* process() { return process_.get(); }

  // An HTTP call to the API with the key; returns the status and fills `body`.
  int Api(const std::string& method, const std::string& path, const std::string& request_body,
          std::string* body = nullptr) const;

 private:
  void WriteConfig();

  TempDir dir_;
  std::vector<std::string> extra_config_;
  std::string api_key_;
  std::string database_;
  uint16_t dns_port_ = 0;
  uint16_t api_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// 32 random bytes, base64 (a TSIG secret or API key for tests).
std::string RandomSecret();

}  // namespace steer::testsupport
