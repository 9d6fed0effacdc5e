#pragma once

// SqliteStore::Feed (private to auth-core): the mirror's reads of `revoked` — every row, then
// those stamped above the last stamp read (kRevokedStamps in sqlite_store.cc) — each preceded
// by a beat of this reader's registration when one is due (sqlite_readers.cc has the rule).
// Thread-safety: none; the mirror's thread calls Read().

#include <chrono>
#include <optional>
#include <string>

#include "revocation_mirror.h"
#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace sqlite_readers {

inline constexpr std::chrono::seconds kBeatEvery{1};
inline constexpr std::chrono::seconds kBeatTrust{2};
inline constexpr std::chrono::seconds kBeatDead{4};
static_assert(kBeatTrust < kBeatDead, "a reader writers think gone must not be trusted");

inline int64_t MonotonicMs(RevocationMirror::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace sqlite_readers

class SqliteStore::Feed final : public RevocationFeed {
 public:
  explicit Feed(SqliteStore& store) : store_(store), id_(RandomToken(12)) {}
  const std::string& id() const { return id_; }
  Result<RevocationRows> Read(bool everything) override;

 private:
  SqliteStore& store_;  // owns the feed, and destroys the mirror before it
  const std::string id_;
  std::optional<RevocationMirror::Clock::time_point> beat_;  // the last beat written
  int64_t seq_ = -1;
};

}  // namespace steer::auth
