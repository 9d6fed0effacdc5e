// pg::Batcher without a database: who leads, what a batch holds, how outcomes and errors reach
// each waiting thread. No sleeps: a batch is held open on a promise while the test watches
// pending() grow.
#include "pg_batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace steer::auth::pg {
namespace {

using IntBatcher = Batcher<int, int>;
using Batches = std::vector<std::vector<int>>;

// Answers v * 10 for each input v and records each batch. A batch that starts with `hold`
// waits for Release() first; one that starts with kFail fails; one with kShort answers short.
class Runner {
 public:
  static constexpr int kFail = 99;
  static constexpr int kShort = 98;

  explicit Runner(int hold = -1) : hold_(hold), released_(release_.get_future().share()) {}
  IntBatcher::RunFn Fn() {
    return [this](const std::vector<int>& in) -> Result<std::vector<int>> {
      ++entered_;
      if (in.front() == hold_) released_.wait();
      std::lock_guard lock(mu_);
      batches_.push_back(in);
      if (in.front() == kFail) return MakeError(ErrorCode::kUnavailable, "db gone");
      std::vector<int> out;
      for (int v : in) out.push_back(v * 10);
      if (in.front() == kShort) out.pop_back();
      return out;
    };
  }
  void Release() { release_.set_value(); }
  void WaitEntered(int n) const {
    while (entered_.load() < n) std::this_thread::yield();
  }
  Batches batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  const int hold_;
  std::promise<void> release_;
  std::shared_future<void> released_;
  std::atomic<int> entered_{0};
  std::mutex mu_;
  Batches batches_;
};

void WaitPending(const IntBatcher& b, size_t n) {
  while (b.pending() < n) std::this_thread::yield();
}

// Holds a batch of {held} open, then queues `inputs` behind it one at a time (so their
// arrival order is known), releases, and returns what each queued Submit got.
std::vector<Result<int>> QueueBehind(IntBatcher& b, Runner& r, int held,
                                     const std::vector<int>& inputs) {
  std::thread first([&] { (void)b.Submit(held, r.Fn()); });
  r.WaitEntered(1);
  std::vector<Result<int>> got(inputs.size(), MakeError(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> rest;
  for (size_t i = 0; i < inputs.size(); ++i) {
    rest.emplace_back([&, i] { got[i] = b.Submit(inputs[i], r.Fn()); });
    WaitPending(b, i + 1);
  }
  r.Release();
  first.join();
  for (auto& t : rest) t.join();
  return got;
}

TEST(Batcher, AloneRunsAtOnceAsABatchOfOne) {
  IntBatcher b(8, 1);
  Runner r;
  EXPECT_EQ(b.Submit(1, r.Fn()).value(), 10);
  EXPECT_EQ(b.Submit(2, r.Fn()).value(), 20);
  EXPECT_EQ(r.batches(), (Batches{{1}, {2}}));
}

TEST(Batcher, ThoseWaitingBehindARunningBatchGoTogetherInArrivalOrder) {
  IntBatcher b(8, 1);
  Runner r(/*hold=*/0);
  auto got = QueueBehind(b, r, 0, {1, 2, 3});
  EXPECT_EQ(r.batches(), (Batches{{0}, {1, 2, 3}}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(got[i].value(), (i + 1) * 10);
}

TEST(Batcher, ABatchHoldsAtMostMaxBatch) {
  IntBatcher b(2, 1);
  Runner r(/*hold=*/0);
  auto got = QueueBehind(b, r, 0, {1, 2, 3, 4, 5});
  EXPECT_EQ(r.batches(), (Batches{{0}, {1, 2}, {3, 4}, {5}}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i].value(), (i + 1) * 10);
}

TEST(Batcher, AFailedBatchFailsEachOfItsMembersAndNoOther) {
  IntBatcher b(8, 1);
  Runner r(/*hold=*/0);
  auto got = QueueBehind(b, r, 0, {Runner::kFail, 7});
  EXPECT_EQ(r.batches(), (Batches{{0}, {Runner::kFail, 7}}));
  for (const auto& g : got) {
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, ErrorCode::kUnavailable);
  }
  EXPECT_EQ(b.Submit(7, r.Fn()).value(), 70);  // the next batch is unaffected
}

TEST(Batcher, AnAnswerOfTheWrongLengthIsAnInternalErrorForEveryMember) {
  IntBatcher b(8, 1);
  Runner r(/*hold=*/0);
  auto got = QueueBehind(b, r, 0, {Runner::kShort, 1});
  for (const auto& g : got) {
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, ErrorCode::kInternal);
  }
}

TEST(Batcher, UpToMaxInFlightBatchesRunAtOnce) {
  IntBatcher b(8, 2);
  Runner r(/*hold=*/0);
  // Two held batches of their own: both entered run() at once, so two may be in flight.
  std::thread one([&] { EXPECT_EQ(b.Submit(0, r.Fn()).value(), 0); });
  std::thread two([&] { EXPECT_EQ(b.Submit(0, r.Fn()).value(), 0); });
  r.WaitEntered(2);
  EXPECT_EQ(b.pending(), 0u);
  // A third waits: both slots are taken.
  std::thread three([&] { EXPECT_EQ(b.Submit(3, r.Fn()).value(), 30); });
  WaitPending(b, 1);
  r.Release();
  one.join();
  two.join();
  three.join();
  auto batches = r.batches();
  std::sort(batches.begin(), batches.end());  // {3} may finish before the second {0}
  EXPECT_EQ(batches, (Batches{{0}, {0}, {3}}));
}

// Many threads at once, no holding: every Submit gets its own answer, every input runs once.
TEST(Batcher, UnderContentionEachInputRunsOnceAndGetsItsOwnAnswer) {
  IntBatcher b(16, 2);
  Runner r;
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int v = t * kEach + i + 1;  // never Runner's special values' owner: those are < 100
        if (v < 100) v += kThreads * kEach;
        auto got = b.Submit(v, r.Fn());
        if (!got || *got != v * 10) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  std::vector<int> all;
  for (const auto& batch : r.batches()) {
    EXPECT_LE(batch.size(), 16u);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // none twice
}

}  // namespace
}  // namespace steer::auth::pg
