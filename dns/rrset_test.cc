#include "steer/dns/rrset.h"

#include <gtest/gtest.h>

namespace steer::dns {
namespace {

TEST(RRsetTest, NormalizedCanonicalizesNameTypeAndRecords) {
  RRset r{"Login.Example.TEST", "a", 30, {"127.0.0.3", "127.0.0.2", "127.0.0.3"}};
  RRset n = r.Normalized();
  EXPECT_EQ(n.name, "login.example.test.");
  EXPECT_EQ(n.type, "A");
  EXPECT_EQ(n.records, (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
}

TEST(RRsetTest, NormalizesAddressesAndNamesInData) {
  EXPECT_EQ((RRset{"x.", "AAAA", 1, {"2001:DB8:0:0::1"}}.Normalized().records[0]), "2001:db8::1");
  EXPECT_EQ((RRset{"x.", "CNAME", 1, {"Target.Example"}}.Normalized().records[0]),
            "target.example.");
  EXPECT_EQ((RRset{"x.", "MX", 1, {"10  Mail.Example."}}.Normalized().records[0]),
            "10 mail.example.");
  EXPECT_EQ((RRset{"x.", "TXT", 1, {"\"Keep Case\""}}.Normalized().records[0]), "\"Keep Case\"");
}

TEST(RRsetTest, SameRRsetIgnoresOrderButNotTtl) {
  RRset a{"a.example.", "A", 30, {"127.0.0.2", "127.0.0.3"}};
  RRset b{"A.example", "A", 30, {"127.0.0.3", "127.0.0.2"}};
  EXPECT_TRUE(SameRRset(a, b));
  b.ttl = 60;
  EXPECT_FALSE(SameRRset(a, b));
  EXPECT_TRUE(SameRecords(a, b));
  b.records.pop_back();
  EXPECT_FALSE(SameRecords(a, b));
}

TEST(RRsetTest, ValidateRefusesEmptyAndMalformed) {
  EXPECT_TRUE(Validate(RRset{"a.example.", "A", 30, {"127.0.0.2"}}));
  auto empty = Validate(RRset{"a.example.", "A", 30, {}});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no records"), std::string::npos);
  EXPECT_FALSE(Validate(RRset{"a.example.", "A", 30, {"300.1.1.1"}}));
  EXPECT_FALSE(Validate(RRset{"a.example.", "AAAA", 30, {"127.0.0.1"}}));
  EXPECT_FALSE(Validate(RRset{"a..example.", "A", 30, {"127.0.0.1"}}));
  EXPECT_FALSE(Validate(RRset{"a.example.", "A", -1, {"127.0.0.1"}}));
  EXPECT_FALSE(Validate(RRset{"a.example.", "CNAME", 30, {"b.example.", "c.example."}}));
}

TEST(RRsetTest, ToStringShowsEverything) {
  EXPECT_EQ(ToString(RRset{"a.example.", "A", 30, {"127.0.0.2", "127.0.0.3"}}),
            "a.example. 30 A 127.0.0.2,127.0.0.3");
}

}  // namespace
}  // namespace steer::dns
