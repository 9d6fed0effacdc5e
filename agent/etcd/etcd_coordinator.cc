#include "etcd_coordinator.h"

#include "report_json.h"
#include "steer/base/log.h"
#include "steer/dns/retry_policy.h"

namespace steer::agent::etcd {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

int64_t WallMsNow(const base::Clock& clock) {
  return duration_cast<milliseconds>(clock.WallNow().time_since_epoch()).count();
}

}  // namespace

EtcdCoordinator::EtcdCoordinator(Client& client, const base::Clock& clock, base::Random& random,
                                 CoordinatorOptions options)
    : client_(client),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      keys_(options_.prefix) {}

Result<std::unique_ptr<EtcdCoordinator>> EtcdCoordinator::Start(Client& client,
                                                                const base::Clock& clock,
                                                                base::Random& random,
                                                                CoordinatorOptions options) {
  std::unique_ptr<EtcdCoordinator> c(
      new EtcdCoordinator(client, clock, random, std::move(options)));
  // With etcd up at start, a duplicate vantage name stops this agent before it runs at all.
  // A live duplicate rewrites its key within its heartbeat; a dead one's key expires within a
  // TTL. Wait up to a TTL and a bit for either.
  const auto give_up = clock.SteadyNow() + c->options_.lease_ttl + milliseconds(1000);
  while (c->EnsureLease()) {
    auto claimed = c->ClaimVantage();
    if (claimed) break;
    if (claimed.error().code == ErrorCode::kAlreadyExists) {
      c->Resign();
      return tl::unexpected(claimed.error());
    }
    if (clock.SteadyNow() >= give_up) break;
    clock.SleepFor(milliseconds(200));
  }
  c->thread_ = std::thread([raw = c.get()] { raw->Run(); });  // joined by the destructor
  return c;
}

EtcdCoordinator::~EtcdCoordinator() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Resign();
}

int64_t EtcdCoordinator::lease() const {
  std::lock_guard lock(mu_);
  return lease_;
}

milliseconds EtcdCoordinator::RenewDeadline() const {
  return duration_cast<milliseconds>(options_.lease_ttl) * 2 / 3;
}

void EtcdCoordinator::Run() {
  while (true) {
    milliseconds wait = Step();
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [&] { return stop_; })) return;
  }
}

milliseconds EtcdCoordinator::Step() {
  {
    std::lock_guard lock(mu_);
    // Refused for good, or resigned: stay frozen, hold no lease, never campaign again.
    if (!duplicate_.empty() || resigned_) return milliseconds(1000);
  }
  dns::RetryPolicy backoff({1 << 30, milliseconds(100), milliseconds(2000)});
  if (auto lease = EnsureLease(); !lease) {
    Unreachable(lease.error());
    return backoff.Backoff(failures_, random_);
  }
  if (auto claim = ClaimVantage(); !claim) {
    if (claim.error().code != ErrorCode::kAlreadyExists) Unreachable(claim.error());
    return backoff.Backoff(std::max(failures_, 1), random_);
  }
  if (auto won = Campaign(); !won) {
    Unreachable(won.error());
    return backoff.Backoff(failures_, random_);
  }
  std::lock_guard lock(mu_);
  failures_ = 0;
  milliseconds until_keepalive = duration_cast<milliseconds>(next_keepalive_ - clock_.SteadyNow());
  return std::max(milliseconds(10), std::min(options_.campaign_period, until_keepalive));
}

// Grants a lease when there is none and sends the keepalive when it is due.
Result<void> EtcdCoordinator::EnsureLease() {
  int64_t lease;
  {
    std::lock_guard lock(mu_);
    lease = lease_;
    if (lease != 0 && clock_.SteadyNow() < next_keepalive_) return {};
  }
  base::Clock::SteadyTime sent = clock_.SteadyNow();
  if (lease == 0) {
    auto grant = client_.Grant(options_.lease_ttl);
    if (!grant) return tl::unexpected(grant.error());
    std::unique_lock lock(mu_);
    if (resigned_) {  // Resign() ran meanwhile: this lease must not outlive it
      lock.unlock();
      (void)client_.Revoke(grant->id);
      return MakeError(ErrorCode::kUnavailable, "resigned");
    }
    lease_ = grant->id;
    vantage_claimed_ = false;
  } else if (auto kept = client_.KeepAlive(lease); !kept) {
    if (kept.error().code != ErrorCode::kNotFound) return tl::unexpected(kept.error());
    {
      std::lock_guard lock(mu_);
      lease_ = 0;
      token_ = 0;
      vantage_claimed_ = false;
      last_error_ = "lease " + std::to_string(lease) + " expired in etcd";
    }
    Notify();
    return MakeError(ErrorCode::kUnavailable, "lease " + std::to_string(lease) + " expired");
  }
  {
    std::lock_guard lock(mu_);
    last_renew_ = sent;
    next_keepalive_ = sent + duration_cast<milliseconds>(options_.lease_ttl) / 3;
    reachable_ = true;
  }
  Notify();
  return {};
}

// One attempt to hold P/vantages/<vantage> on our lease. Another lease's key is either a dead
// predecessor's (it goes with its lease, or is not rewritten for 3 TTLs and is taken over) or a
// live duplicate's (it is rewritten by its heartbeat): the duplicate is refused for good.
Result<void> EtcdCoordinator::ClaimVantage() {
  int64_t lease;
  {
    std::lock_guard lock(mu_);
    if (vantage_claimed_) return {};
    lease = lease_;
  }
  const std::string key = keys_.Vantage(options_.vantage);
  auto txn =
      client_.Txn({{key, Compare::Target::kCreate, Compare::Result::kEqual, 0, ""}},
                  {Op::Put(key, ReportToJson({options_.vantage, "", {}}), lease)}, {Op::Get(key)});
  if (!txn) return tl::unexpected(txn.error());
  const KeyValue* held =
      txn->ranges.empty() || txn->ranges.front().empty() ? nullptr : &txn->ranges.front().front();
  std::lock_guard lock(mu_);
  if (txn->succeeded || (held != nullptr && held->lease == lease)) {
    vantage_claimed_ = true;
    foreign_.reset();
    return {};
  }
  if (held == nullptr) return MakeError(ErrorCode::kUnavailable, "vantage key changed; retrying");
  const auto now = clock_.SteadyNow();
  if (!foreign_ || foreign_->lease != held->lease) {
    foreign_ = Foreign{held->lease, held->mod_revision, now};
  } else if (foreign_->mod_revision != held->mod_revision) {
    duplicate_ = "vantage name '" + options_.vantage + "' is in use by another agent (etcd lease " +
                 std::to_string(held->lease) + "); give each agent its own agent.vantage";
    return MakeError(ErrorCode::kAlreadyExists, duplicate_);
  } else if (now - foreign_->since > 3 * options_.lease_ttl) {
    // Not rewritten for 3 TTLs: a dead agent's key whose lease etcd kept alive. Take it over.
    (void)client_.Txn(
        {{key, Compare::Target::kMod, Compare::Result::kEqual, held->mod_revision, ""}},
        {Op::Delete(key)}, {});
  }
  return MakeError(ErrorCode::kUnavailable, "vantage name '" + options_.vantage +
                                                "' still held by etcd lease " +
                                                std::to_string(held->lease) +
                                                " (a previous run?); waiting for it to expire");
}

// Patroni's leader race; also learns who leads when someone else does.
Result<void> EtcdCoordinator::Campaign() {
  int64_t lease;
  {
    std::lock_guard lock(mu_);
    lease = lease_;
  }
  const std::string key = keys_.Leader();
  // A read first: a txn with a put is a raft proposal even when its compare fails, and every
  // follower asks every 250 ms — 50 agents made ~200 proposals/s with nothing to win.
  auto held = client_.Range(key);
  if (!held) return tl::unexpected(held.error());
  if (!held->kvs.empty()) {
    const KeyValue& holder = held->kvs.front();
    SetLeader(holder.lease == lease ? holder.create_revision : 0, holder.value);
    return {};
  }
  auto txn = client_.Txn({{key, Compare::Target::kCreate, Compare::Result::kEqual, 0, ""}},
                         {Op::Put(key, options_.vantage, lease)}, {Op::Get(key)});
  if (!txn) return tl::unexpected(txn.error());
  if (txn->succeeded) {
    SetLeader(txn->revision, options_.vantage);
    return {};
  }
  if (txn->ranges.empty() || txn->ranges.front().empty()) {
    SetLeader(0, "");  // deleted in between; the next round races again
    return {};
  }
  const KeyValue& holder = txn->ranges.front().front();
  // After an ambiguous timeout the key may already be ours.
  SetLeader(holder.lease == lease ? holder.create_revision : 0, holder.value);
  return {};
}

void EtcdCoordinator::SetLeader(int64_t token, const std::string& leader) {
  {
    std::lock_guard lock(mu_);
    token_ = token;
    leader_ = leader;
    reachable_ = true;
    last_error_.clear();
  }
  Notify();
}

void EtcdCoordinator::Unreachable(const Error& e) {
  {
    std::lock_guard lock(mu_);
    ++failures_;
    reachable_ = false;
    last_error_ = e.message;
  }
  Notify();
}

Leadership EtcdCoordinator::CurrentLeadership() {
  std::lock_guard lock(mu_);
  return LeadershipLocked();
}

Leadership EtcdCoordinator::LeadershipLocked() const {
  Leadership l;
  l.leader = leader_;
  const bool renewed = lease_ != 0 && clock_.SteadyNow() - last_renew_ < RenewDeadline();
  l.is_leader = token_ != 0 && renewed && duplicate_.empty() && !resigned_;
  l.fencing_token = l.is_leader ? token_ : 0;
  // A failed round shorter than the renew deadline does not freeze the agent: the lease still
  // holds, and every write is fenced by a txn anyway.
  if (!duplicate_.empty()) {
    l.frozen = true;
    l.why = duplicate_;
  } else if (resigned_) {
    l.frozen = true;
    l.why = "resigned";
  } else if (!renewed) {
    l.frozen = true;
    l.why = "etcd unreachable: " + (last_error_.empty() ? "no lease" : last_error_);
  } else if (leader_.empty()) {
    l.frozen = true;
    l.why = "no leader elected yet";
  } else if (!reachable_) {
    l.why = "etcd round failed: " + last_error_;
  }
  return l;
}

// Compared with what was reported last, not with the state before the caller's change: the
// renew deadline ends leadership between two session steps, with no change of ours.
void EtcdCoordinator::Notify() {
  Leadership before, now;
  {
    std::lock_guard lock(mu_);
    now = LeadershipLocked();
    before = reported_;
    if (now.is_leader == before.is_leader && now.frozen == before.frozen &&
        now.leader == before.leader && now.fencing_token == before.fencing_token) {
      return;
    }
    reported_ = now;
  }
  std::string what;
  if (now.is_leader && !before.is_leader) {
    what = "leader with fencing token " + std::to_string(now.fencing_token);
  } else if (before.is_leader && !now.is_leader) {
    what = "no longer leader (token " + std::to_string(before.fencing_token) +
           "): " + (now.why.empty() ? "leader is now '" + now.leader + "'" : now.why) +
           "; writes nothing from now on";
  } else if (now.frozen) {
    what = "frozen: " + now.why;
  } else {
    what = "following leader '" + now.leader + "'";
  }
  auto log = base::Logger("coordination");
  if (before.is_leader && !now.is_leader) {
    log->warn("{}", what);
  } else {
    log->info("{}", what);
  }
  if (options_.on_change) options_.on_change(now, what);
}

Result<void> EtcdCoordinator::CheckFence(int64_t token) {
  {
    std::lock_guard lock(mu_);
    Leadership l = LeadershipLocked();
    if (!l.is_leader || l.fencing_token != token) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "fencing token " + std::to_string(token) + " is not current" +
                           (l.why.empty() ? "" : " (" + l.why + ")") + ": not writing");
    }
  }
  const std::string key = keys_.Leader();
  auto txn = client_.Txn({{key, Compare::Target::kCreate, Compare::Result::kEqual, token, ""}}, {},
                         {Op::Get(key)});
  if (!txn) {
    return MakeError(ErrorCode::kFailedPrecondition, "cannot check fencing token " +
                                                         std::to_string(token) + ": " +
                                                         txn.error().message + "; not writing");
  }
  if (txn->succeeded) return {};
  std::string holder = txn->ranges.empty() || txn->ranges.front().empty()
                           ? "no leader"
                           : "leader '" + txn->ranges.front().front().value + "' with token " +
                                 std::to_string(txn->ranges.front().front().create_revision);
  return MakeError(ErrorCode::kFailedPrecondition, "fencing token " + std::to_string(token) +
                                                       " is stale (" + holder + "): not writing");
}

Result<void> EtcdCoordinator::Publish(const VantageReport& report) {
  int64_t lease;
  {
    std::lock_guard lock(mu_);
    if (!duplicate_.empty()) return MakeError(ErrorCode::kAlreadyExists, duplicate_);
    if (!vantage_claimed_ || lease_ == 0) {
      return MakeError(ErrorCode::kUnavailable, "no etcd session yet");
    }
    lease = lease_;
  }
  const std::string key = keys_.Vantage(options_.vantage);
  // Guarded by the lease holding the key, so a duplicate never overwrites the other agent.
  auto txn = client_.Txn({{key, Compare::Target::kLease, Compare::Result::kEqual, lease, ""}},
                         {Op::Put(key, ReportToJson(report), lease)}, {});
  if (!txn) return tl::unexpected(txn.error());
  if (!txn->succeeded) {
    std::lock_guard lock(mu_);
    vantage_claimed_ = false;  // the session thread claims it again
    return MakeError(ErrorCode::kUnavailable, "vantage key lost with its lease");
  }
  return {};
}

Result<std::vector<VantageReport>> EtcdCoordinator::ReadReports() {
  auto range = client_.Range(keys_.Vantages(), PrefixEnd(keys_.Vantages()));
  if (!range) return tl::unexpected(range.error());
  const int64_t now = WallMsNow(clock_);
  std::vector<VantageReport> out;
  std::lock_guard lock(mu_);
  std::map<std::string, std::pair<int64_t, int64_t>> seen;
  for (const auto& kv : range->kvs) {
    auto report = ReportFromJson(kv.value);
    if (!report || report->vantage == options_.vantage) continue;
    auto it = seen_.find(report->vantage);
    int64_t received =
        it != seen_.end() && it->second.first == kv.mod_revision ? it->second.second : now;
    seen[report->vantage] = {kv.mod_revision, received};
    report->received_ms = received;
    out.push_back(std::move(*report));
  }
  seen_ = std::move(seen);
  return out;
}

void EtcdCoordinator::Resign() {
  int64_t lease, token;
  {
    std::lock_guard lock(mu_);
    resigned_ = true;
    lease = lease_;
    token = token_;
    lease_ = 0;
    token_ = 0;
  }
  if (lease == 0) return;
  if (token != 0) {
    const std::string key = keys_.Leader();
    (void)client_.Txn({{key, Compare::Target::kCreate, Compare::Result::kEqual, token, ""}},
                      {Op::Delete(key)}, {});
    base::Logger("coordination")->info("resigned leadership (token {})", token);
  }
  (void)client_.Revoke(lease);
}

}  // namespace steer::agent::etcd
