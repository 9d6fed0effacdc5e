// NOTIFY to fake secondaries on loopback: UDP sockets on port 0 that check the NOTIFY's TSIG
// and answer, or stay silent, as each test says.
#include "auth_notify.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_exchange.h"
#include "tsig_test_keys.h"

namespace steer::dns::auth {
namespace {

using namespace std::chrono_literals;

class FakeSecondary {
 public:
  FakeSecondary() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeSecondary() { close(fd_); }
  uint16_t port() const { return port_; }

  // Waits up to `timeout` for a NOTIFY; checks it; answers it signed with `secret` unless
  // `silent`. Returns the SOA serial asked about (0: nothing came or it was not a NOTIFY).
  bool Receive(std::chrono::milliseconds timeout, bool silent, const char* secret = kSecret) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    std::vector<uint8_t> buf(65535);
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    ssize_t n =
        recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    buf.resize(static_cast<size_t>(n));
    auto pkt = internal::FromWire(buf);
    if (!pkt || ldns_pkt_get_opcode(pkt->get()) != LDNS_PACKET_NOTIFY) return false;
    tsig::Key key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
    EXPECT_TRUE(tsig::Verify(pkt->get(), buf, key, nullptr));
    EXPECT_TRUE(ldns_pkt_aa(pkt->get()));
    ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(pkt->get()), 0);
    EXPECT_EQ(ldns_rr_get_type(q), LDNS_RR_TYPE_SOA);
    ++received;
    if (silent) return true;
    internal::PktPtr reply(ldns_pkt_clone(pkt->get()));
    ldns_pkt_set_tsig(reply.get(), nullptr);
    ldns_pkt_set_qr(reply.get(), true);
    key.secret = secret;
    EXPECT_TRUE(tsig::Sign(reply.get(), key, tsig::MacOf(pkt->get())));
    auto wire = internal::ToWire(reply.get());
    sendto(fd_, wire->data(), wire->size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    return true;
  }

  int received = 0;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

NotifyOptions Options(std::vector<uint16_t> ports) {
  NotifyOptions o;
  o.origin = "example.test.";
  for (uint16_t p : ports) o.targets.push_back({"127.0.0.1", p});
  o.key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
  o.first_retry = 20ms;
  o.max_attempts = 4;
  return o;
}

TEST(NotifierTest, EverySecondaryIsNotifiedOnceWhenItAnswers) {
  FakeSecondary a, b;
  NotifyOptions o = Options({a.port(), b.port()});
  o.first_retry = 10s;  // no retry within the test, however slow the machine
  auto notifier = Notifier::Start(o);
  ASSERT_TRUE(notifier) << notifier.error().message;
  (*notifier)->Notify(100);
  EXPECT_TRUE(a.Receive(5s, false));
  EXPECT_TRUE(b.Receive(5s, false));
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  auto stats = (*notifier)->stats();
  EXPECT_EQ(stats.sent, 2u);
  EXPECT_EQ(stats.answered, 2u);
  EXPECT_FALSE(a.Receive(100ms, false)) << "no retry after an answer";
}

TEST(NotifierTest, RetriedWithBackoffUntilAnswered) {
  FakeSecondary a;
  auto notifier = Notifier::Start(Options({a.port()}));
  ASSERT_TRUE(notifier);
  (*notifier)->Notify(100);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(a.Receive(5s, true));
  EXPECT_TRUE(a.Receive(5s, true));
  EXPECT_TRUE(a.Receive(5s, false));
  // Retries after 20 ms, then 40 ms: at least 60 ms for the third.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 60ms);
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  EXPECT_EQ((*notifier)->stats().sent, 3u);
  EXPECT_EQ((*notifier)->stats().answered, 1u);
}

TEST(NotifierTest, ALateAnswerToAnEarlierTryCounts) {
  FakeSecondary a;
  NotifyOptions o = Options({a.port()});
  o.first_retry = 1ms;
  o.max_attempts = 50;
  auto notifier = Notifier::Start(o);
  ASSERT_TRUE(notifier);
  (*notifier)->Notify(100);
  EXPECT_TRUE(a.Receive(5s, false));  // several tries are sent before this answer arrives
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  EXPECT_EQ((*notifier)->stats().answered, 1u);
  EXPECT_EQ((*notifier)->stats().gave_up, 0u);
}

TEST(NotifierTest, GivesUpAfterMaxAttempts) {
  FakeSecondary a;
  auto notifier = Notifier::Start(Options({a.port()}));
  ASSERT_TRUE(notifier);
  (*notifier)->Notify(100);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(a.Receive(5s, true)) << i;
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  EXPECT_EQ((*notifier)->stats().gave_up, 1u);
  EXPECT_FALSE(a.Receive(200ms, true));
}

TEST(NotifierTest, AnAnswerNotSignedWithTheKeyDoesNotCount) {
  FakeSecondary a;
  auto notifier = Notifier::Start(Options({a.port()}));
  ASSERT_TRUE(notifier);
  (*notifier)->Notify(100);
  EXPECT_TRUE(a.Receive(5s, false, kOtherSecret));
  EXPECT_FALSE((*notifier)->WaitIdle(10ms)) << "a badly signed answer does not count";
  EXPECT_TRUE(a.Receive(5s, false));  // retried, then answered properly
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  EXPECT_EQ((*notifier)->stats().answered, 1u);
}

TEST(NotifierTest, NotifyReturnsAtOnceAndANewSerialReplacesTheOldOne) {
  FakeSecondary a;
  NotifyOptions o = Options({a.port()});
  o.first_retry = 10s;
  auto notifier = Notifier::Start(o);
  ASSERT_TRUE(notifier);
  (*notifier)->Notify(100);
  EXPECT_TRUE(a.Receive(5s, true));
  (*notifier)->Notify(101);  // sent at once, not after serial 100's retry interval
  EXPECT_TRUE(a.Receive(5s, false));
  EXPECT_TRUE((*notifier)->WaitIdle(5s));
  EXPECT_EQ((*notifier)->stats().answered, 1u);
  EXPECT_EQ((*notifier)->stats().gave_up, 0u);
}

TEST(NotifierTest, ATargetThatIsNotAnAddressIsAnError) {
  NotifyOptions o = Options({});
  o.targets.push_back({"ns1.example.test", 53});
  auto notifier = Notifier::Start(o);
  ASSERT_FALSE(notifier);
  EXPECT_NE(notifier.error().message.find("ns1.example.test:53"), std::string::npos);
}

}  // namespace
}  // namespace steer::dns::auth
