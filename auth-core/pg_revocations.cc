#include "pg_revocations.h"

#include "pg_pool.h"
#include "steer/base/log.h"

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

RevocationMirror::RevocationMirror(Pool& pool) : pool_(pool) {}

RevocationMirror::~RevocationMirror() { Stop(); }

void RevocationMirror::Start() {
  std::lock_guard lock(stop_mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void RevocationMirror::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RevocationMirror::Loop() {
  std::unique_lock lock(stop_mu_);
  while (!stopping_) {
    lock.unlock();
    auto started = Clock::now();
    (void)Poll(started);
    lock.lock();
    stop_cv_.wait_until(lock, started + kPoll, [&] { return stopping_; });
  }
}

std::optional<bool> RevocationMirror::Check(const std::vector<std::string>& ids,
                                            Clock::time_point now) const {
  Clock::time_point fresh_since{Clock::duration(fresh_since_.load(std::memory_order_acquire))};
  if (fresh_since == Clock::time_point::min() || now - fresh_since >= kLease) return std::nullopt;
  std::shared_lock lock(mu_);
  for (const auto& id : ids) {
    if (!id.empty() && rows_.count(id) > 0) return true;  // "" is never revoked
  }
  return false;
}

Result<void> RevocationMirror::Poll(Clock::time_point started) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool full = snapshot_.empty();
    auto rows = pool_.Run(/*idempotent=*/true, [&](Lease& lease) {
      return full ? lease.Exec(kFull, {}) : lease.Exec(kDelta, {snapshot_});
    });
    if (!rows) {
      snapshot_.clear();  // whatever happened meanwhile, the next poll reads everything
      if (!stale_logged_) {
        base::Logger("auth")->warn(
            "revocation mirror: {}; token checks read the database until a poll succeeds",
            rows.error().message);
        stale_logged_ = true;
      }
      return tl::unexpected(rows.error());
    }
    std::string snapshot, server;
    std::unordered_map<std::string, int64_t> found;
    for (int i = 0; i < rows->size(); ++i) {
      if (rows->Null(i, 2)) {
        snapshot = rows->Text(i, 0);
        server = rows->Text(i, 1);
      } else {
        found[rows->Text(i, 2)] = rows->Int(i, 3);
      }
    }
    if (!full && server != server_) {  // another server since the last poll: start over
      snapshot_.clear();
      continue;
    }
    {
      std::unique_lock lock(mu_);
      if (full) {
        rows_.swap(found);
      } else {
        for (auto& [id, until] : found) rows_[id] = until;
      }
    }
    snapshot_ = std::move(snapshot);
    server_ = std::move(server);
    fresh_since_.store(started.time_since_epoch().count(), std::memory_order_release);
    if (stale_logged_) base::Logger("auth")->info("revocation mirror: polling again");
    stale_logged_ = false;
    return {};
  }
  return MakeError(ErrorCode::kUnavailable, "revocation mirror: the server changed twice");
}

void RevocationMirror::Prune(int64_t now) {
  std::unique_lock lock(mu_);
  std::erase_if(rows_, [&](const auto& row) { return row.second < now; });
}

size_t RevocationMirror::size() const {
  std::shared_lock lock(mu_);
  return rows_.size();
}

}  // namespace steer::auth::pg
