#pragma once

// Refresh rotations run in batches on PostgreSQL (private to auth-core): the statement of
// schema migration 5 for a pg::Batcher of PostgresStore::RotateRefresh calls. Thread-safe (a
// free function over a thread-safe Pool).

#include <cstdint>
#include <string>
#include <vector>

#include "pg_batcher.h"
#include "steer/auth/store.h"
#include "steer/base/error.h"

namespace steer::auth::pg {

class Pool;

// The arguments of one TokenStateStore::RotateRefresh call.
struct Rotation {
  std::string family;
  std::string presented;
  int64_t gen = 0;
  std::string next;
  int64_t expires_at = 0;
};

using RotationBatcher = Batcher<Rotation, RefreshOutcome>;

// Runs `batch` as one statement (one commit) on the primary: each rotation gets the outcome it
// would have had alone, in input order. Never retried after a lost connection (a lost COMMIT
// is ambiguous): the whole batch fails with kUnavailable.
Result<std::vector<RefreshOutcome>> RotateBatch(Pool& pool, const std::vector<Rotation>& batch);

// PostgreSQL array literals for text parameters: {"a","b\"c"}; {1,2}.
std::string TextArray(const std::vector<std::string>& values);
std::string IntArray(const std::vector<int64_t>& values);
// The elements of an INT[] result: "{0,1,2}" -> {0,1,2}; an error for anything else.
Result<std::vector<int>> ParseIntArray(const std::string& text);

}  // namespace steer::auth::pg
