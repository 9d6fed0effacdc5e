// Codes, refresh families, revocations and lockout counters of PostgresStore; the user and
// client directory is postgres_directory.cc. Every statement is prepared and parameterised.
#include "steer/auth/postgres_store.h"

#include <algorithm>
#include <thread>

#include "outage_failures.h"
#include "pg_pool.h"
#include "pg_revocations.h"
#include "pg_rotations.h"
#include "pg_schema.h"
#include "postgres_read.h"

namespace steer::auth {

using pg::kIdempotent;
using pg::kOnce;
using pg::Lease;
using pg::Rows;
using pg::Statement;
namespace {

const Statement kConsume{"consume",
                         "INSERT INTO used_codes(id, expires_at) VALUES($1, $2) "
                         "ON CONFLICT (id) DO NOTHING"};
const Statement kStartFamily{
    "start_family",
    "INSERT INTO refresh_families(family, current, gen, expires_at) VALUES($1, $2, 0, $3) "
    "ON CONFLICT (family) DO UPDATE SET current = excluded.current, gen = 0, "
    "expires_at = excluded.expires_at"};
const Statement kGetFamily{"get_family",
                           "SELECT current, gen FROM refresh_families WHERE family = $1"};
const Statement kRevoke{"revoke",
                        "INSERT INTO revoked(id, expires_at) VALUES($1, $2) ON CONFLICT (id) "
                        "DO UPDATE SET expires_at = GREATEST(revoked.expires_at, "
                        "excluded.expires_at)"};
const Statement kIsRevoked{"is_revoked",
                           "SELECT 1 FROM revoked WHERE id IN ($1, $2, $3, $4) LIMIT 1"};
constexpr size_t kRevokedBatch = 4;
const Statement kBlockedUntil{"blocked_until", "SELECT blocked_until FROM failures WHERE key = $1"};
const Statement kFailureState{"failure_state",
                              "SELECT count, first_at FROM failures WHERE key = $1"};
// A failure outside the counting window (or after a served block) starts a new count.
const Statement kCountFailure{"count_failure", R"sql(
INSERT INTO failures(key, count, first_at, blocked_until) VALUES($1, 1, $2::bigint, 0)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN failures.first_at + $3 <= $2 AND failures.blocked_until <= $2
          THEN 1 ELSE failures.count + 1 END,
  first_at = CASE WHEN failures.first_at + $3 <= $2 AND failures.blocked_until <= $2
             THEN $2 ELSE failures.first_at END
RETURNING count, blocked_until)sql"};
const Statement kBlock{"block",
                       "UPDATE failures SET blocked_until = $2::bigint + $3::bigint, count = 0, "
                       "first_at = $2 "
                       "WHERE key = $1 RETURNING blocked_until"};
const Statement kClearFailures{"clear_failures", "DELETE FROM failures WHERE key = $1"};
// Ready means writable: a standby or a read-only primary is not ready.
const Statement kPing{"ping", "SELECT current_setting('transaction_read_only') = 'on'"};
const Statement kPurge[] = {
    {"purge_codes", "DELETE FROM used_codes WHERE expires_at < $1"},
    {"purge_families", "DELETE FROM refresh_families WHERE expires_at < $1"},
    {"purge_revoked", "DELETE FROM revoked WHERE expires_at < $1"},
    {"purge_failures", "DELETE FROM failures WHERE blocked_until < $1 AND count = 0"}};

std::string S(std::string_view v) { return std::string(v); }
std::string S(int64_t v) { return std::to_string(v); }

// Inside a transaction: the upsert locks the row until COMMIT, so concurrent failures count
// one after another.
Result<int64_t> CountFailure(Lease& lease, std::string_view key, int64_t now,
                             const LockoutPolicy& policy) {
  auto r = lease.Exec(kCountFailure, {S(key), S(now), S(policy.block_seconds)});
  if (!r) return tl::unexpected(r.error());
  int64_t blocked = r->Int(0, 1);
  if (r->Int(0, 0) >= policy.max_failures) {
    auto b = lease.Exec(kBlock, {S(key), S(now), S(policy.block_seconds)});
    if (!b) return tl::unexpected(b.error());
    blocked = b->Int(0, 0);
  }
  return blocked > now ? blocked : int64_t{0};
}

// Keys counted in memory at once while the primary is away (OutageFailures' bound).
constexpr size_t kMaxOutageKeys = 10000;
// Rotations per statement, and statements in flight at once. One in flight, as leveldb does,
// measured best (bench/auth/store.sh, docs/benchmarks.md): 5,889 rotations/s against 5,467 with
// two, 4,851 with four and 4,383 with one rotation per statement.
constexpr size_t kMaxRotationBatch = 64;
constexpr int kRotationBatchesInFlight = 1;

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<pg::Pool> pool, std::unique_ptr<pg::Pool> standby)
    : pool_(std::move(pool)),
      standby_(std::move(standby)),
      outage_failures_(std::make_unique<pg::OutageFailures>(kMaxOutageKeys)),
      rotations_(
          std::make_unique<pg::RotationBatcher>(kMaxRotationBatch, kRotationBatchesInFlight)) {}

bool PostgresStore::PrimaryRecentlyDown() const {
  return std::chrono::steady_clock::now().time_since_epoch().count() < primary_down_until_.load();
}

void PostgresStore::MarkPrimaryDown() {
  primary_down_until_ =
      (std::chrono::steady_clock::now() + kPrimaryHold).time_since_epoch().count();
}

PostgresStore::~PostgresStore() {
  mirror_.reset();  // its thread uses feed_ and pool_
}

Result<bool> PostgresStore::ConsumeOnce(std::string_view id, int64_t expires_at) {
  return pool_->Run(kOnce, [&](Lease& lease) -> Result<bool> {
    auto r = lease.Exec(kConsume, {S(id), S(expires_at)});
    if (!r) return tl::unexpected(r.error());
    return r->affected() == 1;
  });
}

Result<void> PostgresStore::StartFamily(std::string_view family, std::string_view token_id,
                                        int64_t expires_at) {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<void> {
    auto r = lease.Exec(kStartFamily, {S(family), S(token_id), S(expires_at)});
    if (!r) return tl::unexpected(r.error());
    return {};
  });
}

Result<RefreshOutcome> PostgresStore::RotateRefresh(std::string_view family,
                                                    std::string_view presented, int64_t gen,
                                                    std::string_view next, int64_t expires_at) {
  auto outcome = rotations_->Submit(
      pg::Rotation{S(family), S(presented), gen, S(next), expires_at},
      [&](const std::vector<pg::Rotation>& batch) { return pg::RotateBatch(*pool_, batch); });
  // Reuse revoked the family: the caller may tell the client so only once every mirror knows.
  if (outcome && *outcome == RefreshOutcome::kReused) AwaitRevocationMirrors();
  return outcome;
}

Result<bool> PostgresStore::IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                             int64_t gen) {
  return Read([&](Lease& lease) -> Result<bool> {
    auto r = lease.Exec(kGetFamily, {S(family)});
    if (!r) return tl::unexpected(r.error());
    if (r->size() == 0) return true;  // issued before this database knew it
    return r->Int(0, 1) < gen || (r->Int(0, 1) == gen && r->Text(0, 0) == token_id);
  });
}

Result<void> PostgresStore::Revoke(std::string_view id, int64_t expires_at) {
  auto r = RevokeUnacknowledged(id, expires_at);
  if (r) AwaitRevocationMirrors();
  return r;
}

Result<void> PostgresStore::CopyRevocations(
    const std::vector<std::pair<std::string, int64_t>>& revocations) {
  for (const auto& [id, until] : revocations) {
    if (auto r = RevokeUnacknowledged(id, until); !r) return r;
  }
  if (!revocations.empty()) AwaitRevocationMirrors();
  return {};
}

Result<void> PostgresStore::RevokeUnacknowledged(std::string_view id, int64_t expires_at) {
  if (id.empty()) return {};  // "" stands for "no such id" in IsRevoked's batches
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<void> {
    auto r = lease.Exec(kRevoke, {S(id), S(expires_at)});
    if (!r) return tl::unexpected(r.error());
    return {};
  });
}

Result<bool> PostgresStore::IsRevoked(const std::vector<std::string>& ids) {
  if (mirror_ != nullptr) {
    if (auto known = mirror_->Check(ids, RevocationMirror::Clock::now())) return *known;
  }
  return Read([&](Lease& lease) -> Result<bool> {
    // One query for up to four ids (token, family, session, user generation): the
    // introspection hot path. "" is never revoked (Revoke ignores it), so it is skipped.
    std::vector<std::string> wanted;
    for (const auto& id : ids) {
      if (!id.empty()) wanted.push_back(id);
    }
    for (size_t i = 0; i < wanted.size(); i += kRevokedBatch) {
      std::vector<std::string> batch;
      for (size_t j = i; j < i + kRevokedBatch; ++j) {
        batch.push_back(j < wanted.size() ? wanted[j] : "");
      }
      auto r = lease.Exec(kIsRevoked, batch);
      if (!r) return tl::unexpected(r.error());
      if (r->size() > 0) return true;
    }
    return false;
  });
}

Result<int64_t> PostgresStore::BlockedUntil(std::string_view key, int64_t now) {
  bool from_standby = false;
  auto r = Read(
      [&](Lease& lease) -> Result<int64_t> {
        auto row = lease.Exec(kBlockedUntil, {S(key)});
        if (!row) return tl::unexpected(row.error());
        if (row->size() == 0) return int64_t{0};
        return row->Int(0, 0) > now ? row->Int(0, 0) : int64_t{0};
      },
      &from_standby);
  if (!r) return r;
  int64_t local = outage_failures_->BlockedUntil(key, now);
  if (!from_standby) {
    if (outage_failures_->HasPending()) RecordOwedFailures(now);
    return std::max(*r, local);
  }
  // The password is about to be checked with no primary to count a failure on: this process
  // must be able to count it (bounded), or the login fails closed.
  if (!outage_failures_->Admit(key)) {
    return MakeError(ErrorCode::kUnavailable,
                     "postgres: the primary is unreachable and too many failed logins are "
                     "counted here already; try again shortly");
  }
  return std::max(*r, local);
}

Result<int64_t> PostgresStore::RecordFailure(std::string_view key, int64_t now,
                                             const LockoutPolicy& policy) {
  if (standby_ == nullptr || !PrimaryRecentlyDown()) {
    auto r = pool_->Run(kOnce, [&](Lease& lease) {
      return pg::Pool::InTransaction(lease, [&] { return CountFailure(lease, key, now, policy); });
    });
    if (r || standby_ == nullptr || r.error().code != ErrorCode::kUnavailable) return r;
    MarkPrimaryDown();
  }
  // A lost COMMIT may have counted it on the primary already: counting it twice is the safe
  // direction.
  return CountOnStandby(key, now, policy);
}

Result<int64_t> PostgresStore::CountOnStandby(std::string_view key, int64_t now,
                                              const LockoutPolicy& policy) {
  auto state = standby_->Run(kIdempotent, [&](Lease& lease) -> Result<std::pair<int64_t, int64_t>> {
    auto r = lease.Exec(kFailureState, {S(key)});
    if (!r) return tl::unexpected(r.error());
    if (r->size() == 0) return std::pair<int64_t, int64_t>{0, 0};
    return std::pair<int64_t, int64_t>{r->Int(0, 0), r->Int(0, 1)};
  });
  // Unreadable: counted from zero here, which still counts this failure.
  auto [count, first_at] = state ? *state : std::pair<int64_t, int64_t>{0, 0};
  bool counted = false;
  int64_t blocked = outage_failures_->Record(key, now, count, first_at, policy, &counted);
  if (!counted) {
    return MakeError(ErrorCode::kUnavailable,
                     "postgres: the primary is unreachable and this failed login cannot be "
                     "counted here");
  }
  return blocked;
}

void PostgresStore::RecordOwedFailures(int64_t now) {
  auto owed = outage_failures_->Drain();
  for (size_t i = 0; i < owed.size(); ++i) {
    auto& o = owed[i];
    while (o.failures > 0) {
      auto r = pool_->Run(kOnce, [&](Lease& lease) {
        return pg::Pool::InTransaction(lease,
                                       [&] { return CountFailure(lease, o.key, now, o.policy); });
      });
      if (!r) {
        outage_failures_->Restore({owed.begin() + static_cast<std::ptrdiff_t>(i), owed.end()});
        return;
      }
      --o.failures;
    }
  }
}

Result<void> PostgresStore::ClearFailures(std::string_view key) {
  outage_failures_->Clear(key);
  // Without the primary the global counter stays: the safe direction.
  if (standby_ != nullptr && PrimaryRecentlyDown()) return {};
  auto r = pool_->Run(kIdempotent, [&](Lease& lease) -> Result<void> {
    auto done = lease.Exec(kClearFailures, {S(key)});
    if (!done) return tl::unexpected(done.error());
    return {};
  });
  if (!r && standby_ != nullptr && r.error().code == ErrorCode::kUnavailable) return {};
  return r;
}

Result<void> PostgresStore::Ping() {
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<void> {
    auto r = lease.Exec(kPing, {});
    if (!r) return tl::unexpected(r.error());
    if (r->Text(0, 0) != "t") return {};
    lease.Discard();  // reconnect: target_session_attrs=read-write may find the primary
    return MakeError(ErrorCode::kUnavailable, "postgres: the server is read-only (a standby?)");
  });
}

Result<void> PostgresStore::Purge(int64_t now) {
  if (mirror_ != nullptr) mirror_->Prune(now);
  return pool_->Run(kIdempotent, [&](Lease& lease) -> Result<void> {
    for (const Statement& s : kPurge) {
      if (auto r = lease.Exec(s, {S(now)}); !r) return tl::unexpected(r.error());
    }
    return {};
  });
}

}  // namespace steer::auth
