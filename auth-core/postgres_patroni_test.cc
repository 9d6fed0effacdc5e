// PostgresStore on a real 2-node Patroni cluster (synchronous_mode) under load: kill -9 of the
// primary's postmaster fails over to the sync standby, the stores reconnect by themselves, and
// no acknowledged revocation or refresh rotation is lost. Also: the standby lost, the primary
// carries on once Patroni drops the sync requirement. STEER_PATRONI_ROUNDS sets the number of
// failovers (2 by default; scripts/pg-failover runs more).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "steer/auth/postgres_store.h"
#include "steer/testsupport/patroni_cluster.h"

namespace steer::auth {
namespace {

using Clock = std::chrono::steady_clock;
using testsupport::PatroniCluster;

int64_t Expiry() { return static_cast<int64_t>(std::time(nullptr)) + 3600; }

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::unique_ptr<PostgresStore> OpenOn(const PatroniCluster& cluster, int first) {
  auto store = PostgresStore::Open(cluster.StoreConfig(first));
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

// One region's traffic: logins (a code consumed, a refresh family started), refreshes
// (rotations) and revocations, in a loop on its own thread. Records what was acknowledged.
// A rotation that failed may still have committed, so its family is dropped, never reused.
class Load {
 public:
  struct Rotation {
    std::string family, old_token;
    int64_t old_gen;
  };
  struct Family {
    std::string id, token;
    int64_t gen = 0;
  };

  Load(PostgresStore& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}
  ~Load() { Stop(); }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // When refreshing recovered from a fault at `t`: the start of the first acknowledged
  // rotation begun after both `t` and the last failed rotation since `t`; nullopt if none.
  std::optional<Clock::time_point> RecoveredAt(Clock::time_point t) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.empty()) t = std::max(t, failed_.back());
    auto it = std::lower_bound(began_.begin(), began_.end(), t);
    if (it == began_.end()) return std::nullopt;
    return *it;
  }
  int64_t unexpected() const { return unexpected_; }
  std::vector<std::string> revoked() const { return revoked_; }   // after Stop()
  std::vector<Rotation> rotations() const { return rotations_; }  // after Stop()

 private:
  void Run() {
    for (int64_t i = 0; !stop_; ++i) {
      std::string n = prefix_ + std::to_string(i);
      if (active_.size() < 4) Login(n);
      if (!active_.empty()) Refresh(active_[i % active_.size()], n, i % active_.size());
      if (store_.Revoke("jti-" + n, Expiry())) revoked_.push_back("jti-" + n);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void Login(const std::string& n) {
    auto code = store_.ConsumeOnce("code-" + n, Expiry());
    if (!code || !*code) return;
    if (store_.StartFamily("fam-" + n, "rt-" + n, Expiry()))
      active_.push_back({"fam-" + n, "rt-" + n});
  }
  void Refresh(Family f, const std::string& n, size_t index) {
    std::string next = "rt-" + n;
    auto started = Clock::now();  // a call that began before a fault may still finish after it
    auto outcome = store_.RotateRefresh(f.id, f.token, f.gen, next, Expiry());
    if (outcome && *outcome == RefreshOutcome::kRotated) {
      rotations_.push_back({f.id, f.token, f.gen});
      active_[index] = {f.id, next, f.gen + 1};
      std::lock_guard<std::mutex> lock(mu_);
      began_.push_back(started);
      return;
    }
    if (outcome) ++unexpected_;  // reuse or revoked for the current token: state was lost
    {
      std::lock_guard<std::mutex> lock(mu_);
      failed_.push_back(Clock::now());
    }
    active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(index));
  }

  PostgresStore& store_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Clock::time_point> began_;   // acknowledged rotations, when they began
  std::vector<Clock::time_point> failed_;  // failed rotations, when they ended
  std::atomic<int64_t> unexpected_{0};
  std::vector<Family> active_;
  std::vector<std::string> revoked_;
  std::vector<Rotation> rotations_;
  std::thread thread_;
};

// Every acknowledged revocation is still revoked and every acknowledged rotation's old token
// is refused: not current, and presenting the last one of a family is reuse.
void CheckNothingLost(PostgresStore& store, const Load& load) {
  auto revoked = load.revoked();
  int64_t lost = 0;
  for (const auto& id : revoked) {
    auto r = store.IsRevoked({id});
    ASSERT_TRUE(r) << r.error().message;
    lost += *r ? 0 : 1;
  }
  EXPECT_EQ(lost, 0) << "of " << revoked.size() << " acknowledged revocations";
  auto rotations = load.rotations();
  std::map<std::string, Load::Rotation> last;
  for (const auto& r : rotations) {
    auto current = store.IsCurrentRefresh(r.family, r.old_token, r.old_gen);
    ASSERT_TRUE(current) << current.error().message;
    EXPECT_FALSE(*current) << r.family << " gen " << r.old_gen << ": rotation lost";
    last[r.family] = r;
  }
  for (const auto& [family, r] : last) {
    auto outcome = store.RotateRefresh(family, r.old_token, r.old_gen, "check", Expiry());
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(*outcome, RefreshOutcome::kReused) << family;
  }
  std::printf("  checked %zu acknowledged revocations, %zu rotations (%zu families)\n",
              revoked.size(), rotations.size(), last.size());
}

int Rounds() {
  const char* env = std::getenv("STEER_PATRONI_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 2;
}

TEST(PostgresPatroni, KillingThePrimaryPostmasterFailsOverWithoutLosingAcknowledgedWrites) {
  PatroniCluster cluster;
  auto region_a = OpenOn(cluster, 0);  // two regions, each listing the nodes in its own order
  auto region_b = OpenOn(cluster, 1);
  Load load_a(*region_a, "a-");
  Load load_b(*region_b, "b-");
  load_a.Start();
  load_b.Start();
  std::vector<double> to_refresh;
  for (int round = 0; round < Rounds(); ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(2));  // load before the fault
    int old_primary = cluster.KillPrimaryPostgres();
    auto killed = Clock::now();
    std::optional<int> primary;
    ASSERT_TRUE(testsupport::WaitUntil(
        [&] {
          primary = cluster.Primary();
          return primary && *primary != old_primary;
        },
        std::chrono::seconds(60)))
        << "no failover\n"
        << cluster.Log(old_primary);
    auto elected = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));  // failures in flight settle
    ASSERT_TRUE(testsupport::WaitUntil(
        [&] { return load_a.RecoveredAt(killed) && load_b.RecoveredAt(killed); },
        std::chrono::seconds(60)))
        << "no refresh after the failover";
    to_refresh.push_back(
        Seconds(std::max(*load_a.RecoveredAt(killed), *load_b.RecoveredAt(killed)) - killed));
    std::printf(
        "round %d: node%d's postmaster killed; node%d primary (its /primary 200) after %.2f s; "
        "refreshes succeed again in both regions %.2f s after the kill\n",
        round + 1, old_primary + 1, *primary + 1, Seconds(elected - killed), to_refresh.back());
    std::fflush(stdout);
    // The old primary rejoins (pg_rewind) as the sync standby before the next fault.
    ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(120))) << cluster.Log(0) << "\n----\n"
                                                                << cluster.Log(1);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  load_a.Stop();
  load_b.Stop();
  std::sort(to_refresh.begin(), to_refresh.end());
  std::printf(
      "kill -9 of the primary postmaster -> first refresh in both regions: p50 %.2f s, "
      "max %.2f s over %zu failovers\n",
      to_refresh[to_refresh.size() / 2], to_refresh.back(), to_refresh.size());
  EXPECT_EQ(load_a.unexpected(), 0);
  EXPECT_EQ(load_b.unexpected(), 0);
  auto checker = OpenOn(cluster, 0);
  CheckNothingLost(*checker, load_a);
  CheckNothingLost(*checker, load_b);
}

TEST(PostgresPatroni, WithTheStandbyLostThePrimaryCarriesOnOncePatroniDropsTheSyncStandby) {
  PatroniCluster cluster;
  auto store = OpenOn(cluster, 0);
  int primary = cluster.Primary().value();
  ASSERT_TRUE(store->Revoke("before", Expiry()));
  std::printf(
      "  synchronous_standby_names '%s', replication: %s\n",
      cluster.Sql("SHOW synchronous_standby_names").c_str(),
      cluster.Sql("SELECT application_name || ' ' || sync_state FROM pg_stat_replication").c_str());
  auto lost = Clock::now();
  cluster.KillNode(1 - primary);
  std::printf("  standby killed (Patroni and postmaster) in %.2f s\n",
              Seconds(Clock::now() - lost));
  // Writes until one returns at once (< 0.5 s): before that, commits wait for the sync standby.
  int failed = 0, slow = 0;
  double first_ok = -1;
  for (int i = 0; Clock::now() - lost < std::chrono::seconds(60); ++i) {
    auto start = Clock::now();
    auto r = store->Revoke("during-" + std::to_string(i), Expiry());
    auto took = Clock::now() - start;
    if (!r) {
      ++failed;
      std::printf("  write %d failed after %.2f s: %s\n", i, Seconds(took),
                  r.error().message.c_str());
    } else if (took > std::chrono::milliseconds(500)) {
      ++slow;
      std::printf("  write %d acknowledged after %.2f s\n", i, Seconds(took));
    } else {
      first_ok = Seconds(Clock::now() - lost);
      break;
    }
  }
  ASSERT_GE(first_ok, 0) << "writes never recovered\n" << cluster.Log(primary);
  std::printf("standby lost -> writes succeed at once again after %.2f s (%d failed, %d slow)\n",
              first_ok, failed, slow);
  EXPECT_EQ(cluster.Primary(), primary);  // no failover: the primary kept its role
  EXPECT_TRUE(store->IsRevoked({"before"}).value());
  cluster.StartNode(1 - primary);
  ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(120))) << cluster.Log(1 - primary);
  EXPECT_TRUE(store->Revoke("after", Expiry()));
}

// A sync standby that hangs (its connections stay open, it confirms nothing): commits wait
// until Patroni drops it from synchronous_standby_names (its member key expires, ttl 5 s; the
// sync key in etcd is changed first, so it can no longer be promoted), then the write is
// acknowledged. statement_timeout does not cut that wait short (PostgreSQL disables it before
// the commit), so a write is never acknowledged by a cancelled sync wait.
TEST(PostgresPatroni, WithTheSyncStandbyHungWritesWaitUntilPatroniDropsIt) {
  PatroniCluster cluster;
  auto store = OpenOn(cluster, 0);
  int primary = cluster.Primary().value();
  ASSERT_TRUE(store->Revoke("before", Expiry()));
  cluster.PausePostgres(1 - primary);
  auto start = Clock::now();
  auto revoke = store->Revoke("during", Expiry());
  double took = Seconds(Clock::now() - start);
  std::printf("sync standby hung -> a revocation is acknowledged after %.2f s: %s\n", took,
              revoke ? "ok" : revoke.error().message.c_str());
  ASSERT_TRUE(revoke) << revoke.error().message;
  EXPECT_GT(took, 2.5);  // longer than statement_timeout: the wait was not cancelled
  EXPECT_LT(took, 15.0);
  EXPECT_EQ(cluster.Sql("SHOW synchronous_standby_names"), "");
  cluster.ResumePostgres(1 - primary);
  ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(60)));
  EXPECT_TRUE(store->IsRevoked({"during"}).value());
  EXPECT_TRUE(store->Revoke("after", Expiry()));
}

}  // namespace
}  // namespace steer::auth
