#include "steer/dns/safe_writer.h"

#include <gtest/gtest.h>

#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "test_fakes.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using base::FakeClock;
using std::chrono::milliseconds;
using testing::FakeAsyncProvider;
using testing::FakeProvider;

// Records intents and outcomes; `fail_intents` makes the intent log fail (a full disk).
class RecordingSink : public AuditSink {
 public:
  Result<void> RecordIntent(const ChangeAudit& intent) override {
    if (fail_intents) return MakeError(ErrorCode::kUnavailable, "disk full");
    intents.push_back(intent);
    writes_at_intent.push_back(provider_writes == nullptr ? -1 : *provider_writes);
    return {};
  }
  void Record(const ChangeAudit& audit) override { audits.push_back(audit); }
  std::vector<ChangeAudit> intents;
  std::vector<int> writes_at_intent;  // the provider's write count when each intent was logged
  std::vector<ChangeAudit> audits;
  const int* provider_writes = nullptr;
  bool fail_intents = false;
};

RRset Login(std::vector<std::string> records, int ttl = 30) {
  return RRset{"login.example.test.", "A", ttl, std::move(records)};
}

class SafeWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A zone of 20 records: 19 filler + login.
    for (int i = 0; i < 19; ++i) {
      provider_.zones[kZone].push_back(
          RRset{"h" + std::to_string(i) + ".example.test.", "A", 30, {"127.0.1.1"}});
    }
    provider_.zones[kZone].push_back(Login({"127.0.0.2"}));
  }
  SafeWriter Writer(Provider& p, SafeWriterOptions options = {}) {
    return SafeWriter(p, limiter_, clock_, random_, &sink_, options);
  }

  base::FakeClock clock_;
  base::FakeRandom random_ = base::FakeRandom::Fraction(1.0);
  RateLimiter limiter_{1000.0, 1000.0, clock_};
  RecordingSink sink_;
  FakeProvider provider_;
};

TEST_F(SafeWriterTest, LogsTheIntentBeforeTheFirstWrite) {
  sink_.provider_writes = &provider_.writes;
  auto writer = Writer(provider_);
  ASSERT_TRUE(writer.Replace(kZone, Login({"127.0.0.3"})));
  ASSERT_EQ(sink_.intents.size(), 1u);
  EXPECT_EQ(sink_.writes_at_intent[0], 0);  // durable before the provider saw anything
  EXPECT_EQ(sink_.intents[0].before->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(sink_.intents[0].after.records, std::vector<std::string>{"127.0.0.3"});
  EXPECT_EQ(sink_.intents[0].provider, provider_.Name());
  // Already right: nothing to write, so no intent either.
  ASSERT_TRUE(writer.Replace(kZone, Login({"127.0.0.3"})));
  EXPECT_EQ(sink_.intents.size(), 1u);
}

TEST_F(SafeWriterTest, RefusesAChangeItCannotAuditFirst) {
  sink_.fail_intents = true;
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("disk full"), std::string::npos);
  EXPECT_EQ(provider_.writes, 0);
  ASSERT_EQ(sink_.audits.size(), 1u);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kRefused);
  EXPECT_EQ(provider_.zones[kZone].back().records, std::vector<std::string>{"127.0.0.2"});
}

TEST_F(SafeWriterTest, AppliesAndReadsBack) {
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(result->before->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(result->after.records, std::vector<std::string>{"127.0.0.3"});
  EXPECT_EQ(provider_.writes, 1);
  EXPECT_EQ(provider_.reads, 2);  // before and after
  ASSERT_EQ(sink_.audits.size(), 1u);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(sink_.audits[0].before->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(sink_.audits[0].change_id, "c1");
  EXPECT_EQ(sink_.audits[0].attempts, 1);
  EXPECT_EQ(sink_.audits[0].provider, "fake");
}

TEST_F(SafeWriterTest, SkipsAChangeAlreadyInPlace) {
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.2"}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, ChangeOutcome::kUnchanged);
  EXPECT_EQ(provider_.writes, 0);
  ASSERT_EQ(sink_.audits.size(), 1u);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kUnchanged);
}

TEST_F(SafeWriterTest, RetriesTransientErrorsWithBackoff) {
  provider_.write_errors = {Error(ErrorCode::kResourceExhausted, "HTTP 429"),
                            Error(ErrorCode::kUnavailable, "HTTP 503")};
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->receipt.attempts, 3);
  EXPECT_EQ(sink_.audits[0].attempts, 3);
  // Full jitter at its maximum (base::FakeRandom 1.0): 100 ms then 200 ms.
  EXPECT_EQ(clock_.Sleeps(),
            (std::vector<std::chrono::nanoseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_EQ(sink_.audits[0].duration, milliseconds(300));
}

TEST_F(SafeWriterTest, GivesUpAfterMaxAttempts) {
  for (int i = 0; i < 5; ++i)
    provider_.write_errors.push_back(Error(ErrorCode::kUnavailable, "503"));
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(provider_.writes, 5);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kFailed);
  EXPECT_EQ(sink_.audits[0].attempts, 5);
  EXPECT_NE(result.error().message.find("retries exhausted after 5 attempts"), std::string::npos)
      << result.error().message;
}

Error RateLimited(std::chrono::seconds retry_after) {
  Error error(ErrorCode::kResourceExhausted, "HTTP 429");
  error.retry_after = retry_after;
  return error;
}

TEST_F(SafeWriterTest, RetryWaitsTheLongerOfBackoffAndRetryAfter) {
  provider_.write_errors = {RateLimited(std::chrono::seconds(7)),
                            Error(ErrorCode::kUnavailable, "HTTP 503"),
                            RateLimited(std::chrono::seconds(0))};
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(provider_.writes, 4);
  // 7 s asked (backoff 100 ms), backoff 200 ms, 0 s asked (backoff 400 ms).
  EXPECT_EQ(clock_.Sleeps(), (std::vector<std::chrono::nanoseconds>{
                                 std::chrono::seconds(7), milliseconds(200), milliseconds(400)}));
}

TEST_F(SafeWriterTest, RetryAfterHoldsBackTheNextChangeToo) {
  provider_.write_errors = {RateLimited(std::chrono::seconds(10))};
  SafeWriterOptions once;
  once.retry.max_attempts = 1;
  auto writer = Writer(provider_, once);
  ASSERT_FALSE(writer.Replace(kZone, Login({"127.0.0.3"})));
  clock_.Advance(std::chrono::seconds(4));
  int reads = provider_.reads;
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  // Nothing was asked of the provider in the 6 s that were left.
  EXPECT_EQ(clock_.Sleeps(), (std::vector<std::chrono::nanoseconds>{std::chrono::seconds(6)}));
  EXPECT_EQ(provider_.reads, reads + 2);
}

TEST_F(SafeWriterTest, RetryAfterOverTheBudgetIsExhaustedWithoutCalling) {
  provider_.write_errors = {RateLimited(std::chrono::seconds(300))};
  auto writer = Writer(provider_);  // max_retry_after 60 s
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(result.error().message.find("retries exhausted"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("300 s"), std::string::npos) << result.error().message;
  EXPECT_EQ(provider_.writes, 1);
  EXPECT_TRUE(clock_.Sleeps().empty());
  EXPECT_EQ(sink_.audits.back().outcome, ChangeOutcome::kFailed);

  int reads = provider_.reads;
  ASSERT_FALSE(writer.Replace(kZone, Login({"127.0.0.3"})));
  EXPECT_EQ(provider_.reads, reads);  // calls while blocked would only prolong the block
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_TRUE(writer.Replace(kZone, Login({"127.0.0.3"})));
  EXPECT_EQ(provider_.writes, 2);
}

TEST_F(SafeWriterTest, WriteThatLandedDespiteAnErrorIsNotSentAgain) {
  provider_.errors_after_write = {Error(ErrorCode::kDeadlineExceeded, "timed out")};
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, ChangeOutcome::kApplied);
  EXPECT_EQ(provider_.writes, 1);
  EXPECT_EQ(sink_.audits[0].attempts, 1);
  EXPECT_EQ(result->after.records, std::vector<std::string>{"127.0.0.3"});
}

TEST_F(SafeWriterTest, WriteThatDidNotLandIsSentAgainAfterAReRead) {
  provider_.write_errors = {Error(ErrorCode::kDeadlineExceeded, "timed out")};
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(provider_.writes, 2);
  EXPECT_EQ(provider_.reads, 3);  // before, before the second write, after
  EXPECT_EQ(sink_.audits[0].attempts, 2);
}

TEST_F(SafeWriterTest, DoesNotRetryPermanentErrors) {
  provider_.write_errors = {Error(ErrorCode::kPermissionDenied, "HTTP 401")};
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(provider_.writes, 1);
  EXPECT_TRUE(clock_.Sleeps().empty());
}

TEST_F(SafeWriterTest, RefusesToLeaveANameWithoutAnswers) {
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(provider_.writes, 0);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kRefused);
}

// How much of the zone a change touches is not checked: steerd writes only the answer sets
// its validated policy declares. Replacing 1 record with 6 touches 7 of the zone's 20.
TEST_F(SafeWriterTest, AppliesAChangeTouchingAnyShareOfTheZone) {
  auto writer = Writer(provider_);
  auto applied = writer.Replace(
      kZone, Login({"127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"}));
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(provider_.writes, 1);
  EXPECT_EQ(sink_.audits.back().outcome, ChangeOutcome::kApplied);
}

TEST_F(SafeWriterTest, ReadBackMismatchIsAnError) {
  provider_.stale_reads = 100;  // the provider keeps answering the old data
  provider_.stale = Login({"127.0.0.2"});
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
  EXPECT_NE(result.error().message.find("read-back"), std::string::npos);
}

TEST_F(SafeWriterTest, EventuallyConsistentReadBackIsRetried) {
  provider_.stale_reads = 4;  // the read before and three read-backs are stale, then the truth
  provider_.stale = Login({"127.0.0.2"});
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(provider_.reads, 5);
}

TEST_F(SafeWriterTest, WaitsForAnAsyncChangeToBeInSync) {
  FakeAsyncProvider async;
  async.zones[kZone] = {Login({"127.0.0.2"})};
  async.pending_polls = 3;
  SafeWriterOptions options;
  options.insync_poll = milliseconds(2000);
  auto writer = Writer(async, options);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(async.status_calls, 4);
  EXPECT_EQ(clock_.Slept(), milliseconds(6000));
}

TEST_F(SafeWriterTest, AsyncChangeStuckPendingTimesOut) {
  FakeAsyncProvider async;
  async.zones[kZone] = {Login({"127.0.0.2"})};
  async.pending_polls = 1000;
  SafeWriterOptions options;
  options.insync_timeout = milliseconds(10000);
  options.insync_poll = milliseconds(1000);
  auto writer = Writer(async, options);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_LE(clock_.Slept(), milliseconds(10000));
}

// The fencing check runs before every write request, retries included, and a refusal
// writes nothing.
TEST_F(SafeWriterTest, FenceIsAskedBeforeEveryWriteAndRecordsTheToken) {
  provider_.write_errors = {Error(ErrorCode::kUnavailable, "HTTP 503")};
  auto writer = Writer(provider_);
  int asked = 0;
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}), [&]() -> Result<int64_t> {
    ++asked;
    return 42;
  });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(asked, 2);  // the first attempt and its retry
  ASSERT_EQ(sink_.audits.size(), 1u);
  EXPECT_EQ(sink_.audits[0].fencing_token, 42);
}

TEST_F(SafeWriterTest, RefusedFenceWritesNothing) {
  auto writer = Writer(provider_);
  auto result = writer.Replace(kZone, Login({"127.0.0.3"}), []() -> Result<int64_t> {
    return MakeError(ErrorCode::kFailedPrecondition, "fencing token 7 is stale");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(provider_.writes, 0);
  ASSERT_EQ(sink_.audits.size(), 1u);
  EXPECT_EQ(sink_.audits[0].outcome, ChangeOutcome::kRefused);
  EXPECT_EQ(sink_.audits[0].attempts, 0);
  EXPECT_EQ(sink_.audits[0].error, "fencing token 7 is stale");
}

TEST_F(SafeWriterTest, EveryRequestTakesARateLimitToken) {
  RateLimiter slow(2.0, 1.0, clock_);  // 500 ms per token after the first
  SafeWriter writer(provider_, slow, clock_, random_, &sink_);
  ASSERT_TRUE(writer.Replace(kZone, Login({"127.0.0.3"})));
  // list (read-before and guard), replace, read-back: 3 tokens, 2 of them waited for.
  EXPECT_EQ(clock_.Slept(), milliseconds(1000));
}

}  // namespace
}  // namespace steer::dns
