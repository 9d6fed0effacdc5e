#include "steer/dns/embedded_provider.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "dns_exchange.h"
#include "steer/dns/factory.h"

namespace steer::dns {
namespace {

constexpr const char* kZone =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@ IN SOA ns1 hostmaster 1000 3600 600 86400 60\n"
    "@ IN NS ns1\n"
    "ns1 IN A 127.0.0.1\n"
    "login 30 IN A 127.0.0.2\n";

class EmbeddedProviderTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-embedded-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/example.test.zone";
    WriteZone(kZone);
    clock_.SetUnixSeconds(500);  // below the file's serial: the file's serial wins at start
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  void WriteZone(const std::string& text) { std::ofstream(path_) << text; }

  EmbeddedOptions Options(const std::string& listen = "127.0.0.1:0") {
    EmbeddedOptions o;
    o.name = "embedded:test";
    o.origin = "example.test.";
    o.zone_file = path_;
    o.listen = {listen};
    o.clock = &clock_;
    return o;
  }

  // The A records (or the rcode name) the server answers over UDP.
  static std::string Query(uint16_t port, const std::string& name, const std::string& type) {
    auto q = internal::MakeQuery(name, type);
    auto reply = internal::Exchange({"127.0.0.1", port, "test"}, *internal::ToWire(q->get()),
                                    std::chrono::milliseconds(2000));
    if (!reply) return reply.error().message;
    auto pkt = internal::FromWire(*reply);
    if (ldns_pkt_get_rcode(pkt->get()) != LDNS_RCODE_NOERROR) {
      return internal::RcodeName(ldns_pkt_get_rcode(pkt->get()));
    }
    auto rrset = internal::AnswerRRset(pkt->get(), name, type);
    return rrset ? ToString(*rrset) : "no answer";
  }

  std::string dir_, path_;
  base::FakeClock clock_;
};

TEST_F(EmbeddedProviderTest, ServesTheZoneFileAndAReplacementFromTheNextQuery) {
  auto p = EmbeddedProvider::Start(Options());
  ASSERT_TRUE(p) << p.error().message;
  uint16_t port = (*p)->Ports().at(0);
  EXPECT_EQ(Query(port, "login.example.test.", "A"), "login.example.test. 30 A 127.0.0.2");
  EXPECT_EQ((*p)->Serial(), 1000u);
  auto done = (*p)->Replace("example.test.", {"login.example.test.", "A", 20, {"127.0.0.7"}});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->change_id, "1001");
  EXPECT_EQ(Query(port, "LOGIN.example.test.", "A"), "login.example.test. 20 A 127.0.0.7");
  EXPECT_EQ((*p)->Serial(), 1001u);
  auto read = (*p)->Read("example.test.", "login.example.test.", "A");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->records, std::vector<std::string>{"127.0.0.7"});
  clock_.SetUnixSeconds(5000);  // time ahead of the serial: the serial jumps to it
  ASSERT_TRUE((*p)->Replace("example.test.", {"new.example.test.", "A", 20, {"127.0.0.8"}}));
  EXPECT_EQ((*p)->Serial(), 5000u);
  EXPECT_EQ(Query(port, "new.example.test.", "A"), "new.example.test. 20 A 127.0.0.8");
}

TEST_F(EmbeddedProviderTest, RefusedChangesChangeNothing) {
  auto p = EmbeddedProvider::Start(Options());
  ASSERT_TRUE(p);
  struct Case {
    RRset rrset;
    ErrorCode code;
  };
  for (const Case& c : {
           Case{{"example.test.", "SOA", 30, {"a.example.test. b.example.test. 1 2 3 4 5"}},
                ErrorCode::kFailedPrecondition},
           Case{{"example.test.", "NS", 30, {"ns9.example.test."}}, ErrorCode::kFailedPrecondition},
           Case{{"ns1.example.test.", "CNAME", 30, {"login.example.test."}},
                ErrorCode::kFailedPrecondition},
           Case{{"www.other.test.", "A", 30, {"127.0.0.9"}}, ErrorCode::kInvalidArgument},
           Case{{"*.example.test.", "A", 30, {"127.0.0.9"}}, ErrorCode::kInvalidArgument},
           Case{{"x.example.test.", "A", 30, {"not-an-address"}}, ErrorCode::kInvalidArgument},
       }) {
    auto r = (*p)->Replace("example.test.", c.rrset);
    ASSERT_FALSE(r) << ToString(c.rrset);
    EXPECT_EQ(r.error().code, c.code) << ToString(c.rrset) << ": " << r.error().message;
  }
  EXPECT_EQ((*p)->Serial(), 1000u);
  EXPECT_EQ(Query((*p)->Ports()[0], "ns1.example.test.", "A"), "ns1.example.test. 300 A 127.0.0.1");
  auto other = (*p)->Replace("other.test.", {"www.other.test.", "A", 30, {"127.0.0.9"}});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
}

TEST_F(EmbeddedProviderTest, ZoneFileErrorsNameFileAndLine) {
  WriteZone("$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nwww IN A 300.1.1.1\n");
  auto p = EmbeddedProvider::Start(Options());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find(path_ + ":3:"), std::string::npos) << p.error().message;
  WriteZone("$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n* IN A 127.0.0.1\n");
  auto wildcard = EmbeddedProvider::Start(Options());
  ASSERT_FALSE(wildcard);
  EXPECT_NE(wildcard.error().message.find("wildcard"), std::string::npos);
}

TEST_F(EmbeddedProviderTest, AReloadKeepsSocketsAndSteeredAnswersAndRereadsTheZoneFile) {
  auto first = EmbeddedProvider::Start(Options());
  ASSERT_TRUE(first);
  uint16_t port = (*first)->Ports()[0];
  ASSERT_TRUE((*first)->Replace("example.test.", {"login.example.test.", "A", 20, {"127.0.0.7"}}));
  WriteZone(std::string(kZone) + "extra IN TXT \"added\"\n");
  auto second = EmbeddedProvider::Start(Options());  // as a reload does, before the old stops
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)->Ports()[0], port);
  first->reset();
  EXPECT_EQ(Query(port, "login.example.test.", "A"), "login.example.test. 20 A 127.0.0.7");
  EXPECT_EQ(Query(port, "extra.example.test.", "TXT"), "extra.example.test. 300 TXT \"added\"");
  EXPECT_EQ((*second)->Serial(), 1002u);
  EmbeddedOptions other = Options();
  other.origin = "other.test.";
  auto clash = EmbeddedProvider::Start(other);
  ASSERT_FALSE(clash);
  EXPECT_NE(clash.error().message.find("already serve zone example.test."), std::string::npos);
}

TEST_F(EmbeddedProviderTest, WithoutServingItReadsTheRunningServerAndRefusesChanges) {
  auto server = EmbeddedProvider::Start(Options());
  ASSERT_TRUE(server);
  config::ProviderConfig pc;
  pc.name = "edge";
  pc.type = config::ProviderType::kEmbedded;
  pc.embedded.listen = {"127.0.0.1:" + std::to_string((*server)->Ports()[0])};
  pc.embedded.zone_file = path_;
  pc.embedded.origin = "example.test.";
  auto client = MakeProvider(pc, AllProviders(), ProviderDeps{});  // serve_dns false: steerctl
  ASSERT_TRUE(client) << client.error().message;
  auto read = (*client)->Read("example.test.", "login.example.test.", "A");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(*read);
  EXPECT_EQ((*read)->records, std::vector<std::string>{"127.0.0.2"});
  auto missing = (*client)->Read("example.test.", "nope.example.test.", "A");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  auto write = (*client)->Replace("example.test.", {"login.example.test.", "A", 20, {"127.0.0.7"}});
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kFailedPrecondition);
  server->reset();  // steerd stopped: the client says so
  auto down = (*client)->Read("example.test.", "login.example.test.", "A");
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("is steerd running?"), std::string::npos)
      << down.error().message;
}

}  // namespace
}  // namespace steer::dns
