#include "dns_message.h"

#include <gtest/gtest.h>

#include <vector>

namespace steer::probes {
namespace {

// A response to "www.example.test A" with flags, one A and one CNAME (compressed names).
std::vector<unsigned char> Sample(unsigned flags_lo) {
  std::vector<unsigned char> m = {
      0x12, 0x34, 0x84, static_cast<unsigned char>(flags_lo), 0, 1, 0, 2, 0, 0, 0, 0};
  const unsigned char qname[] = {3,   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm',
                                 'p', 'l', 'e', 4,   't', 'e', 's', 't', 0};
  m.insert(m.end(), std::begin(qname), std::end(qname));
  m.insert(m.end(), {0, 1, 0, 1});
  m.insert(m.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 7});
  m.insert(m.end(), {0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 0, 0, 2, 0xC0, 16});
  return m;
}

TEST(DnsMessage, ParsesHeaderAndAnswers) {
  auto m = Sample(0x00);
  auto r = ParseDnsResponse(m.data(), m.size());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->rcode, 0);
  EXPECT_TRUE(r->authoritative);
  EXPECT_FALSE(r->truncated);
  ASSERT_EQ(r->answers.size(), 2u);
  EXPECT_EQ(r->answers[0].name, "www.example.test");
  EXPECT_EQ(r->answers[0].type, "A");
  EXPECT_EQ(r->answers[0].ttl, 60u);
  EXPECT_EQ(r->answers[0].data, "198.51.100.7");
  EXPECT_EQ(r->answers[1].type, "CNAME");
  EXPECT_EQ(r->answers[1].data, "example.test");
}

TEST(DnsMessage, RcodeAndTruncationFlags) {
  auto m = Sample(0x03);
  m[2] |= 0x02;  // TC
  auto r = ParseDnsResponse(m.data(), m.size());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rcode, 3);
  EXPECT_TRUE(r->truncated);
  EXPECT_STREQ(RcodeName(r->rcode), "NXDOMAIN");
}

TEST(DnsMessage, RejectsTruncatedInput) {
  auto m = Sample(0);
  for (size_t cut : {size_t{0}, size_t{11}, size_t{20}, m.size() - 1}) {
    EXPECT_FALSE(ParseDnsResponse(m.data(), cut).has_value()) << cut;
  }
}

TEST(DnsMessage, NamesAndTypes) {
  EXPECT_EQ(RcodeFromName("servfail"), 2);
  EXPECT_FALSE(RcodeFromName("bogus").has_value());
  EXPECT_EQ(QueryTypeFromName("aaaa"), 28);
  EXPECT_EQ(NormalizeDnsData("WWW.Example.TEST."), "www.example.test");
}

}  // namespace
}  // namespace steer::probes
