#include "pg_revocations.h"

#include "pg_pool.h"

namespace steer::auth::pg {
namespace {

// The first row carries the statement's snapshot and the server's start time; the others are
// rows of `revoked`. One statement: the rows are exactly those its snapshot sees.
#define STEER_MIRROR_HEAD                                                              \
  "SELECT pg_current_snapshot()::text, pg_postmaster_start_time()::text, NULL::text, " \
  "NULL::bigint UNION ALL SELECT NULL, NULL, id, expires_at FROM revoked"
const Statement kFull{"mirror_full", STEER_MIRROR_HEAD};
// Rows written by a transaction the previous snapshot did not see: it was running then, or
// began later. Every such transaction id is at least that snapshot's xmin (the index bound).
const Statement kDelta{"mirror_delta", STEER_MIRROR_HEAD
                       " WHERE changed_by >= pg_snapshot_xmin($1::pg_snapshot)"
                       " AND NOT pg_visible_in_snapshot(changed_by, $1::pg_snapshot)"};
#undef STEER_MIRROR_HEAD

}  // namespace

Result<RevocationRows> SnapshotFeed::Read(bool everything) {
  if (everything) snapshot_.clear();
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool full = snapshot_.empty();
    auto rows = pool_.Run(/*idempotent=*/true, [&](Lease& lease) {
      return full ? lease.Exec(kFull, {}) : lease.Exec(kDelta, {snapshot_});
    });
    if (!rows) {
      snapshot_.clear();
      return tl::unexpected(rows.error());
    }
    std::string snapshot, server;
    RevocationRows out{full, {}};
    for (int i = 0; i < rows->size(); ++i) {
      if (rows->Null(i, 2)) {
        snapshot = rows->Text(i, 0);
        server = rows->Text(i, 1);
      } else {
        out.rows[rows->Text(i, 2)] = rows->Int(i, 3);
      }
    }
    if (!full && server != server_) {  // another server since the last read: start over
      snapshot_.clear();
      continue;
    }
    snapshot_ = std::move(snapshot);
    server_ = std::move(server);
    return out;
  }
  return MakeError(ErrorCode::kUnavailable, "revocation mirror: the server changed twice");
}

}  // namespace steer::auth::pg
