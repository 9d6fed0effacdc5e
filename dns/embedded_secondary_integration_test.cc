// A real BIND 9 secondary of the embedded server's zone on loopback: TSIG-signed NOTIFY and
// zone transfers. After a change made the way the agent makes it (Provider::Replace), BIND
// must answer the new record, having fetched only the change (IXFR from its serial); a transfer
// without the key is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "steer/dns/embedded_provider.h"
#include "steer/dns/propagation.h"
#include "steer/testsupport/dig.h"
#include "steer/testsupport/log_capture.h"
#include "steer/testsupport/named_server.h"
#include "steer/testsupport/pdns_server.h"  // RandomSecret
#include "steer/testsupport/process.h"
#include "test_zone.h"

namespace steer::dns {
namespace {

using namespace std::chrono_literals;
using testsupport::NamedOptions;
using testsupport::NamedServer;

using testsupport::RunCommand;

// The records `port` answers for login.example.test. A (empty on any error).
std::vector<std::string> Login(uint16_t port) {
  LdnsQuerier querier;
  auto answer = querier.Query({"127.0.0.1", port, ""}, "login.example.test.", "A", 1000ms);
  if (!answer || !answer->rrset) return {};
  return answer->rrset->records;
}

class EmbeddedSecondaryTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("example.test.zone",
               "$TTL 30\n$ORIGIN example.test.\n"
               "@ IN SOA ns1 hostmaster 1 60 60 600 30\n@ IN NS ns1\nns1 IN A 127.0.0.1\n"
               "login IN A 127.0.0.2\n");
    uint16_t named_port = testsupport::FreePort();
    EmbeddedOptions o;
    o.name = "embedded:edge";
    o.origin = kZone;
    o.zone_file = dir_.File("example.test.zone");
    o.listen = {"127.0.0.1:0"};
    o.secondaries = {"127.0.0.1:" + std::to_string(named_port)};
    o.transfer.allow = {"127.0.0.0/8"};
    o.transfer.key_name = "steer-key";
    o.transfer.key_secret = secret_;
    auto provider = EmbeddedProvider::Start(o);
    ASSERT_TRUE(provider) << provider.error().message;
    provider_ = std::move(*provider);
    NamedOptions n;
    n.port = named_port;
    n.primary_port = provider_->Ports().at(0);
    n.primary_tsig = true;
    n.tsig_secret = secret_;
    named_ = std::make_unique<NamedServer>(n);
  }

  std::string Dig(const std::string& args) {
    return testsupport::Dig(provider_->Ports().at(0), args, /*time_s=*/2);
  }

  testsupport::TempDir dir_{"steer-embedded-secondary"};
  std::string secret_ = testsupport::RandomSecret();
  std::unique_ptr<EmbeddedProvider> provider_;
  std::unique_ptr<NamedServer> named_;
};

TEST_F(EmbeddedSecondaryTest, BindFollowsEveryChangeAndTransfersNeedTheKey) {
  testsupport::LogCapture log({"dns"});
  // The secondary loads the zone at start (AXFR, or IXFR answered with the whole zone).
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Login(named_->port()) == std::vector<std::string>{"127.0.0.2"}; }, 20000ms))
      << named_->Log();

  // No timed assertion: the time is printed (issue 16's goal is < 100 ms). BIND delays a
  // NOTIFY that arrives while it is still handling the previous one by about 450 ms, so each
  // change is made with BIND idle, as failovers are: after the startup NOTIFY, which BIND was
  // not up to receive and so gets again on the notifier's first retry (1 s), is answered.
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return log.Text().find("answered after") != std::string::npos; }, 20000ms))
      << log.Text();
  for (const char* address : {"127.0.0.3", "127.0.0.4", "127.0.0.5"}) {
    std::this_thread::sleep_for(1s);
    auto start = std::chrono::steady_clock::now();
    auto receipt = provider_->Replace(kZone, RRset{"login.example.test.", "A", 30, {address}});
    ASSERT_TRUE(receipt) << receipt.error().message;
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() - start < 20s) {
      seen = Login(named_->port()) == std::vector<std::string>{address};
      if (!seen) std::this_thread::sleep_for(1ms);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(seen) << named_->Log();
    std::printf("change to %s: the BIND secondary answered it after %lld ms (serial %s)\n", address,
                static_cast<long long>(ms.count()), receipt->change_id.c_str());
  }

  // BIND asks IXFR with the serial it holds; each change was sent as the step since then.
  for (const char* step : {"(changes since", "to 127.0.0.1"}) {
    EXPECT_NE(log.Text().find(step), std::string::npos) << step << "\n" << log.Text();
  }

  std::string keyless = Dig("example.test AXFR");
  EXPECT_NE(keyless.find("Transfer failed"), std::string::npos) << keyless;
  std::string wrong = Dig(
      "-y hmac-sha256:steer-key:b3RoZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE= example.test AXFR");
  EXPECT_EQ(wrong.find("127.0.0.5"), std::string::npos) << wrong;
  std::string keyed = Dig("-y hmac-sha256:steer-key:" + secret_ + " example.test AXFR");
  EXPECT_NE(keyed.find("127.0.0.5"), std::string::npos) << keyed;
}

}  // namespace
}  // namespace steer::dns
