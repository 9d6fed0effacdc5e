#include "auth_zone.h"

#include <gtest/gtest.h>

#include "dns_exchange.h"

namespace steer::dns::auth {
namespace {

using internal::PktPtr;

std::vector<RRset> TestZone() {
  std::vector<RRset> z = {
      {"example.test.",
       "SOA",
       300,
       {"ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60"}},
      {"example.test.", "NS", 300, {"ns1.example.test."}},
      {"ns1.example.test.", "A", 300, {"127.0.0.1"}},
      {"login.example.test.", "A", 30, {"127.0.0.2"}},
      {"alias.example.test.", "CNAME", 30, {"login.example.test."}},
      {"loop.example.test.", "CNAME", 30, {"loop.example.test."}},
      {"out.example.test.", "CNAME", 30, {"www.other.test."}},
      {"a.b.c.example.test.", "TXT", 30, {"\"x\""}},
      {"big.example.test.", "A", 30, {}},
  };
  for (int i = 0; i < 50; ++i) z.back().records.push_back("127.0.1." + std::to_string(i));
  return z;
}

class RespondTest : public testing::Test {
 protected:
  void SetUp() override {
    auto zone = BuildZone("example.test.", TestZone(), 42);
    ASSERT_TRUE(zone) << zone.error().message;
    zones_.zones[(*zone)->apex] = *zone;
  }

  PktPtr Ask(const std::string& name, const std::string& type, int edns_size = 0, bool tcp = false,
             ldns_rr_class klass = LDNS_RR_CLASS_IN) {
    auto query = internal::MakeQuery(name, type);
    EXPECT_TRUE(query);
    ldns_rr_set_class(ldns_rr_list_rr(ldns_pkt_question(query->get()), 0), klass);
    if (edns_size > 0) ldns_pkt_set_edns_udp_size(query->get(), static_cast<uint16_t>(edns_size));
    auto wire = internal::ToWire(query->get());
    return Send(*wire, tcp);
  }

  PktPtr Send(const std::vector<uint8_t>& wire, bool tcp = false) {
    std::vector<uint8_t> out(65535);
    RespondOptions options;
    options.tcp = tcp;
    size_t n = Respond(zones_, wire.data(), wire.size(), out.data(), out.size(), options);
    if (n == 0) return nullptr;
    out.resize(n);
    auto pkt = internal::FromWire(out);
    EXPECT_TRUE(pkt) << pkt.error().message;
    return pkt ? std::move(*pkt) : nullptr;
  }

  static std::string Answer(const ldns_pkt* p, size_t i) {
    return internal::RdataText(ldns_rr_list_rr(ldns_pkt_answer(p), i));
  }

  ZoneSet zones_;
};

TEST_F(RespondTest, AuthoritativeAnswer) {
  auto r = Ask("login.example.test.", "A");
  ASSERT_TRUE(r);
  EXPECT_EQ(ldns_pkt_get_rcode(r.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(r.get()));
  EXPECT_TRUE(ldns_pkt_qr(r.get()));
  ASSERT_EQ(ldns_pkt_ancount(r.get()), 1);
  EXPECT_EQ(Answer(r.get(), 0), "127.0.0.2");
  EXPECT_EQ(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(r.get()), 0)), 30u);
}

TEST_F(RespondTest, NamesAreCaseInsensitiveAndTheQuestionKeepsItsCase) {
  // Built by hand: ldns lower-cases names it builds.
  std::vector<uint8_t> query = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const std::string name =
      "\x05"
      "LoGiN"
      "\x07"
      "ExAmPlE"
      "\x04"
      "TEST";
  query.insert(query.end(), name.begin(), name.end());
  query.insert(query.end(), {0, 0, 1, 0, 1});
  std::vector<uint8_t> out(512);
  size_t n = Respond(zones_, query.data(), query.size(), out.data(), out.size(), {});
  ASSERT_GT(n, query.size());
  EXPECT_EQ(std::string(out.begin() + 12, out.begin() + 12 + name.size()), name);
  out.resize(n);
  auto r = internal::FromWire(out);
  ASSERT_TRUE(r);
  ASSERT_EQ(ldns_pkt_ancount(r->get()), 1);
  EXPECT_EQ(Answer(r->get(), 0), "127.0.0.2");
}

struct Negative {
  const char* name;
  const char* type;
  ldns_pkt_rcode rcode;
};

TEST_F(RespondTest, NxDomainAndNoDataCarryTheSoa) {
  for (const Negative& c : {Negative{"nope.example.test.", "A", LDNS_RCODE_NXDOMAIN},
                            Negative{"x.login.example.test.", "A", LDNS_RCODE_NXDOMAIN},
                            Negative{"login.example.test.", "AAAA", LDNS_RCODE_NOERROR},
                            Negative{"c.example.test.", "A", LDNS_RCODE_NOERROR},  // ENT
                            Negative{"b.c.example.test.", "TXT", LDNS_RCODE_NOERROR}}) {
    auto r = Ask(c.name, c.type);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(ldns_pkt_get_rcode(r.get()), c.rcode) << c.name << " " << c.type;
    EXPECT_TRUE(ldns_pkt_aa(r.get()));
    EXPECT_EQ(ldns_pkt_ancount(r.get()), 0);
    ASSERT_EQ(ldns_pkt_nscount(r.get()), 1) << c.name;
    ldns_rr* soa = ldns_rr_list_rr(ldns_pkt_authority(r.get()), 0);
    EXPECT_EQ(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
    EXPECT_EQ(ldns_rr_ttl(soa), 60u);  // min(SOA TTL 300, MINIMUM 60)
    EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), 42u);
    char* owner = ldns_rdf2str(ldns_rr_owner(soa));
    EXPECT_STREQ(owner, "example.test.");
    free(owner);
  }
}

TEST_F(RespondTest, SoaCarriesTheSnapshotSerial) {
  auto r = Ask("example.test.", "SOA");
  ASSERT_TRUE(r);
  ASSERT_EQ(ldns_pkt_ancount(r.get()), 1);
  EXPECT_EQ(ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(r.get()), 0), 2)),
            42u);
}

TEST_F(RespondTest, CnameIsFollowedInsideTheZone) {
  auto r = Ask("alias.example.test.", "A");
  ASSERT_TRUE(r);
  ASSERT_EQ(ldns_pkt_ancount(r.get()), 2);
  EXPECT_EQ(Answer(r.get(), 0), "login.example.test.");
  EXPECT_EQ(Answer(r.get(), 1), "127.0.0.2");
  auto cname = Ask("alias.example.test.", "CNAME");
  ASSERT_EQ(ldns_pkt_ancount(cname.get()), 1);
  auto out = Ask("out.example.test.", "A");
  EXPECT_EQ(ldns_pkt_get_rcode(out.get()), LDNS_RCODE_NOERROR);
  ASSERT_EQ(ldns_pkt_ancount(out.get()), 1);
  EXPECT_EQ(Answer(out.get(), 0), "www.other.test.");
  auto loop = Ask("loop.example.test.", "A");  // a CNAME to itself ends after a bounded chain
  ASSERT_TRUE(loop);
  EXPECT_LE(ldns_pkt_ancount(loop.get()), 9);
}

TEST_F(RespondTest, RefusedOutsideTheZoneForOtherClassesAndZoneTransfers) {
  std::vector<PktPtr> replies;
  replies.push_back(Ask("www.other.test.", "A"));
  replies.push_back(Ask("test.", "SOA"));
  replies.push_back(Ask("login.example.test.", "A", 0, false, LDNS_RR_CLASS_CH));
  replies.push_back(Ask("example.test.", "AXFR", 0, true));
  for (const auto& r : replies) {
    ASSERT_TRUE(r);
    EXPECT_EQ(ldns_pkt_get_rcode(r.get()), LDNS_RCODE_REFUSED);
    EXPECT_FALSE(ldns_pkt_aa(r.get()));
  }
}

TEST_F(RespondTest, TruncatesOverUdpAndAnswersInFullOverTcp) {
  auto plain = Ask("big.example.test.", "A");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(ldns_pkt_tc(plain.get()));
  EXPECT_EQ(ldns_pkt_ancount(plain.get()), 0);
  EXPECT_FALSE(ldns_pkt_edns(plain.get()));
  auto edns = Ask("big.example.test.", "A", 4096);
  ASSERT_TRUE(edns);
  EXPECT_FALSE(ldns_pkt_tc(edns.get()));
  EXPECT_EQ(ldns_pkt_ancount(edns.get()), 50);
  EXPECT_EQ(ldns_pkt_edns_udp_size(edns.get()), 1232);
  auto small = Ask("big.example.test.", "A", 512);
  EXPECT_TRUE(ldns_pkt_tc(small.get()));
  EXPECT_TRUE(ldns_pkt_edns(small.get()));  // the OPT survives truncation
  auto tcp = Ask("big.example.test.", "A", 0, true);
  EXPECT_FALSE(ldns_pkt_tc(tcp.get()));
  EXPECT_EQ(ldns_pkt_ancount(tcp.get()), 50);
}

TEST_F(RespondTest, BadEdnsVersionGetsBadVers) {
  auto query = internal::MakeQuery("login.example.test.", "A");
  ldns_pkt_set_edns_udp_size(query->get(), 1232);
  ldns_pkt_set_edns_version(query->get(), 1);
  auto r = Send(*internal::ToWire(query->get()));
  ASSERT_TRUE(r);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(r.get()), 1);  // BADVERS = 16 = 1 << 4 | 0
  EXPECT_EQ(ldns_pkt_ancount(r.get()), 0);
}

TEST_F(RespondTest, MalformedQueriesGetFormErrWithTheirIdAndResponsesGetNothing) {
  std::vector<uint8_t> two_questions = {0xab, 0xcd, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  auto r = Send(two_questions);
  ASSERT_TRUE(r);
  EXPECT_EQ(ldns_pkt_id(r.get()), 0xabcd);
  EXPECT_EQ(ldns_pkt_get_rcode(r.get()), LDNS_RCODE_FORMERR);
  std::vector<uint8_t> response = {0xab, 0xcd, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  EXPECT_EQ(Send(response), nullptr);
  std::vector<uint8_t> notify = {0xab, 0xcd, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};
  auto n = Send(notify);
  EXPECT_EQ(ldns_pkt_get_rcode(n.get()), LDNS_RCODE_NOTIMPL);
}

struct BadZone {
  const char* what;
  RRset rrset;
  const char* message;
};

TEST(BuildZone, RefusesWhatItCannotServeCorrectly) {
  for (const BadZone& c : {
           BadZone{"outside", {"www.other.test.", "A", 30, {"127.0.0.1"}}, "not inside the zone"},
           BadZone{"wildcard", {"*.example.test.", "A", 30, {"127.0.0.1"}}, "wildcard"},
           BadZone{"delegation",
                   {"sub.example.test.", "NS", 30, {"ns.sub.example.test."}},
                   "delegations"},
           BadZone{"cname and data",
                   {"ns1.example.test.", "CNAME", 30, {"x.example.test."}},
                   "CNAME next to other data"},
           BadZone{"bad data", {"x.example.test.", "A", 30, {"not-an-address"}}, "cannot parse"},
           BadZone{"second soa",
                   {"x.example.test.", "SOA", 30, {"a.example.test. b.example.test. 1 2 3 4 5"}},
                   "exactly one SOA"},
       }) {
    std::vector<RRset> z = TestZone();
    z.push_back(c.rrset);
    auto zone = BuildZone("example.test.", z, 1);
    ASSERT_FALSE(zone) << c.what;
    EXPECT_NE(zone.error().message.find(c.message), std::string::npos)
        << c.what << ": " << zone.error().message;
  }
  std::vector<RRset> no_soa = {{"www.example.test.", "A", 30, {"127.0.0.1"}}};
  auto zone = BuildZone("example.test.", no_soa, 1);
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().message.find("no SOA"), std::string::npos);
}

TEST(ZoneStore, SwapsWholeSnapshots) {
  ZoneStore store;
  auto before = store.Load();
  EXPECT_TRUE(before->zones.empty());
  auto set = std::make_shared<ZoneSet>();
  set->zones["x"] = nullptr;
  store.Store(set);
  EXPECT_EQ(store.Load()->zones.size(), 1u);
  EXPECT_TRUE(before->zones.empty());  // a reader's snapshot never changes under it
}

}  // namespace
}  // namespace steer::dns::auth
