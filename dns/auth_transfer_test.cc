// Zone transfers and TSIG-signed queries (auth_transfer.h), table-driven, without sockets:
// queries built and signed by ldns, replies checked and verified by ldns.
#include "auth_transfer.h"

#include <gtest/gtest.h>

#include "dns_exchange.h"
#include "steer/testsupport/log_capture.h"
#include "tsig_test_keys.h"

namespace steer::dns::auth {
namespace {

using internal::PktPtr;

constexpr uint64_t kNow = 1800000000;

std::vector<RRset> TransferZone() {
  std::vector<RRset> z = {
      {"example.test.",
       "SOA",
       300,
       {"ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60"}},
      {"example.test.", "NS", 300, {"ns1.example.test."}},
      {"ns1.example.test.", "A", 300, {"127.0.0.1"}},
      {"login.example.test.", "A", 30, {"127.0.0.2"}},
      {"a.b.example.test.", "TXT", 30, {"\"x\""}},
      {"big.example.test.", "A", 30, {}},
  };
  for (int i = 0; i < 200; ++i) z.back().records.push_back("127.0.1." + std::to_string(i));
  // 28 A records: 483 bytes unsigned, within 512; over it once signed.
  z.push_back({"mid.example.test.", "A", 30, {}});
  for (int i = 0; i < 28; ++i) z.back().records.push_back("127.0.2." + std::to_string(i));
  return z;
}
constexpr int kRecords = 2 + 1 + 1 + 1 + 1 + 200 + 28;  // SOA twice, NS, A, A, TXT, 200 A, 28 A

enum class Sig { kNone, kGood, kWrongSecret, kUnknownKey, kSha512, kSkewed };

struct Case {
  const char* name;
  const char* type;  // AXFR, IXFR, SOA, A (of mid.example.test.: 28 records)
  bool tcp;
  const char* source;
  Sig sig;
  int rcode;                // expected
  uint16_t tsig_error = 0;  // expected in the reply's TSIG
  int answers = -1;         // expected answer RRs over all messages; -1: do not check
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class TransferTest : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    auto policy = std::make_shared<TransferPolicy>();
    policy->allow = {*Network::Parse("127.0.0.0/8"), *Network::Parse("2001:db8::/32")};
    policy->key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
    policy->max_message = 1500;  // several messages for 200+ records
    auto zone = BuildZone("example.test.", TransferZone(), 42, policy);
    ASSERT_TRUE(zone) << zone.error().message;
    zones_.zones[(*zone)->apex] = *zone;
  }

  // Builds the query, signs it as `sig` says; returns the wire and the request's MAC.
  std::vector<uint8_t> Query(const Case& c, internal::RdfPtr* mac) {
    std::string name = std::string(c.type) == "A" ? "mid.example.test." : "EXAMPLE.test.";
    if (std::string(c.name) == "BelowTheApexIsNotAZone") name = "login.example.test.";
    auto q = internal::MakeQuery(name, c.type);
    EXPECT_TRUE(q);
    tsig::Key key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
    if (c.sig == Sig::kWrongSecret) key.secret = kOtherSecret;
    if (c.sig == Sig::kUnknownKey) key.name = "other-key.";
    if (c.sig == Sig::kSha512) key.algorithm = "hmac-sha512.";
    if (c.sig != Sig::kNone) {
      EXPECT_TRUE(tsig::Sign(q->get(), key, nullptr));
      mac->reset(ldns_rdf_clone(tsig::MacOf(q->get())));
    }
    return *internal::ToWire(q->get());
  }

  ZoneSet zones_;
};

TEST_P(TransferTest, AnswersAsSpecified) {
  const Case& c = GetParam();
  internal::RdfPtr request_mac;
  auto query = Query(c, &request_mac);
  Peer peer{*ParseIp(c.source), c.source};
  RespondOptions options;
  options.tcp = c.tcp;
  uint64_t now = c.sig == Sig::kSkewed ? kNow + 301 : kNow;
  // ldns signs with the real clock: the server's clock is set to the signing time.
  uint64_t signed_at = static_cast<uint64_t>(time(nullptr));
  auto msgs =
      RespondSlow(zones_, query.data(), query.size(), peer, options, now - kNow + signed_at);
  ASSERT_FALSE(msgs.empty());
  ASSERT_TRUE(c.tcp || msgs.size() == 1);
  tsig::Key key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
  internal::RdfPtr prior(request_mac ? ldns_rdf_clone(request_mac.get()) : nullptr);
  int answers = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    auto pkt = internal::FromWire(msgs[i]);
    ASSERT_TRUE(pkt) << pkt.error().message;
    EXPECT_EQ(ldns_pkt_get_rcode(pkt->get()), c.rcode) << "message " << i;
    EXPECT_EQ(tsig::ErrorOf(pkt->get()), c.tsig_error);
    bool expect_signed = c.sig == Sig::kGood;
    EXPECT_EQ(tsig::MacOf(pkt->get()) != nullptr && ldns_rdf_size(tsig::MacOf(pkt->get())) > 2,
              expect_signed);
    if (expect_signed) {
      EXPECT_TRUE(tsig::Verify(pkt->get(), msgs[i], key, prior.get(), i > 0)) << "message " << i;
      prior.reset(ldns_rdf_clone(tsig::MacOf(pkt->get())));
    }
    bool udp_a = !c.tcp && std::string(c.type) == "A";
    EXPECT_EQ(ldns_pkt_tc(pkt->get()), udp_a) << "TC";
    EXPECT_LE(msgs[i].size(), c.tcp ? 65535u : 512u);
    ldns_rr_list* an = ldns_pkt_answer(pkt->get());
    if (c.answers > 1 && std::string(c.type) != "A" && ldns_rr_list_rr_count(an) > 0) {
      if (i == 0) {
        EXPECT_EQ(ldns_rr_get_type(ldns_rr_list_rr(an, 0)), LDNS_RR_TYPE_SOA);
      }
      if (i + 1 == msgs.size()) {
        EXPECT_EQ(ldns_rr_get_type(ldns_rr_list_rr(an, ldns_rr_list_rr_count(an) - 1)),
                  LDNS_RR_TYPE_SOA);
      }
    }
    answers += static_cast<int>(ldns_rr_list_rr_count(an));
  }
  if (c.answers >= 0) {
    EXPECT_EQ(answers, c.answers);
  }
  if (c.answers == kRecords) {
    EXPECT_GT(msgs.size(), 1u) << "max_message splits the zone";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TransferTest,
    testing::Values(
        Case{"AxfrSignedAllowed", "AXFR", true, "127.0.0.1", Sig::kGood, 0, 0, kRecords},
        Case{"AxfrSignedAllowedV6", "AXFR", true, "2001:db8::5", Sig::kGood, 0, 0, kRecords},
        Case{"IxfrOverTcpIsTheFullZone", "IXFR", true, "127.0.0.1", Sig::kGood, 0, 0, kRecords},
        Case{"IxfrOverUdpIsTheSoa", "IXFR", false, "127.0.0.1", Sig::kGood, 0, 0, 1},
        Case{"AxfrOverUdpIsFormErr", "AXFR", false, "127.0.0.1", Sig::kGood, 1, 0, 0},
        Case{"BelowTheApexIsNotAZone", "AXFR", true, "127.0.0.1", Sig::kGood, 5, 0, 0},
        Case{"SourceOutsideAllow", "AXFR", true, "192.0.2.1", Sig::kGood, 5, 0, 0},
        Case{"SourceOutsideAllowV6", "AXFR", true, "2001:db9::1", Sig::kGood, 5, 0, 0},
        Case{"Unsigned", "AXFR", true, "127.0.0.1", Sig::kNone, 5, 0, 0},
        Case{"WrongSecret", "AXFR", true, "127.0.0.1", Sig::kWrongSecret, 9, 16, 0},
        Case{"UnknownKey", "AXFR", true, "127.0.0.1", Sig::kUnknownKey, 9, 17, 0},
        Case{"OtherAlgorithm", "AXFR", true, "127.0.0.1", Sig::kSha512, 9, 17, 0},
        Case{"ClockSkew", "AXFR", true, "127.0.0.1", Sig::kSkewed, 9, 18, 0},
        Case{"SignedQueryIsSignedAnswer", "SOA", false, "192.0.2.1", Sig::kGood, 0, 0, 1},
        Case{"BadlySignedQuery", "SOA", false, "192.0.2.1", Sig::kWrongSecret, 9, 16, 0},
        Case{"SignedAnswerTooBigForUdpIsTruncated", "A", false, "192.0.2.1", Sig::kGood, 0, 0, 0},
        Case{"SignedAnswerOverTcp", "A", true, "192.0.2.1", Sig::kGood, 0, 0, 28}),
    [](const testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

TEST(TransferPolicyTest, NoPolicyRefusesEveryTransfer) {
  auto zone = BuildZone("example.test.", TransferZone(), 42);
  ZoneSet zones;
  zones.zones[(*zone)->apex] = *zone;
  auto q = internal::MakeQuery("example.test.", "AXFR");
  auto wire = *internal::ToWire(q->get());
  RespondOptions options;
  options.tcp = true;
  auto msgs =
      RespondSlow(zones, wire.data(), wire.size(), {*ParseIp("127.0.0.1"), "lo"}, options, kNow);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0][3] & 0xF, 5);
}

TEST(TransferPolicyTest, RespondHandsOverTransfersAndSignedQueriesOnly) {
  auto zone = BuildZone("example.test.", TransferZone(), 42);
  ZoneSet zones;
  zones.zones[(*zone)->apex] = *zone;
  std::vector<uint8_t> out(65535);
  for (const char* type : {"AXFR", "IXFR", "A"}) {
    auto q = internal::MakeQuery("login.example.test.", type);
    auto wire = *internal::ToWire(q->get());
    bool handed_over = false;
    RespondOptions options{true, 1232, &handed_over};
    size_t n = Respond(zones, wire.data(), wire.size(), out.data(), out.size(), options);
    EXPECT_EQ(handed_over, std::string(type) != "A") << type;
    EXPECT_EQ(n == 0, handed_over) << type;
  }
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(TransferPolicyTest, AFloodOfRefusalsIsLoggedTwentyTimesAMinuteThenCounted) {
  auto zone = BuildZone("example.test.", TransferZone(), 42);
  ZoneSet zones;
  zones.zones[(*zone)->apex] = *zone;
  auto q = internal::MakeQuery("example.test.", "AXFR");
  auto wire = *internal::ToWire(q->get());
  RespondOptions options;
  options.tcp = true;
  Peer peer{*ParseIp("192.0.2.1"), "192.0.2.1:5353"};
  testsupport::LogCapture log({"dns"});
  uint64_t minute = kNow / 60 * 60 + 6000;  // a window no other test used
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(RespondSlow(zones, wire.data(), wire.size(), peer, options, minute + 30).size(), 1u);
  }
  EXPECT_EQ(Count(log.Text(), "from 192.0.2.1:5353 refused"), 20u) << log.Text();
  RespondSlow(zones, wire.data(), wire.size(), peer, options, minute + 60);
  EXPECT_NE(log.Text().find("80 more refusals in the last minute"), std::string::npos);
  EXPECT_EQ(Count(log.Text(), "from 192.0.2.1:5353 refused"), 21u);
}

TEST(NetworkTest, ParsesAndMatches) {
  struct {
    const char* network;
    const char* address;
    bool contains;
  } cases[] = {
      {"10.0.0.0/8", "10.1.2.3", true},          {"10.0.0.0/8", "11.0.0.1", false},
      {"192.0.2.7", "192.0.2.7", true},          {"192.0.2.7", "192.0.2.8", false},
      {"0.0.0.0/0", "203.0.113.9", true},        {"0.0.0.0/0", "2001:db8::1", false},
      {"2001:db8::/32", "2001:db8:1::1", true},  {"::/0", "127.0.0.1", true},
      {"127.0.0.0/8", "::ffff:127.0.0.1", true},
  };
  for (const auto& c : cases) {
    auto n = Network::Parse(c.network);
    ASSERT_TRUE(n) << c.network;
    EXPECT_EQ(n->Contains(*ParseIp(c.address)), c.contains) << c.network << " " << c.address;
  }
  for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0/8", "x", "",
                          "10.0.0.0/8x", "10.0.0.0/-1"}) {
    EXPECT_FALSE(Network::Parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace steer::dns::auth
