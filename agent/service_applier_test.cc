// One service, two providers (issue 16): each provider's change goes on independently, a
// provider that fails or hangs never holds up the other nor the caller, a provider that comes
// back converges, and records changed behind Steer's back are found and written back.
#include "service_applier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "test_fakes.h"

namespace steer::agent {
namespace {

using std::chrono::milliseconds;

constexpr const char* kZone = "example.test.";
constexpr const char* kName = "login.example.test.";

dns::RRset Login(std::string address) { return dns::RRset{kName, "A", 30, {std::move(address)}}; }

// FakeProvider made safe for the applier's thread: down (every call fails) or held (every call
// waits until released), and records set behind Steer's back.
class SharedProvider : public dns::Provider {
 public:
  explicit SharedProvider(std::string name) : name_(std::move(name)) { inner_.zones[kZone] = {}; }
  std::string Name() const override { return name_; }
  Result<std::optional<dns::RRset>> Read(const std::string& zone, const std::string& name,
                                         const std::string& type) override {
    std::unique_lock lock(mu_);
    if (auto e = Gate(lock)) return tl::unexpected(*e);
    return inner_.Read(zone, name, type);
  }
  Result<dns::ChangeReceipt> Replace(const std::string& zone, const dns::RRset& rrset) override {
    std::unique_lock lock(mu_);
    if (auto e = Gate(lock)) return tl::unexpected(*e);
    return inner_.Replace(zone, rrset);
  }
  std::optional<dns::RRset> Serves() {  // what its nameserver answers
    std::unique_lock lock(mu_);
    if (down_) return std::nullopt;
    auto r = inner_.Read(kZone, kName, "A");
    if (!r) return std::nullopt;
    return *r;
  }
  bool down() {
    std::lock_guard lock(mu_);
    return down_;
  }
  void SetDown(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  void SetHeld(bool held) {
    {
      std::lock_guard lock(mu_);
      held_ = held;
    }
    cv_.notify_all();
  }
  void ChangeBehindSteersBack(const dns::RRset& rrset) {
    std::lock_guard lock(mu_);
    inner_.Apply(kZone, rrset);
  }
  int writes() {
    std::lock_guard lock(mu_);
    return inner_.writes;
  }

 private:
  std::optional<Error> Gate(std::unique_lock<std::mutex>& lock) {
    cv_.wait(lock, [&] { return !held_; });
    if (down_) return Error(ErrorCode::kUnavailable, name_ + " is down");
    return std::nullopt;
  }
  const std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  dns::testing::FakeProvider inner_;
  bool down_ = false;
  bool held_ = false;
};

// The provider's one authoritative server: answers what the provider holds, nothing when down.
class ProviderQuerier : public dns::DnsQuerier {
 public:
  explicit ProviderQuerier(SharedProvider& p) : provider_(p) {}
  Result<dns::QueryAnswer> Query(const dns::NameServer&, const std::string&, const std::string&,
                                 milliseconds) override {
    if (provider_.down()) return MakeError(ErrorCode::kUnavailable, "connection refused");
    dns::QueryAnswer a;
    a.authoritative = true;
    a.rrset = provider_.Serves();
    return a;
  }

 private:
  SharedProvider& provider_;
};

// One provider stack as steerd builds it: provider, limiter, SafeWriter, its own server.
struct Stack {
  explicit Stack(std::string name) : provider(std::move(name)) {}
  dns::SafeWriterOptions Options() {
    dns::SafeWriterOptions o;
    o.retry.max_attempts = 1;
    return o;
  }
  SharedProvider provider;
  ProviderQuerier querier{provider};
  base::FakeClock clock;
  base::FakeRandom random;
  dns::RateLimiter limiter{1000, 1000, clock};
  dns::SafeWriter writer{provider, limiter, clock, random, nullptr, Options()};
  dns::PropagationChecker checker{querier, clock};
  std::atomic<int> drifts{0}, propagated{0};
};

class ServiceApplierTest : public ::testing::Test {
 protected:
  std::unique_ptr<DnsApplier> MakeApplier(Stack& s, milliseconds recheck,
                                          std::chrono::steady_clock::time_point not_before = {}) {
    ApplierDeps deps;
    deps.not_before = not_before;
    deps.provider = s.provider.Name();
    deps.writer = &s.writer;
    deps.checker = &s.checker;
    deps.fence = [] { return Result<int64_t>(1); };
    deps.recheck_interval = recheck;
    deps.on_drift = [&s](const std::string&, const dns::WriteResult&) { ++s.drifts; };
    deps.on_propagated = [&s](const std::string&, milliseconds, int) { ++s.propagated; };
    return std::make_unique<DnsApplier>(
        kZone, std::vector<dns::NameServer>{{"127.0.0.1", 53, "ns1", false}}, milliseconds(2000),
        std::move(deps));
  }
  void Build(milliseconds recheck = milliseconds(0)) {
    std::vector<ServiceApplier::Target> targets;
    targets.push_back({"pdns-main", MakeApplier(a_, recheck)});
    targets.push_back({"bind-backup", MakeApplier(b_, recheck)});
    applier_ = std::make_unique<ServiceApplier>(std::move(targets));
  }
  // Waits (bounded) for the appliers' threads to get somewhere.
  static bool Eventually(const std::function<bool()>& cond) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!cond()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }
  ApplyStatus Of(const std::string& provider) {
    for (const auto& p : applier_->providers()) {
      if (p.provider == provider) return p.status;
    }
    return {};
  }
  bool Serves(Stack& s, const std::string& address) {
    auto r = s.provider.Serves();
    return r && r->records == std::vector<std::string>{address};
  }
  void TearDown() override {
    a_.provider.SetHeld(false);
    b_.provider.SetHeld(false);
    if (applier_) applier_->Stop();
  }

  Stack a_{"pdns-main"}, b_{"bind-backup"};
  std::unique_ptr<ServiceApplier> applier_;
};

TEST_F(ServiceApplierTest, AProviderThatFailsEveryWriteHoldsUpNeitherTheOtherNorTheDecision) {
  Build();
  b_.provider.SetDown(true);
  applier_->SetDesired("b", Login("198.51.100.20"));
  ASSERT_TRUE(Eventually([&] { return Of("pdns-main").done; }));
  EXPECT_TRUE(Serves(a_, "198.51.100.20"));
  ApplyStatus b;
  ASSERT_TRUE(Eventually([&] {
    b = Of("bind-backup");
    return b.phase == "retrying";
  }));
  EXPECT_NE(b.last_error.find("bind-backup is down"), std::string::npos) << b.last_error;
  EXPECT_EQ(applier_->serving(), 1);
  ApplyStatus service;  // the service-level view: not served by every provider yet
  ASSERT_TRUE(Eventually([&] {
    service = applier_->status();
    return service.phase == "retrying";
  }));
  EXPECT_FALSE(service.done);
  EXPECT_EQ(service.last_error.rfind("bind-backup: ", 0), 0u) << service.last_error;
  EXPECT_EQ(service.total, 2);

  b_.provider.SetDown(false);  // B comes back: it converges on the decision
  ASSERT_TRUE(Eventually([&] { return Of("bind-backup").done; }));
  EXPECT_TRUE(Serves(b_, "198.51.100.20"));
  EXPECT_EQ(applier_->serving(), 2);
  EXPECT_TRUE(applier_->status().done);
  EXPECT_EQ(applier_->status().matching, 2);
}

TEST_F(ServiceApplierTest, AHangingProviderGetsTheLatestDecisionWhenItAnswersAgain) {
  Build();
  b_.provider.SetHeld(true);  // every call to B waits
  applier_->SetDesired("b", Login("198.51.100.20"));
  ASSERT_TRUE(Eventually([&] { return Of("pdns-main").done; }));
  applier_->SetDesired("a", Login("198.51.100.10"));  // returns at once: B's thread is stuck
  ASSERT_TRUE(Eventually([&] { return Of("pdns-main").done && Serves(a_, "198.51.100.10"); }));
  EXPECT_FALSE(Of("bind-backup").done);
  b_.provider.SetHeld(false);
  ASSERT_TRUE(Eventually([&] { return Of("bind-backup").done; }));
  EXPECT_TRUE(Serves(b_, "198.51.100.10"));
  EXPECT_EQ(Of("bind-backup").region, "a");
}

TEST_F(ServiceApplierTest, RecordsChangedBehindSteersBackAreWrittenBackAndReported) {
  Build(milliseconds(20));
  applier_->SetDesired("b", Login("198.51.100.20"));
  ASSERT_TRUE(Eventually([&] { return applier_->status().done; }));
  int writes_a = a_.provider.writes();
  b_.provider.ChangeBehindSteersBack(Login("192.0.2.66"));
  ASSERT_TRUE(Eventually([&] { return b_.propagated.load() == 2 && Of("bind-backup").done; }));
  EXPECT_EQ(b_.drifts.load(), 1);
  EXPECT_TRUE(Serves(b_, "198.51.100.20"));
  EXPECT_EQ(a_.drifts.load(), 0);
  EXPECT_EQ(a_.provider.writes(), writes_a);  // A's rechecks read; nothing to write there
  EXPECT_EQ(a_.propagated.load(), 1);         // a recheck that finds nothing says nothing
  EXPECT_EQ(b_.propagated.load(), 2);         // B: the change, then the correction
}

TEST_F(ServiceApplierTest, ARecheckThatFindsTheProviderDownRetriesUntilItIsBack) {
  Build(milliseconds(20));
  applier_->SetDesired("b", Login("198.51.100.20"));
  ASSERT_TRUE(Eventually([&] { return applier_->status().done; }));
  b_.provider.SetDown(true);
  ASSERT_TRUE(Eventually([&] { return Of("bind-backup").phase == "retrying"; }));
  EXPECT_FALSE(Of("bind-backup").done);
  EXPECT_TRUE(Of("pdns-main").done);
  b_.provider.SetDown(false);
  ASSERT_TRUE(Eventually([&] { return Of("bind-backup").done; }));
}

// After a crash that interrupted a change (InFlightHold): no write request before not_before,
// the phase says why, and stopping does not wait for the hold to end. A hold in the past
// holds nothing.
TEST_F(ServiceApplierTest, AHoldForAnInFlightChangeWritesNothingUntilItEnds) {
  const auto now = std::chrono::steady_clock::now();
  auto held = MakeApplier(a_, milliseconds(0), now + std::chrono::hours(1));
  held->SetDesired("b", Login("192.0.2.2"));
  ASSERT_TRUE(Eventually([&] { return held->status().phase == "waiting"; }));
  EXPECT_NE(held->status().last_error.find("provider timeout"), std::string::npos)
      << held->status().last_error;
  EXPECT_EQ(a_.provider.writes(), 0);
  const auto stopping = std::chrono::steady_clock::now();
  held->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(5));
  EXPECT_EQ(a_.provider.writes(), 0);

  auto free = MakeApplier(b_, milliseconds(0), now - milliseconds(1));
  free->SetDesired("b", Login("192.0.2.2"));
  EXPECT_TRUE(Eventually([&] { return Serves(b_, "192.0.2.2"); }));
  free->Stop();
}

TEST(CombineTest, OneProviderKeepsItsOwnShape) {
  ApplyStatus s{"b", {"198.51.100.20"}, "verifying", 1, 2, false, "", 30, std::nullopt};
  ApplyStatus c = Combine({{"pdns", s}});
  EXPECT_EQ(c.phase, "verifying");
  EXPECT_EQ(c.matching, 1);
  EXPECT_EQ(c.total, 2);
}

}  // namespace
}  // namespace steer::agent
