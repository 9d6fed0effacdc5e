#pragma once

// SnapshotFeed: where PostgresStore's RevocationMirror reads the `revoked` table (private to
// auth-core). The trigger of schema migration 4 stamps each row with the transaction that last
// wrote it; a read returns the rows not visible in the previous read's snapshot (one statement,
// so the rows and the new snapshot agree), including those whose transaction was still running
// then. A read answered by another server than the last one (a failover or a restart changes
// pg_postmaster_start_time) returns the whole table: transaction ids of a lost primary may be
// reused by the new one.
//
// Thread-safety: none; the mirror's thread (or a test) calls Read().

#include <string>

#include "revocation_mirror.h"

namespace steer::auth::pg {

class Pool;

class SnapshotFeed final : public RevocationFeed {
 public:
  // `pool` (the primary's) must outlive the feed: PostgresStore destroys the mirror first.
  explicit SnapshotFeed(Pool& pool) : pool_(pool) {}

  Result<RevocationRows> Read(bool everything) override;

 private:
  Pool& pool_;
  std::string snapshot_;  // the previous read's pg_snapshot
  std::string server_;    // its server's pg_postmaster_start_time
};

}  // namespace steer::auth::pg
