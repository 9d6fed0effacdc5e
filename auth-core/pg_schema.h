#pragma once

// PostgresStore's schema: numbered migrations recorded in steer_authd_schema(version). Each
// run takes a transaction-scoped advisory lock first, so two regions starting at the same
// moment apply every migration exactly once (the second waits, then finds nothing to do). A
// database whose version is newer than this binary knows is refused, never written to.

#include <libpq-fe.h>

#include "steer/base/error.h"

namespace steer::auth::pg {

// The newest schema version this binary knows.
int LatestSchemaVersion();

struct SchemaStatus {
  int version = 0;  // applied in the database (0: empty database)
  int latest = 0;   // LatestSchemaVersion()
  int applied = 0;  // migrations applied by this call (Migrate only)
};

// Applies the missing migrations in one transaction. kFailedPrecondition when the database
// is newer than this binary; kUnavailable when the server cannot be used.
Result<SchemaStatus> Migrate(PGconn* pg);

// Reads the version without changing anything.
Result<SchemaStatus> ReadSchemaStatus(PGconn* pg);

}  // namespace steer::auth::pg
