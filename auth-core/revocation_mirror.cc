#include "revocation_mirror.h"

#include <thread>

#include "steer/base/log.h"

namespace steer::auth {

void AwaitRevocationMirrors() { std::this_thread::sleep_for(RevocationMirror::kLease); }

RevocationMirror::RevocationMirror(RevocationFeed& feed) : feed_(feed) {}

RevocationMirror::~RevocationMirror() { Stop(); }

void RevocationMirror::Start() { poller_.Start(); }

void RevocationMirror::Stop() { poller_.Stop(); }

std::optional<bool> RevocationMirror::Check(const std::vector<std::string>& ids,
                                            Clock::time_point now) const {
  Clock::time_point fresh_since{Clock::duration(fresh_since_.load(std::memory_order_acquire))};
  if (fresh_since == Clock::time_point::min() || now - fresh_since >= kLease) return std::nullopt;
  if (now >= Clock::time_point(Clock::duration(trust_until_.load(std::memory_order_acquire)))) {
    return std::nullopt;
  }
  std::shared_lock lock(mu_);
  for (const auto& id : ids) {
    if (!id.empty() && rows_.count(id) > 0) return true;  // "" is never revoked
  }
  return false;
}

Result<void> RevocationMirror::Poll(Clock::time_point started) {
  auto read = feed_.Read(read_everything_);
  if (!read) {
    read_everything_ = true;  // whatever happened meanwhile, the next poll reads everything
    if (!stale_logged_) {
      base::Logger("auth")->warn(
          "revocation mirror: {}; token checks read the database until a poll succeeds",
          read.error().message);
      stale_logged_ = true;
    }
    return tl::unexpected(read.error());
  }
  {
    std::unique_lock lock(mu_);
    if (read->complete) {
      rows_.swap(read->rows);
    } else {
      for (auto& [id, until] : read->rows) rows_[id] = until;
    }
    // Learned before this poll started: committed before it, so read by it. Learned later:
    // perhaps not read yet, so kept (a complete read just replaced them).
    std::erase_if(learned_, [&](const Learned& l) { return l.at < started; });
    for (const auto& l : learned_) rows_[l.id] = std::max(rows_[l.id], l.expires_at);
  }
  read_everything_ = false;
  trust_until_.store(read->trust_until.time_since_epoch().count(), std::memory_order_release);
  fresh_since_.store(started.time_since_epoch().count(), std::memory_order_release);
  if (stale_logged_) base::Logger("auth")->info("revocation mirror: polling again");
  stale_logged_ = false;
  return {};
}

void RevocationMirror::Learn(const std::string& id, int64_t expires_at) {
  std::unique_lock lock(mu_);
  rows_[id] = std::max(rows_[id], expires_at);
  learned_.push_back({id, expires_at, Clock::now()});
}

void RevocationMirror::Prune(int64_t now) {
  std::unique_lock lock(mu_);
  std::erase_if(rows_, [&](const auto& row) { return row.second < now; });
}

size_t RevocationMirror::size() const {
  std::shared_lock lock(mu_);
  return rows_.size();
}

}  // namespace steer::auth
