#pragma once

// A zone file on disk for any server that reloads its zone (BIND, NSD, Knot, CoreDNS file).
// Replace rewrites the whole file atomically: written to a temp file in the same directory,
// fsync'd, renamed over the old one, and the directory fsync'd; the SOA serial is bumped
// (YYYYMMDDnn when possible, else +1). The file is Steer's from then on: it is re-written in
// a canonical form (absolute names, one RR per line), so comments are not kept. A file that
// does not exist is a zone that does not exist (kNotFound): Steer never creates zones.
// Output is accepted by named-checkzone.
// Thread-safe: one mutex serializes Read/Replace of the file within the process.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "steer/config/policy.h"
#include "steer/dns/provider.h"

namespace steer::dns {

struct ZoneFileOptions {
  std::string name = "zonefile";
  std::string path;
  std::string origin;  // apex FQDN, trailing dot
  // Used only when the file does not exist yet:
  std::string primary_ns = "ns1";  // relative to origin or FQDN
  std::string hostmaster = "hostmaster";
  int default_ttl = 30;
};

class ZoneFileProvider : public Provider {
 public:
  explicit ZoneFileProvider(ZoneFileOptions options);
  static Result<std::unique_ptr<Provider>> Create(const config::ProviderConfig& config);

  std::string Name() const override { return options_.name; }
  Result<std::optional<RRset>> Read(const std::string& zone, const std::string& name,
                                    const std::string& type) override;
  Result<ChangeReceipt> Replace(const std::string& zone, const RRset& rrset) override;
  // Every RRset of the zone file (Read picks from it).
  Result<std::vector<RRset>> List(const std::string& zone);

 private:
  Result<std::vector<RRset>> LoadLocked();
  Result<void> CheckZone(const std::string& zone) const;

  ZoneFileOptions options_;
  std::mutex mu_;
};

}  // namespace steer::dns
