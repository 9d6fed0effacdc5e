#include "steer/dns/embedded_provider.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "dns_exchange.h"
#include "steer/base/secret.h"
#include "steer/dns/factory.h"
#include "tsig.h"

namespace steer::dns {
namespace {

constexpr const char* kZoneFile =
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
    WriteZone(kZoneFile);
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
  WriteZone(std::string(kZoneFile) + "extra IN TXT \"added\"\n");
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

const char* kXfrSecret = "c3RlZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=";
const char* kOtherSecret = "b3RoZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=";

// A UDP socket on loopback that stands for a secondary: receives NOTIFYs, never answers.
class NotifySink {
 public:
  NotifySink() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~NotifySink() { close(fd_); }
  std::string Address() const { return "127.0.0.1:" + std::to_string(port_); }
  // True when a NOTIFY signed with `secret` arrives within 5 s.
  bool NextNotify(const char* secret) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return false;
    std::vector<uint8_t> buf(65535);
    buf.resize(static_cast<size_t>(recv(fd_, buf.data(), buf.size(), 0)));
    auto pkt = internal::FromWire(buf);
    return pkt && ldns_pkt_get_opcode(pkt->get()) == LDNS_PACKET_NOTIFY &&
           tsig::Verify(pkt->get(), buf, tsig::Normalize("steer-xfr", "hmac-sha256", secret),
                        nullptr);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The rcode of a SOA query signed with `secret`, "unverified" when the answer's TSIG does not
// verify with it.
std::string SignedSoa(uint16_t port, const char* secret) {
  auto q = internal::MakeQuery("example.test.", "SOA");
  tsig::Key key = tsig::Normalize("steer-xfr", "hmac-sha256", secret);
  EXPECT_TRUE(tsig::Sign(q->get(), key, nullptr));
  auto reply = internal::Exchange({"127.0.0.1", port, "test"}, *internal::ToWire(q->get()),
                                  std::chrono::milliseconds(2000));
  if (!reply) return reply.error().message;
  auto pkt = internal::FromWire(*reply);
  std::string rcode = internal::RcodeName(ldns_pkt_get_rcode(pkt->get()));
  if (rcode != "NOERROR") return rcode;
  return tsig::Verify(pkt->get(), *reply, key, tsig::MacOf(q->get())) ? rcode : "unverified";
}

TEST_F(EmbeddedProviderTest, FromThePolicyItNotifiesSecondariesAndSignsWithTheTransferKey) {
  NotifySink sink;
  setenv("STEER_TEST_XFR_SECRET", kXfrSecret, 1);
  config::ProviderConfig pc;
  pc.name = "edge";
  pc.type = config::ProviderType::kEmbedded;
  pc.embedded.listen = {"127.0.0.1:0"};
  pc.embedded.zone_file = path_;
  pc.embedded.origin = "example.test.";
  pc.embedded.secondaries = {sink.Address()};
  pc.embedded.transfer.allow = {"127.0.0.0/8"};
  pc.embedded.transfer.tsig_key_name = "steer-xfr";
  pc.embedded.transfer.tsig_secret = *base::ParseSecretRef("env:STEER_TEST_XFR_SECRET");
  auto provider = EmbeddedProvider::Create(pc, true, &clock_);
  ASSERT_TRUE(provider) << provider.error().message;
  auto* embedded = static_cast<EmbeddedProvider*>(provider->get());
  EXPECT_TRUE(sink.NextNotify(kXfrSecret)) << "the serial of the start is announced";
  ASSERT_TRUE(
      (*provider)->Replace("example.test.", {"login.example.test.", "A", 30, {"127.0.0.9"}}));
  EXPECT_TRUE(sink.NextNotify(kXfrSecret)) << "every change is announced";
  EXPECT_EQ(SignedSoa(embedded->Ports()[0], kXfrSecret), "NOERROR");
  EXPECT_EQ(SignedSoa(embedded->Ports()[0], kOtherSecret), "NOTAUTH");

  pc.embedded.transfer.tsig_secret = *base::ParseSecretRef("env:STEER_TEST_XFR_MISSING");
  auto missing = EmbeddedProvider::Create(pc, true, &clock_);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("transfer.tsig_secret (env:STEER_TEST_XFR_MISSING)"),
            std::string::npos)
      << missing.error().message;
}

TEST_F(EmbeddedProviderTest, AReloadChangesTheKeyAndBadSettingsChangeNothing) {
  EmbeddedOptions o = Options();
  o.transfer.allow = {"127.0.0.0/8"};
  o.transfer.key_name = "steer-xfr";
  o.transfer.key_secret = kXfrSecret;
  auto first = EmbeddedProvider::Start(o);
  ASSERT_TRUE(first) << first.error().message;
  uint16_t port = (*first)->Ports()[0];
  EXPECT_EQ(SignedSoa(port, kXfrSecret), "NOERROR");

  for (auto bad : {std::pair<std::string, std::string>{"10.0.0.0/33", kOtherSecret},
                   {"127.0.0.0/8", "not base64!"}}) {
    EmbeddedOptions refused = o;
    refused.transfer.allow = {bad.first};
    refused.transfer.key_secret = bad.second;
    auto reload = EmbeddedProvider::Start(refused);
    EXPECT_FALSE(reload) << bad.first;
    EXPECT_EQ(SignedSoa(port, kXfrSecret), "NOERROR") << "a refused reload changes nothing";
  }
  // A new key with a zone that reads but does not build (CNAME next to data): refused.
  WriteZone(std::string(kZoneFile) + "login 30 IN CNAME other.example.test.\n");
  EmbeddedOptions bad_zone = o;
  bad_zone.transfer.key_secret = kOtherSecret;
  EXPECT_FALSE(EmbeddedProvider::Start(bad_zone));
  ASSERT_TRUE((*first)->Replace("example.test.", {"new.example.test.", "A", 30, {"127.0.0.8"}}));
  EXPECT_EQ(SignedSoa(port, kXfrSecret), "NOERROR") << "the old key still signs";
  WriteZone(kZoneFile);
  EmbeddedOptions bad_secondary = o;
  bad_secondary.secondaries = {"ns2.example.test:53"};
  EXPECT_FALSE(EmbeddedProvider::Start(bad_secondary));

  o.transfer.key_secret = kOtherSecret;
  auto second = EmbeddedProvider::Start(o);  // the same listen addresses: a reload
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)->Ports()[0], port);
  EXPECT_EQ(SignedSoa(port, kOtherSecret), "NOERROR");
  EXPECT_EQ(SignedSoa(port, kXfrSecret), "NOTAUTH");
}

}  // namespace
}  // namespace steer::dns
