#pragma once

// Private to steer_dns: the history of changes an embedded zone keeps for incremental zone
// transfers (RFC 1995 IXFR). Every snapshot built as the successor of another (BuildZone's
// `previous`) carries the differences that led to it: per serial step, the records removed and
// the records added, in wire form. A secondary that asks with a serial still in the history gets
// only those steps; one with an older or unknown serial gets the whole zone (RFC 1995 4).
//
// The history is bounded (kMaxSteps steps, kMaxRecords records over all steps; the oldest steps
// go first) so a zone changed every second keeps a few minutes of changes, not all of them.
// Immutable once built, shared by the snapshots that follow: thread-safe to read.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace steer::dns::auth {

struct Zone;  // auth_zone.h

// One resource record in wire form: the owner name lower-case and uncompressed.
struct WireRecord {
  std::string owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::string rdata;
  bool operator==(const WireRecord&) const = default;
};

// The change from serial `from` to serial `to`: IXFR sends the old SOA, `removed`, the new SOA,
// then `added`. A record whose TTL changed is removed and added again.
struct ZoneStep {
  uint32_t from = 0, to = 0;
  WireRecord from_soa, to_soa;
  std::vector<WireRecord> removed, added;
};

struct ZoneHistory {
  std::vector<std::shared_ptr<const ZoneStep>> steps;  // oldest first; each `from` is the
                                                       // previous step's `to`
  size_t records = 0;                                  // removed + added over all steps
};

inline constexpr size_t kMaxSteps = 256;
inline constexpr size_t kMaxRecords = 20000;

// `before`'s history with the step from `before` to `after` appended and the oldest steps
// dropped to the bounds. Null when the step alone is over kMaxRecords (a secondary then gets
// the whole zone, which is no larger).
std::shared_ptr<const ZoneHistory> NextHistory(const Zone& before, const Zone& after);

// The steps from `serial` to `zone`'s current serial, oldest first; empty when `serial` is not
// in the history (or is the current serial: nothing to send but the SOA).
std::vector<const ZoneStep*> StepsSince(const Zone& zone, uint32_t serial);

}  // namespace steer::dns::auth
