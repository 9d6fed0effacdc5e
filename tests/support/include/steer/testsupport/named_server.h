#pragma once

// A real BIND 9 `named` on a loopback free port in a temp dir, with one TSIG key allowed to
// update its primary zones (update-policy zonesub ANY), stopped by PID on destruction. It can
// also run as a secondary of another NamedServer (NOTIFY + AXFR), to test propagation to
// more than one authoritative server. Test-only; throws std::runtime_error when named cannot
// be started. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steer/testsupport/process.h"

namespace steer::testsupport {

struct NamedZone {
  std::string name = "example.test.";  // FQDN
  // Zone file lines after the generated $TTL/SOA/NS ("@ IN NS ns1", "ns1 IN A 127.0.0.1").
  std::string records;
};

struct NamedOptions {
  std::vector<NamedZone> zones = {NamedZone{}};
  std::string key_name = "steer-key";
  std::string algorithm = "hmac-sha256";  // hmac-sha256 | hmac-sha512
  uint16_t port = 0;                      // 0 = a free port
  uint16_t primary_port = 0;              // != 0: serve the zones as a secondary of this port
  std::vector<uint16_t> notify_ports;     // secondaries to NOTIFY on 127.0.0.1
  // As a secondary: transfer with this server's TSIG key (key_name, algorithm, tsig_secret())
  // and send no NOTIFY of its own.
  bool primary_tsig = false;
  std::string tsig_secret;  // base64; empty: a random one
};

class NamedServer {
 public:
  explicit NamedServer(NamedOptions options = {});
  ~NamedServer();

  uint16_t port() const { return port_; }
  const std::string& key_name() const { return options_.key_name; }
  const std::string& algorithm() const { return options_.algorithm; }
  const std::string& tsig_secret() const { return secret_; }  // base64
  const std::string& dir() const { return dir_.path(); }
  std::string ZoneFile(const std::string& zone) const;
  std::string Log() const;

  void Stop();
  void Start();

 private:
  void WriteConfig();

  NamedOptions options_;
  TempDir dir_;
  std::string secret_;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The generated zone file text of `zone` (SOA serial 1, NS ns1, ns1 A 127.0.0.1 + records).
std::string NamedZoneText(const NamedZone& zone);

}  // namespace steer::testsupport
