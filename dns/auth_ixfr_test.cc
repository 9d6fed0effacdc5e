// Incremental zone transfers (auth_ixfr.h, RFC 1995): the history a successor snapshot keeps,
// its bounds, and the IXFR answers RespondSlow builds from it, read back with ldns.
#include "auth_ixfr.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "auth_transfer.h"
#include "auth_zone.h"
#include "dns_exchange.h"
#include "dns_wire.h"
#include "tsig_test_keys.h"

namespace steer::dns::auth {
namespace {

std::vector<RRset> Records(const std::string& login, int txt_ttl, bool extra) {
  std::vector<RRset> z = {
      {"example.test.",
       "SOA",
       300,
       {"ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60"}},
      {"example.test.", "NS", 300, {"ns1.example.test."}},
      {"ns1.example.test.", "A", 300, {"127.0.0.1"}},
      {"login.example.test.", "A", 30, {"127.0.0.9", login}},
      {"note.example.test.", "TXT", txt_ttl, {"\"x\""}},
  };
  if (extra) z.push_back({"new.example.test.", "AAAA", 30, {"2001:db8::1"}});
  return z;
}

std::shared_ptr<const TransferPolicy> Policy() {
  auto policy = std::make_shared<TransferPolicy>();
  policy->allow = {*Network::Parse("127.0.0.0/8")};
  policy->key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
  return policy;
}

std::shared_ptr<const Zone> Build(const std::vector<RRset>& rrsets, uint32_t serial,
                                  const Zone* previous) {
  auto zone = BuildZone("example.test.", rrsets, serial, Policy(), previous);
  EXPECT_TRUE(zone) << zone.error().message;
  return *zone;
}

// "owner TYPE rdata" of each record, sorted: the diff's order is not part of its meaning.
std::vector<std::string> Text(const std::vector<WireRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) {
    out.push_back(
        wire::NameToText(reinterpret_cast<const uint8_t*>(r.owner.data()), r.owner.size()) + " " +
        std::to_string(r.type) + " " + std::to_string(r.ttl));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ZoneHistoryTest, AStepHoldsExactlyTheRecordsThatChanged) {
  auto v1 = Build(Records("127.0.0.2", 30, false), 100, nullptr);
  EXPECT_EQ(v1->history, nullptr);
  // login: .2 replaced by .3 (.9 stays); note: TTL 30 -> 60; new.example.test. added.
  auto v2 = Build(Records("127.0.0.3", 60, true), 101, v1.get());
  ASSERT_NE(v2->history, nullptr);
  ASSERT_EQ(v2->history->steps.size(), 1u);
  const ZoneStep& step = *v2->history->steps[0];
  EXPECT_EQ(step.from, 100u);
  EXPECT_EQ(step.to, 101u);
  EXPECT_EQ(Text(step.removed),
            (std::vector<std::string>{"login.example.test. 1 30", "note.example.test. 16 30"}));
  EXPECT_EQ(Text(step.added),
            (std::vector<std::string>{"login.example.test. 1 30", "new.example.test. 28 30",
                                      "note.example.test. 16 60"}));
  EXPECT_EQ(v2->history->records, 5u);
  // The removed login record is .2, the added one .3.
  for (const auto& r : step.removed) {
    if (r.type == wire::kTypeA) {
      EXPECT_EQ(r.rdata, std::string("\x7f\x00\x00\x02", 4));
    }
  }
  // Back again: a second step; both reachable from the first serial.
  auto v3 = Build(Records("127.0.0.2", 30, false), 102, v2.get());
  EXPECT_EQ(StepsSince(*v3, 100).size(), 2u);
  EXPECT_EQ(StepsSince(*v3, 101).size(), 1u);
  EXPECT_TRUE(StepsSince(*v3, 102).empty());
  EXPECT_TRUE(StepsSince(*v3, 99).empty());
}

TEST(ZoneHistoryTest, KeepsTheNewestStepsWithinItsBounds) {
  auto zone = Build(Records("127.0.0.2", 30, false), 1000, nullptr);
  for (uint32_t i = 1; i <= kMaxSteps + 10; ++i) {
    zone = Build(Records("127.0.1." + std::to_string(i % 250), 30, false), 1000 + i, zone.get());
  }
  ASSERT_NE(zone->history, nullptr);
  EXPECT_EQ(zone->history->steps.size(), kMaxSteps);
  EXPECT_EQ(zone->history->records, 2 * kMaxSteps);
  EXPECT_TRUE(StepsSince(*zone, 1000 + 9).empty());  // dropped
  EXPECT_EQ(StepsSince(*zone, 1000 + 10).size(), kMaxSteps);
  // A step larger than the record bound leaves no history: the whole zone is no larger.
  auto big = Records("127.0.0.2", 30, false);
  big.push_back({"big.example.test.", "TXT", 30, {}});
  for (size_t i = 0; i <= kMaxRecords; ++i) big.back().records.push_back(std::to_string(i));
  auto after = Build(big, 5000, zone.get());
  EXPECT_EQ(after->history, nullptr);
}

// An IXFR for the zone from `serial`, signed; the answer records' types and owners in order.
std::vector<std::string> Ixfr(const ZoneSet& zones, uint32_t serial, size_t* messages) {
  auto q = internal::MakeQuery("example.test.", "IXFR");
  EXPECT_TRUE(q);
  ldns_rr* client_soa = nullptr;
  std::string text = "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. " +
                     std::to_string(serial) + " 3600 600 86400 60";
  EXPECT_EQ(ldns_rr_new_frm_str(&client_soa, text.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK);
  ldns_pkt_push_rr(q->get(), LDNS_SECTION_AUTHORITY, client_soa);
  tsig::Key key = tsig::Normalize("steer-xfr", "hmac-sha256", kSecret);
  EXPECT_TRUE(tsig::Sign(q->get(), key, nullptr));
  auto query = *internal::ToWire(q->get());
  RespondOptions options;
  options.tcp = true;
  auto msgs = RespondSlow(zones, query.data(), query.size(), {*ParseIp("127.0.0.1"), "test"},
                          options, static_cast<uint64_t>(time(nullptr)));
  *messages = msgs.size();
  std::vector<std::string> out;
  for (const auto& m : msgs) {
    auto pkt = internal::FromWire(m);
    EXPECT_TRUE(pkt);
    EXPECT_EQ(ldns_pkt_get_rcode(pkt->get()), LDNS_RCODE_NOERROR);
    ldns_rr_list* an = ldns_pkt_answer(pkt->get());
    for (size_t i = 0; i < ldns_rr_list_rr_count(an); ++i) {
      ldns_rr* rr = ldns_rr_list_rr(an, i);
      const bool soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
      out.push_back((soa ? "SOA " : "") + internal::RdataText(rr));
    }
  }
  return out;
}

// The SOA serials and record data of an answer, as "SOA <serial>" or the record's data.
std::vector<std::string> Shape(const std::vector<std::string>& answer) {
  std::vector<std::string> out;
  for (const auto& a : answer) {
    if (a.rfind("SOA ", 0) == 0) {
      // "SOA ns1.example.test. hostmaster.example.test. SERIAL ..."
      size_t second = a.find(' ', a.find(' ', 4) + 1);
      out.push_back("SOA " + a.substr(second + 1, a.find(' ', second + 1) - second - 1));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

TEST(IxfrAnswerTest, SendsTheStepsSinceTheClientsSerialOrTheWholeZone) {
  auto v1 = Build(Records("127.0.0.2", 30, false), 100, nullptr);
  auto v2 = Build(Records("127.0.0.3", 30, false), 101, v1.get());
  auto v3 = Build(Records("127.0.0.3", 30, true), 102, v2.get());
  ZoneSet zones;
  zones.zones[v3->apex] = v3;
  size_t messages = 0;
  EXPECT_EQ(Shape(Ixfr(zones, 100, &messages)),
            (std::vector<std::string>{"SOA 102", "SOA 100", "127.0.0.2", "SOA 101", "127.0.0.3",
                                      "SOA 101", "SOA 102", "2001:db8::1", "SOA 102"}));
  EXPECT_EQ(messages, 1u);
  EXPECT_EQ(Shape(Ixfr(zones, 101, &messages)),
            (std::vector<std::string>{"SOA 102", "SOA 101", "SOA 102", "2001:db8::1", "SOA 102"}));
  // Up to date: the SOA alone.
  EXPECT_EQ(Shape(Ixfr(zones, 102, &messages)), (std::vector<std::string>{"SOA 102"}));
  // Unknown serial: the whole zone, SOA first and last (AXFR form).
  auto whole = Shape(Ixfr(zones, 42, &messages));
  ASSERT_EQ(whole.size(), 2u + 1 + 1 + 2 + 1 + 1);  // SOA x2, NS, ns1 A, login A x2, TXT, AAAA
  EXPECT_EQ(whole.front(), "SOA 102");
  EXPECT_EQ(whole.back(), "SOA 102");
}

}  // namespace
}  // namespace steer::dns::auth
