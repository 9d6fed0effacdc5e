// DNS probes against a small UDP responder written here: answers, SERVFAIL, NXDOMAIN, silence
// and truncation, plus the RD=0 promise.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "steer/probes/dns_query.h"
#include "testing/probe_test_util.h"

namespace steer::probes {
namespace {

enum class Mode { kAnswer, kServfail, kNxdomain, kSilent, kTruncated };

// Answers every query per `mode`; the answer is one A record 198.51.100.7 (TTL 60).
class UdpResponder {
 public:
  explicit UdpResponder(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~UdpResponder() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int queries() const { return queries_; }
  bool saw_recursion_desired() const { return saw_rd_; }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      unsigned char q[512];
      sockaddr_in from = {};
      socklen_t flen = sizeof from;
      ssize_t n = recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n < 12) continue;
      ++queries_;
      if ((q[2] & 0x01) != 0) saw_rd_ = true;
      if (mode_ == Mode::kSilent) continue;
      std::vector<unsigned char> r = Reply(q, static_cast<size_t>(n));
      sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
    }
  }

  std::vector<unsigned char> Reply(const unsigned char* q, size_t n) const {
    std::vector<unsigned char> r(q, q + n);  // id, question copied
    int rcode = mode_ == Mode::kServfail ? 2 : mode_ == Mode::kNxdomain ? 3 : 0;
    r[2] = static_cast<unsigned char>(0x84 | (mode_ == Mode::kTruncated ? 0x02 : 0));  // QR AA
    r[3] = static_cast<unsigned char>(rcode);
    r[6] = 0;
    r[7] = 0;
    r[8] = r[9] = r[10] = r[11] = 0;
    if (mode_ == Mode::kAnswer) {
      r[7] = 1;
      r.insert(r.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 7});
    }
    return r;
  }

  Mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::atomic<bool> saw_rd_{false};
  std::thread thread_;
};

class DnsFault : public testing::FdLeakTest {};

Target Dns(const std::string& server, int timeout_ms = 1000) {
  Target t = testing::AddressTarget(config::ProbeType::kDns, server, timeout_ms);
  t.probe.query_name = "www.example.test";
  t.probe.query_type = "A";
  return t;
}

TEST_F(DnsFault, AnswerMatchesWithoutRecursion) {
  UdpResponder dns(Mode::kAnswer);
  Target t = Dns(dns.address());
  t.probe.dns_expect.answers = {"198.51.100.7"};
  auto obs = ProbeOnce(t);
  EXPECT_TRUE(obs.ok) << obs.message;
  EXPECT_EQ(obs.dns_rcode, 0);
  EXPECT_EQ(dns.queries(), 1);
  EXPECT_FALSE(dns.saw_recursion_desired());
}

TEST_F(DnsFault, MissingAnswerIsDnsAnswer) {
  UdpResponder dns(Mode::kAnswer);
  Target t = Dns(dns.address());
  t.probe.dns_expect.answers = {"198.51.100.8"};
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kDnsAnswer);
}

TEST_F(DnsFault, ServfailIsDnsRcodeWithoutRetryElsewhere) {
  UdpResponder dns(Mode::kServfail);
  auto obs = ProbeOnce(Dns(dns.address()));
  EXPECT_EQ(obs.error, ErrorClass::kDnsRcode) << obs.message;
  EXPECT_EQ(obs.dns_rcode, 2);
  EXPECT_EQ(dns.queries(), 1);
}

TEST_F(DnsFault, NxdomainFailsUnlessExpected) {
  UdpResponder dns(Mode::kNxdomain);
  Target t = Dns(dns.address());
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kDnsRcode);
  t.probe.dns_expect.rcode = "NXDOMAIN";
  EXPECT_TRUE(ProbeOnce(t).ok);
}

TEST_F(DnsFault, SilentServerIsTimeout) {
  UdpResponder dns(Mode::kSilent);
  auto obs = ProbeOnce(Dns(dns.address(), 300));
  EXPECT_EQ(obs.error, ErrorClass::kTimeout) << obs.message;
  EXPECT_LT(obs.phases.total, std::chrono::milliseconds(1500));
}

TEST_F(DnsFault, TruncatedAnswerWithoutTcpIsDns) {
  // c-ares retries a truncated answer over TCP; nothing listens there, so the query fails.
  UdpResponder dns(Mode::kTruncated);
  auto obs = ProbeOnce(Dns(dns.address()));
  EXPECT_EQ(obs.error, ErrorClass::kDns) << obs.message;
}

TEST_F(DnsFault, QueryDnsServerReturnsRcodeAndAnswers) {
  UdpResponder dns(Mode::kAnswer);
  DnsResult r = QueryDnsServer(dns.address(), "www.example.test", 1, std::chrono::seconds(1));
  ASSERT_EQ(r.error, ErrorClass::kNone) << r.message;
  EXPECT_TRUE(r.response.authoritative);
  ASSERT_EQ(r.response.answers.size(), 1u);
  EXPECT_EQ(r.response.answers[0].data, "198.51.100.7");
  EXPECT_EQ(r.response.answers[0].ttl, 60u);
}

TEST_F(DnsFault, BadConfigurationIsInternal) {
  Target t = Dns("dns.example.test:53");  // the server must be an IP address
  EXPECT_EQ(ProbeOnce(t).error, ErrorClass::kInternal);
  Target u = Dns("127.0.0.1:53");
  u.probe.query_type = "BOGUS";
  EXPECT_EQ(ProbeOnce(u).error, ErrorClass::kInternal);
}

}  // namespace
}  // namespace steer::probes
