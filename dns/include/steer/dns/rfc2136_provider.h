#pragma once

// An RFC 2136 primary (BIND, Knot, PowerDNS with dnsupdate): Replace is ONE DNS UPDATE
// message, signed with TSIG (hmac-sha256 or hmac-sha512), that deletes the RRset and adds the
// new records; the server applies it atomically, so no resolver ever sees an empty RRset.
// Read is a direct query (RD=0) to the same server. Responses are checked for a valid TSIG.
// BADSIG / BADKEY / NOTAUTH / REFUSED / NOTZONE become errors that name the key, never the
// secret. Thread-safe (each call uses its own socket).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "steer/config/policy.h"
#include "steer/dns/propagation.h"
#include "steer/dns/provider.h"

namespace steer::dns {

struct Rfc2136Options {
  std::string name = "rfc2136";
  NameServer server;                      // the primary
  std::string key_name;                   // TSIG key name
  std::string algorithm = "hmac-sha256";  // hmac-sha256 | hmac-sha512
  std::string secret;                     // base64, the resolved secret
  std::chrono::milliseconds timeout{5000};
};

class Rfc2136Provider : public Provider {
 public:
  explicit Rfc2136Provider(Rfc2136Options options);

  // Resolves config.rfc2136.tsig_secret now; checks the algorithm name.
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config);

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;

 private:
  Rfc2136Options options_;
};

}  // namespace steer::dns
