// Provider faults (issue 18): a real PowerDNS behind FaultProxy, written through the path
// steerd uses (PowerDnsProvider over libcurl, SafeWriter with the system clock, retried like
// DnsApplier retries a failed change). For each fault: the change converges once the fault
// clears, without a second write that reached PowerDNS; Retry-After is honoured (no request
// before it expires); exhaustion is an error and a failed audit; a write answered 204 that did
// not take effect is caught by the read-back; and PowerDNS's own state (read directly, not
// through the proxy, every few ms throughout) never holds an empty or partial RRset.
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <set>
#include <thread>

#include "fault_proxy.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/dns/powerdns_provider.h"
#include "steer/dns/safe_writer.h"
#include "steer/testsupport/pdns_server.h"

namespace steer::fault {
namespace {

using dns::ChangeAudit;
using dns::ChangeOutcome;
using dns::RRset;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kZone = "example.test.";
constexpr const char* kName = "login.example.test.";
const std::vector<std::string> kOld = {"127.0.0.2", "127.0.0.3"};
const std::vector<std::string> kNew = {"127.0.0.4", "127.0.0.5"};

ProxyFault Status(int status, std::string retry_after = "") {
  ProxyFault fault;
  fault.kind = FaultKind::kStatus;
  fault.status = status;
  fault.retry_after = std::move(retry_after);
  return fault;
}

ProxyFault Of(FaultKind kind, milliseconds delay = milliseconds(0)) {
  ProxyFault fault;
  fault.kind = kind;
  fault.delay = delay;
  return fault;
}

class Audits : public dns::AuditSink {
 public:
  Result<void> RecordIntent(const ChangeAudit&) override { return {}; }
  void Record(const ChangeAudit& a) override {
    std::lock_guard<std::mutex> lock(mu);
    audits.push_back(a);
  }
  std::mutex mu;
  std::vector<ChangeAudit> audits;
};

class ProviderFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pdns_ = std::make_unique<testsupport::PdnsServer>();
    pdns_->CreateZone(kZone, {"ns1.example.test."},
                      {{"ns1.example.test.", "A", 30, {"127.0.0.1"}}, {kName, "A", 30, kOld}});
    auto proxy = FaultProxy::Start(pdns_->api_url());
    ASSERT_TRUE(proxy) << proxy.error().message;
    proxy_ = std::move(*proxy);
    auto http = std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient());
    provider_ = std::make_unique<dns::PowerDnsProvider>(
        dns::PowerDnsOptions{"powerdns:faults", proxy_->url(), "localhost", pdns_->api_key(),
                             kClientTimeout},
        http);
    direct_ = std::make_unique<dns::PowerDnsProvider>(
        dns::PowerDnsOptions{"powerdns:direct", pdns_->api_url(), "localhost", pdns_->api_key(),
                             milliseconds(2000)},
        http);
    dns::SafeWriterOptions options;
    options.retry = dns::RetryOptions{5, milliseconds(50), milliseconds(400)};
    options.max_retry_after = milliseconds(5000);
    writer_ =
        std::make_unique<dns::SafeWriter>(*provider_, limiter_, clock_, random_, &audits_, options);
    watcher_ = std::thread([this] { Watch(); });
  }

  void TearDown() override {
    stop_ = true;
    if (watcher_.joinable()) watcher_.join();
    // PowerDNS's own state was only ever the old or the new RRset, in full.
    std::lock_guard<std::mutex> lock(seen_mu_);
    EXPECT_GT(watched_, 0);
    for (const auto& records : seen_) {
      EXPECT_TRUE(records == kOld || records == kNew)
          << "PowerDNS held "
          << (records.empty() ? "nothing" : dns::ToString(RRset{kName, "A", 30, records}));
    }
  }

  // PowerDNS's state of the name, read past the proxy.
  std::vector<std::string> Held() {
    auto read = direct_->Read(kZone, kName, "A");
    if (!read) return {"(read failed: " + read.error().message + ")"};
    return *read ? (*read)->records : std::vector<std::string>{};
  }

  void Watch() {
    while (!stop_) {
      std::vector<std::string> held = Held();
      {
        std::lock_guard<std::mutex> lock(seen_mu_);
        seen_.insert(held);
        ++watched_;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

  // DnsApplier's loop: a failed change is tried again after a pause until it lands. Returns
  // the errors of the failed tries.
  std::vector<Error> Converge(int tries = 4) {
    std::vector<Error> errors;
    for (int i = 0; i < tries; ++i) {
      auto result = writer_->Replace(kZone, RRset{kName, "A", 30, kNew});
      if (result) return errors;
      errors.push_back(result.error());
      std::this_thread::sleep_for(milliseconds(200));
    }
    ADD_FAILURE() << "did not converge: " << errors.back().message;
    return errors;
  }

  // No request arrived at the proxy before a Retry-After it answered had expired.
  void ExpectRetryAfterHonoured(milliseconds retry_after) {
    std::vector<ProxyLogEntry> log = proxy_->Log();
    int checked = 0;
    for (size_t i = 0; i < log.size(); ++i) {
      if (log[i].fault != FaultKind::kStatus || log[i].upstream_status != 0) continue;
      if (i + 1 == log.size()) continue;
      ++checked;
      auto gap = log[i + 1].arrived - log[i].answered;
      EXPECT_GE(gap, retry_after) << "request " << i + 1 << " came "
                                  << std::chrono::duration_cast<milliseconds>(gap).count()
                                  << " ms after a 429 asking for " << retry_after.count() << " ms";
    }
    EXPECT_GT(checked, 0);
  }

  static constexpr milliseconds kClientTimeout{2000};  // generous: a loaded CI host
  std::unique_ptr<testsupport::PdnsServer> pdns_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<dns::PowerDnsProvider> provider_;
  std::unique_ptr<dns::PowerDnsProvider> direct_;
  base::SystemClock clock_;
  base::SystemRandom random_;
  dns::RateLimiter limiter_{100.0, 100.0, clock_};
  Audits audits_;
  std::unique_ptr<dns::SafeWriter> writer_;
  std::thread watcher_;
  std::atomic<bool> stop_{false};
  std::mutex seen_mu_;
  std::set<std::vector<std::string>> seen_;
  int watched_ = 0;
};

TEST_F(ProviderFaultsTest, RateLimitStormHonoursRetryAfter) {
  proxy_->Script("PATCH", {Status(429, "1"), Status(429, "1")});
  proxy_->Script("GET", {Status(429, "1")});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);  // one write reached PowerDNS
  ExpectRetryAfterHonoured(milliseconds(1000));
}

TEST_F(ProviderFaultsTest, RetryAfterAsAnHttpDateIsHonoured) {
  // Two seconds from now, to the second: a wait of more than one second.
  std::time_t at = std::time(nullptr) + 2;
  char date[64];
  std::tm tm;
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&at, &tm));
  proxy_->Script("PATCH", {Status(503, date)});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  ExpectRetryAfterHonoured(milliseconds(900));  // the date's second may have begun already
}

TEST_F(ProviderFaultsTest, RetryAfterPastTheBudgetIsReportedAsExhausted) {
  proxy_->Script("PATCH", {Status(429, "120")});
  auto result = writer_->Replace(kZone, RRset{kName, "A", 30, kNew});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(result.error().message.find("retries exhausted"), std::string::npos)
      << result.error().message;
  ASSERT_FALSE(audits_.audits.empty());
  EXPECT_EQ(audits_.audits.back().outcome, ChangeOutcome::kFailed);
  EXPECT_EQ(audits_.audits.back().error, result.error().message);
  // While blocked, a change fails at once and sends nothing.
  size_t requests = proxy_->Log().size();
  ASSERT_FALSE(writer_->Replace(kZone, RRset{kName, "A", 30, kNew}));
  EXPECT_EQ(proxy_->Log().size(), requests);
  EXPECT_EQ(Held(), kOld);
  EXPECT_EQ(proxy_->Count("PATCH", true), 0);
}

TEST_F(ProviderFaultsTest, ServerErrorsThenConverges) {
  proxy_->Script("PATCH", {Status(500), Status(502)});
  proxy_->Script("GET", {Status(503)});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);
}

TEST_F(ProviderFaultsTest, PersistentServerErrorsAreExhaustedThenConverge) {
  std::vector<ProxyFault> storm(5, Status(503));
  proxy_->Script("PATCH", storm);
  std::vector<Error> errors = Converge();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kUnavailable);
  EXPECT_NE(errors[0].message.find("retries exhausted after 5 attempts"), std::string::npos)
      << errors[0].message;
  EXPECT_EQ(audits_.audits.front().outcome, ChangeOutcome::kFailed);
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);
}

TEST_F(ProviderFaultsTest, ResetBeforeTheWriteIsRetried) {
  proxy_->Script("PATCH", {Of(FaultKind::kReset)});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", false), 2);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);
}

TEST_F(ProviderFaultsTest, ResetAfterTheWriteLandedIsNotWrittenAgain) {
  proxy_->Script("PATCH", {Of(FaultKind::kResetAfter)});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", false), 1);  // the re-read saw it in place
  EXPECT_EQ(audits_.audits.back().outcome, ChangeOutcome::kApplied);
}

TEST_F(ProviderFaultsTest, TimeoutOfAWriteThatLandedIsNotWrittenAgain) {
  proxy_->Script("PATCH", {Of(FaultKind::kLateAnswer, kClientTimeout + milliseconds(1000))});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", false), 1);
}

TEST_F(ProviderFaultsTest, SlowAnswersWithinTheTimeoutAreWaitedFor) {
  proxy_->Script("GET", {Of(FaultKind::kSlow, milliseconds(400))});
  proxy_->Script("PATCH", {Of(FaultKind::kSlow, milliseconds(400))});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", false), 1);
}

TEST_F(ProviderFaultsTest, GarbageJsonIsRetried) {
  proxy_->Script("GET", {Of(FaultKind::kGarbage), Of(FaultKind::kGarbage)});
  EXPECT_TRUE(Converge(1).empty());
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);
}

TEST_F(ProviderFaultsTest, WriteAcceptedButNotAppliedIsCaughtByTheReadBack) {
  proxy_->Script("PATCH", {Of(FaultKind::kSwallow)});
  std::vector<Error> errors = Converge();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kInternal);
  EXPECT_NE(errors[0].message.find("read-back"), std::string::npos) << errors[0].message;
  EXPECT_EQ(Held(), kNew);
  EXPECT_EQ(proxy_->Count("PATCH", false), 2);
  EXPECT_EQ(proxy_->Count("PATCH", true), 1);
}

}  // namespace
}  // namespace steer::fault
