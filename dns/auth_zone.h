#pragma once

// Private to steer_dns: the embedded server's zone model. A Zone is an immutable snapshot in
// wire form, built from RRsets in presentation form; ZoneStore swaps whole snapshots under an
// atomic shared_ptr, so a query never waits for a change and never sees half of one.
//
// Answering (Respond) follows RFC 1034 4.3.2 for a zone without delegations or wildcards:
// AA on every authoritative answer, NXDOMAIN vs NODATA with the SOA in authority (TTL
// min(SOA TTL, MINIMUM), RFC 2308), CNAME chains followed inside the zone, EDNS0 payload size
// and TC when an answer does not fit (the client retries over TCP), names compared without
// case, REFUSED for names outside every served zone.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/string_hash.h"
#include "steer/dns/rrset.h"

namespace steer::dns::wire {
struct Query;
}  // namespace steer::dns::wire

namespace steer::dns::auth {

struct TransferPolicy;  // auth_transfer.h
struct ZoneHistory;     // auth_ixfr.h

struct WireRRset {
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<std::string> rdata;  // uncompressed wire RDATA, one entry per record
};

struct Zone {
  std::string apex;    // lower-case wire name
  std::string origin;  // "example.test."
  uint32_t serial = 0;
  WireRRset soa;
  uint32_t negative_ttl = 0;  // min(SOA TTL, SOA MINIMUM)
  // Every name in the zone, by lower-case wire name; empty non-terminals have no RRsets.
  std::unordered_map<std::string, std::vector<WireRRset>, base::StringHash, std::equal_to<>> nodes;
  std::vector<RRset> rrsets;  // the same data in presentation form (Provider::Read)
  std::shared_ptr<const TransferPolicy> transfer;  // who may transfer it; null: nobody
  std::shared_ptr<const ZoneHistory> history;      // the changes that led here (IXFR); null: none
};

// Builds a snapshot. `rrsets` must hold exactly one SOA, at `origin`; its serial is replaced
// by `serial`. Errors name the offending RRset: a name outside the zone, a wildcard, a
// delegation (NS below the apex), a CNAME next to other data, record data that does not
// parse for its type. Built as the successor of `previous` (the same zone at a lower serial),
// the snapshot keeps `previous`'s history plus the step between them, for IXFR (auth_ixfr.h).
Result<std::shared_ptr<const Zone>> BuildZone(
    const std::string& origin, const std::vector<RRset>& rrsets, uint32_t serial,
    std::shared_ptr<const TransferPolicy> transfer = nullptr, const Zone* previous = nullptr);

// The zones one server answers for, by lower-case wire apex.
struct ZoneSet {
  std::unordered_map<std::string, std::shared_ptr<const Zone>, base::StringHash, std::equal_to<>>
      zones;
};

// The current ZoneSet. Readers take no mutex and never wait for a zone being built: a change
// builds its snapshot first and Store() only swaps the pointer (libstdc++'s
// atomic<shared_ptr> guards the swap and the reference count with a brief internal spin).
class ZoneStore {
 public:
  std::shared_ptr<const ZoneSet> Load() const { return current_.load(std::memory_order_acquire); }
  void Store(std::shared_ptr<const ZoneSet> set) {
    current_.store(std::move(set), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const ZoneSet>> current_{std::make_shared<const ZoneSet>()};
};

struct RespondOptions {
  bool tcp = false;
  uint16_t max_udp_size = 1232;  // our EDNS payload size (DNS flag day 2020)
  // Set: a zone transfer or a query with a TSIG record is not answered here (Respond returns
  // 0 and sets it to true) but handed over to RespondSlow (auth_transfer.h). Null: such
  // queries are REFUSED (transfers) or answered unsigned.
  bool* handed_over = nullptr;
};

// Answers the query in `pkt` into `out` (capacity `cap`, at least 512). Returns the reply's
// length, or 0 when no reply must be sent (too short for a header, or a response).
// The served zone that holds the query's name (the longest match), or null.
const Zone* FindZone(const ZoneSet& zones, const wire::Query& q);

size_t Respond(const ZoneSet& zones, const uint8_t* pkt, size_t len, uint8_t* out, size_t cap,
               const RespondOptions& options);

}  // namespace steer::dns::auth
