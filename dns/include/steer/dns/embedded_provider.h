#pragma once

// steerd as the authoritative server of one zone (provider `type: embedded`): UDP and TCP on
// the configured addresses, static records from a zone file, and the steered RRsets written
// by Replace, which the very next query is answered from (no API round trip). See
// docs/dns.md, "The embedded authoritative server".
//
// State lives in a Host shared by every provider instance with the same listen addresses in
// this process, so a policy reload (which builds the new runtime before the old one stops)
// keeps the sockets, the steered RRsets and the serial; the zone file is read again.
// The SOA serial is max(zone file serial, Unix time) at start and max(serial + 1, Unix time)
// on every change, so it only grows, across restarts too, as long as the zone file's serial
// is below the current Unix time (or changes are made less than once a second on average).
//
// Built with `serve` false (steerctl), the provider does not listen: Read asks the running
// server (the first listen address, 0.0.0.0 / [::] as loopback) and Replace is refused,
// because only steerd changes what it serves.
//
// With `secondaries`, every new serial (start, reload, Replace) is announced by NOTIFY from a
// thread of its own; `transfer` says who may then copy the zone (AXFR/IXFR, TSIG).
//
// Thread-safe: Replace calls are serialized per Host; queries never wait for them.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/config/policy.h"
#include "steer/dns/provider.h"

namespace steer::dns {

// Zone transfers to secondaries (docs/dns.md): sources allowed and the TSIG key they must use.
struct EmbeddedTransfer {
  std::vector<std::string> allow;  // "192.0.2.0/24", "2001:db8::53"; empty: no transfers
  std::string key_name;            // empty: no key (only tests; configuration requires one)
  std::string key_algorithm = "hmac-sha256";
  std::string key_secret;  // base64, resolved
};

struct EmbeddedOptions {
  std::string name = "embedded";
  std::string origin;               // zone apex, FQDN
  std::string zone_file;            // static records; must hold the SOA
  std::vector<std::string> listen;  // host:port (port 0: any free port, for tests)
  int max_udp_size = 1232;
  std::vector<std::string> secondaries;  // ip:port sent a NOTIFY after every change
  EmbeddedTransfer transfer;
  std::chrono::milliseconds notify_first_retry{1000};  // doubles up to 5 tries
  bool serve = true;                   // false: a client of the running server (steerctl)
  const base::Clock* clock = nullptr;  // for the serial; nullptr: the system clock
};

class EmbeddedProvider : public Provider {
 public:
  struct Host;

  // Reads the zone file (errors name file:line) and, when serving, binds every address.
  static Result<std::unique_ptr<EmbeddedProvider>> Start(const EmbeddedOptions& options);
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config, bool serve,
                                                  const base::Clock* clock);
  ~EmbeddedProvider() override;

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  // Refused (kFailedPrecondition, nothing changes): the SOA, NS at the apex, a name that
  // would put a CNAME next to other data. Outside the zone or a wildcard: kInvalidArgument.
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;

  // The bound port of each listen address (empty when not serving).
  std::vector<uint16_t> Ports() const;
  // The SOA serial being served.
  uint32_t Serial() const;

 private:
  EmbeddedProvider(EmbeddedOptions options, std::shared_ptr<Host> host);
  Result<void> CheckZone(const std::string& zone) const;
  Result<std::optional<RRset>> ReadRemote(const std::string& name, const std::string& type);

  EmbeddedOptions options_;
  std::shared_ptr<Host> host_;  // null when not serving
};

}  // namespace steer::dns
