#include "dns_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace steer::dns::wire {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Header(uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar) {
  return {0x12,
          0x34,
          static_cast<uint8_t>(flags >> 8),
          static_cast<uint8_t>(flags),
          0,
          static_cast<uint8_t>(qd),
          0,
          static_cast<uint8_t>(an),
          0,
          static_cast<uint8_t>(ns),
          0,
          static_cast<uint8_t>(ar)};
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kWww = {3,   'W', 'w', 'W', 7,   'e', 'x', 'a', 'm',
                    'p', 'l', 'e', 4,   't', 'e', 's', 't', 0};
const Bytes kTypeClassA = {0, 1, 0, 1};
// OPT: root, type 41, payload 4096, ext-rcode 0, version 0, DO, RDLENGTH 0.
const Bytes kOpt = {0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0};

Bytes Opt(uint8_t version, Bytes rdata, uint16_t rdlen) {
  Bytes opt = {0,
               0,
               41,
               0x04,
               0xd0,
               0,
               version,
               0,
               0,
               static_cast<uint8_t>(rdlen >> 8),
               static_cast<uint8_t>(rdlen)};
  return Cat({opt, rdata});
}

TEST(ParseQuery, PlainQuery) {
  Bytes pkt = Cat({Header(0x0100, 1, 0, 0, 0), kWww, kTypeClassA});
  Query q;
  ASSERT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
  EXPECT_EQ(q.id, 0x1234);
  EXPECT_TRUE(q.rd);
  EXPECT_EQ(q.qtype, kTypeA);
  EXPECT_EQ(q.qclass, kClassIn);
  EXPECT_FALSE(q.edns);
  EXPECT_EQ(q.udp_size, 512);
  EXPECT_EQ(NameToText(q.qname, q.qname_len), "WwW.example.test.");
  EXPECT_EQ(NameToText(q.lname, q.qname_len), "www.example.test.");
}

// RFC 1995 3: an IXFR carries the client's SOA in the authority section.
const Bytes kIxfr = {0, 251, 0, 1};
const Bytes kSoaRr = {0xC0, 12, 0, 6, 0, 1, 0, 0, 0, 30, 0, 22, 0, 0, 0, 0, 0,
                      0,    0,  1, 0, 0, 0, 0, 0, 0, 0,  0, 0,  0, 0, 0, 0, 0};
// A TSIG record (type 250) in the additional section, RDATA not interpreted here.
const Bytes kTsigRr = {1, 'k', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 2, 0, 0};

TEST(ParseQuery, IxfrWithTheClientsSoaAndTsigRecords) {
  Bytes pkt = Cat({Header(0, 1, 0, 1, 1), kWww, kIxfr, kSoaRr, kTsigRr});
  Query q;
  ASSERT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
  EXPECT_EQ(q.qtype, kTypeIxfr);
  EXPECT_TRUE(q.tsig);
  EXPECT_TRUE(q.has_client_serial);
  EXPECT_EQ(q.client_serial, 0u);
  Bytes plain = Cat({Header(0, 1, 0, 0, 0), kWww, kTypeClassA});
  ASSERT_EQ(ParseQuery(plain.data(), plain.size(), q), ParseStatus::kOk);
  EXPECT_FALSE(q.tsig);
  EXPECT_FALSE(q.has_client_serial);
}

TEST(ParseQuery, IxfrSerialBehindCompressedNames) {
  // MNAME and RNAME both point at the question's name, as a compressing client writes them.
  Bytes soa = {0xC0, 12, 0,    6,  0,    1,  0,    0,    0,    30,
               0,    24, 0xC0, 12, 0xC0, 12, 0x77, 0x35, 0x94, 0x01};
  soa.resize(soa.size() + 16);
  Bytes pkt = Cat({Header(0, 1, 0, 1, 0), kWww, kIxfr, soa});
  Query q;
  ASSERT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
  ASSERT_TRUE(q.has_client_serial);
  EXPECT_EQ(q.client_serial, 2000000001u);
  // SOA RDATA one byte short of its five fields: malformed.
  Bytes short_soa = Cat(
      {Bytes(soa.begin(), soa.begin() + 11), Bytes{23}, Bytes(soa.begin() + 12, soa.end() - 1)});
  Bytes bad = Cat({Header(0, 1, 0, 1, 0), kWww, kIxfr, short_soa});
  EXPECT_EQ(ParseQuery(bad.data(), bad.size(), q), ParseStatus::kFormErr);
  // Another type in authority: parsed, no serial (the client gets the whole zone).
  Bytes a_rr = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 1};
  Bytes other = Cat({Header(0, 1, 0, 1, 0), kWww, kIxfr, a_rr});
  ASSERT_EQ(ParseQuery(other.data(), other.size(), q), ParseStatus::kOk);
  EXPECT_FALSE(q.has_client_serial);
}

TEST(ParseQuery, Edns) {
  Bytes pkt = Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, kOpt});
  Query q;
  ASSERT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
  EXPECT_TRUE(q.edns);
  EXPECT_TRUE(q.do_bit);
  EXPECT_EQ(q.udp_size, 4096);
}

TEST(ParseQuery, SmallEdnsPayloadCountsAs512) {
  Bytes opt = {0, 0, 41, 0x00, 0x10, 0, 0, 0, 0, 0, 0};
  Bytes pkt = Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, opt});
  Query q;
  ASSERT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
  EXPECT_EQ(q.udp_size, 512);
}

TEST(ParseQuery, EdnsOptionsThatTileTheRdata) {
  Bytes cookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  Bytes pkt = Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, Opt(0, cookie, 12)});
  Query q;
  EXPECT_EQ(ParseQuery(pkt.data(), pkt.size(), q), ParseStatus::kOk);
}

struct BadCase {
  const char* what;
  Bytes pkt;
  ParseStatus want;
};

class ParseQueryBad : public testing::TestWithParam<BadCase> {};

TEST_P(ParseQueryBad, RefusedWithoutReadingPastThePacket) {
  const BadCase& c = GetParam();
  // A heap copy of exactly the packet's size: ASan reports any read past it.
  std::unique_ptr<uint8_t[]> exact(new uint8_t[c.pkt.size() + (c.pkt.empty() ? 1 : 0)]);
  std::copy(c.pkt.begin(), c.pkt.end(), exact.get());
  Query q;
  EXPECT_EQ(ParseQuery(exact.get(), c.pkt.size(), q), c.want) << c.what;
}

// A name of 128 one-byte labels: 257 bytes on the wire, over the 255 limit.
Bytes LongName() {
  Bytes n;
  for (int i = 0; i < 128; ++i) n.insert(n.end(), {1, 'a'});
  n.push_back(0);
  return n;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseQueryBad,
    testing::Values(
        BadCase{"empty", {}, ParseStatus::kDrop},
        BadCase{"short header", {0x12, 0x34, 0, 0, 0, 1}, ParseStatus::kDrop},
        BadCase{"a response", Cat({Header(0x8000, 1, 0, 0, 0), kWww, kTypeClassA}),
                ParseStatus::kDrop},
        BadCase{"NOTIFY opcode", Cat({Header(0x2000, 1, 0, 0, 0), kWww, kTypeClassA}),
                ParseStatus::kNotImp},
        BadCase{"no question", Header(0, 0, 0, 0, 0), ParseStatus::kFormErr},
        BadCase{"two questions", Cat({Header(0, 2, 0, 0, 0), kWww, kTypeClassA}),
                ParseStatus::kFormErr},
        BadCase{"answer count in a query", Cat({Header(0, 1, 1, 0, 0), kWww, kTypeClassA}),
                ParseStatus::kFormErr},
        BadCase{"authority count in a query", Cat({Header(0, 1, 0, 1, 0), kWww, kTypeClassA}),
                ParseStatus::kFormErr},
        BadCase{"an A query with a SOA in authority",
                Cat({Header(0, 1, 0, 1, 0), kWww, kTypeClassA, kSoaRr}), ParseStatus::kFormErr},
        BadCase{"an IXFR with two authority records",
                Cat({Header(0, 1, 0, 2, 0), kWww, kIxfr, kSoaRr, kSoaRr}), ParseStatus::kFormErr},
        BadCase{"an IXFR whose SOA overruns the packet",
                Cat({Header(0, 1, 0, 1, 0), kWww, kIxfr, Bytes(kSoaRr.begin(), kSoaRr.end() - 3)}),
                ParseStatus::kFormErr},
        BadCase{"additional count beyond the packet",
                Cat({Header(0, 1, 0, 0, 3), kWww, kTypeClassA, kOpt}), ParseStatus::kFormErr},
        BadCase{"question name cut", Cat({Header(0, 1, 0, 0, 0), {3, 'w', 'w'}}),
                ParseStatus::kFormErr},
        BadCase{"name without its root label", Cat({Header(0, 1, 0, 0, 0), {3, 'w', 'w', 'w'}}),
                ParseStatus::kFormErr},
        BadCase{"type and class cut", Cat({Header(0, 1, 0, 0, 0), kWww, {0, 1, 0}}),
                ParseStatus::kFormErr},
        BadCase{"pointer to itself", Cat({Header(0, 1, 0, 0, 0), {0xC0, 12}, kTypeClassA}),
                ParseStatus::kFormErr},
        BadCase{"pointer forwards", Cat({Header(0, 1, 0, 0, 0), {0xC0, 20}, kTypeClassA, kWww}),
                ParseStatus::kFormErr},
        BadCase{"compression loop in the additional section",
                Cat({Header(0, 1, 0, 0, 1),
                     kWww,
                     kTypeClassA,
                     {1, 'a', 0xC0, 34, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0}}),
                ParseStatus::kFormErr},
        BadCase{"pointer cut after one byte", Cat({Header(0, 1, 0, 0, 0), {0xC0}}),
                ParseStatus::kFormErr},
        BadCase{"extended label type 0x40",
                Cat({Header(0, 1, 0, 0, 0), {0x41, 'a', 0}, kTypeClassA}), ParseStatus::kFormErr},
        BadCase{"name over 255 bytes", Cat({Header(0, 1, 0, 0, 0), LongName(), kTypeClassA}),
                ParseStatus::kFormErr},
        BadCase{"trailing garbage", Cat({Header(0, 1, 0, 0, 0), kWww, kTypeClassA, {0}}),
                ParseStatus::kFormErr},
        BadCase{"two OPT records", Cat({Header(0, 1, 0, 0, 2), kWww, kTypeClassA, kOpt, kOpt}),
                ParseStatus::kFormErr},
        BadCase{"OPT not at the root",
                Cat({Header(0, 1, 0, 0, 1),
                     kWww,
                     kTypeClassA,
                     {1, 'a', 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0}}),
                ParseStatus::kFormErr},
        BadCase{"OPT RDLENGTH beyond the packet",
                Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, Opt(0, {0, 10, 0, 2}, 0xFFFF)}),
                ParseStatus::kFormErr},
        BadCase{"EDNS option longer than the OPT RDATA",
                Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, Opt(0, {0, 10, 0xFF, 0xF0, 1}, 5)}),
                ParseStatus::kFormErr},
        BadCase{"EDNS option header cut",
                Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, Opt(0, {0, 10, 0}, 3)}),
                ParseStatus::kFormErr},
        BadCase{"OPT fixed part cut",
                Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, {0, 0, 41, 4}}),
                ParseStatus::kFormErr},
        BadCase{"EDNS version 1", Cat({Header(0, 1, 0, 0, 1), kWww, kTypeClassA, Opt(1, {}, 0)}),
                ParseStatus::kBadVers}));

TEST(ReadName, FollowsBackwardPointers) {
  Bytes pkt = Cat({Header(0, 1, 0, 0, 0), kWww, {3, 'f', 't', 'p', 0xC0, 16}});
  size_t pos = 12 + kWww.size();
  uint8_t out[kMaxName];
  size_t n = 0;
  ASSERT_TRUE(ReadName(pkt.data(), pkt.size(), &pos, out, &n));
  EXPECT_EQ(NameToText(out, n), "ftp.example.test.");
  EXPECT_EQ(pos, pkt.size());
}

TEST(ReadName, PointerChainThatLoopsThroughTwoNamesIsRefused) {
  // name A at 12 points to name B at 16, which points back to A: B's pointer is not before B.
  Bytes pkt = Cat({Header(0, 0, 0, 0, 0), {1, 'a', 0xC0, 16, 1, 'b', 0xC0, 12}});
  size_t pos = 12;
  uint8_t out[kMaxName];
  size_t n = 0;
  EXPECT_FALSE(ReadName(pkt.data(), pkt.size(), &pos, out, &n));
}

TEST(NameText, RoundTripAndErrors) {
  std::string w;
  ASSERT_TRUE(NameFromText("WWW.Example.test", &w));
  EXPECT_EQ(NameToText(reinterpret_cast<const uint8_t*>(w.data()), w.size()), "www.example.test.");
  ASSERT_TRUE(NameFromText(".", &w));
  EXPECT_EQ(w, std::string(1, '\0'));
  EXPECT_FALSE(NameFromText("a..b.", &w));
  EXPECT_FALSE(NameFromText(std::string(64, 'a') + ".test.", &w));
}

TEST(Writer, RefusesWhatDoesNotFitAndStaysFailed) {
  uint8_t buf[5];
  Writer w(buf, sizeof buf);
  EXPECT_TRUE(w.Put32(0x01020304));
  EXPECT_FALSE(w.Put16(7));
  EXPECT_FALSE(w.Put8(7));  // would fit, but the writer has already failed
  EXPECT_EQ(w.size(), 4u);
  w.Truncate(0);
  EXPECT_TRUE(w.Put8(1));
}

}  // namespace
}  // namespace steer::dns::wire
