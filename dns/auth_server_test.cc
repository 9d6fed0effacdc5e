// The embedded server on loopback (port 0), queried by real clients: dig and c-ares.
#include "auth_server.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "auth_transfer.h"
#include "steer/base/inherited_sockets.h"
#include "steer/testsupport/dig.h"
#include "steer/testsupport/process.h"

namespace steer::dns::auth {
namespace {

std::vector<RRset> Zone(const std::string& login) {
  std::vector<RRset> z = {
      {"example.test.",
       "SOA",
       300,
       {"ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60"}},
      {"example.test.", "NS", 300, {"ns1.example.test."}},
      {"ns1.example.test.", "A", 300, {"127.0.0.1"}},
      {"login.example.test.", "A", 30, {login}},
      {"big.example.test.", "A", 30, {}},
  };
  for (int i = 0; i < 50; ++i) z.back().records.push_back("127.0.1." + std::to_string(i));
  return z;
}

using testsupport::RunCommand;

class AuthServerTest : public testing::Test {
 protected:
  void SetUp() override {
    Publish("127.0.0.2", 1);
    AuthServerOptions options;
    options.listen = {{"127.0.0.1", 0}};
    auto server = AuthServer::Start(options, store_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    port_ = server_->Ports().at(0);
  }

  void Publish(const std::string& login, uint32_t serial,
               std::shared_ptr<const TransferPolicy> transfer = nullptr) {
    auto zone = BuildZone("example.test.", Zone(login), serial, std::move(transfer));
    ASSERT_TRUE(zone) << zone.error().message;
    auto set = std::make_shared<ZoneSet>();
    set->zones[(*zone)->apex] = *zone;
    store_->Store(set);
  }

  std::string Dig(const std::string& args) { return testsupport::Dig(port_, args, /*time_s=*/2); }

  std::shared_ptr<ZoneStore> store_ = std::make_shared<ZoneStore>();
  std::unique_ptr<AuthServer> server_;
  uint16_t port_ = 0;
};

TEST_F(AuthServerTest, DigGetsAuthoritativeAnswersOverUdpAndTcp) {
  for (const char* transport : {"+notcp", "+tcp"}) {
    std::string out = Dig(std::string(transport) + " LOGIN.example.TEST A");
    EXPECT_NE(out.find("status: NOERROR"), std::string::npos) << out;
    EXPECT_NE(out.find(" aa"), std::string::npos) << out;
    EXPECT_NE(out.find("A\t127.0.0.2"), std::string::npos) << out;
  }
}

// delv (BIND's validating lookup tool) asks with the DO bit set and EDNS; the zone is not
// signed, so validation is off (-i): it must take the answers as authoritative, and the
// negative answers as delv understands them.
TEST_F(AuthServerTest, DelvGetsAnswersAndNegativeAnswers) {
  auto delv = [&](const std::string& args) {
    return RunCommand("delv @127.0.0.1 -p " + std::to_string(port_) + " -i +nortrace " + args);
  };
  std::string out = delv("login.example.test A");
  EXPECT_NE(out.find("; authoritative"), std::string::npos) << out;
  EXPECT_NE(out.find("login.example.test.\t30\tIN\tA\t127.0.0.2"), std::string::npos) << out;
  std::string tcp = delv("+tcp LOGIN.EXAMPLE.test A");
  EXPECT_NE(tcp.find("IN\tA\t127.0.0.2"), std::string::npos) << tcp;
  std::string nx = delv("nope.example.test A");
  EXPECT_NE(nx.find("ncache nxdomain"), std::string::npos) << nx;
  std::string nodata = delv("login.example.test AAAA");
  EXPECT_NE(nodata.find("ncache nxrrset"), std::string::npos) << nodata;
}

TEST_F(AuthServerTest, DigSeesNegativeAnswersRefusalsAndBadVers) {
  std::string nx = Dig("nope.example.test A");
  EXPECT_NE(nx.find("status: NXDOMAIN"), std::string::npos) << nx;
  EXPECT_NE(nx.find("AUTHORITY: 1"), std::string::npos) << nx;
  std::string nodata = Dig("login.example.test AAAA");
  EXPECT_NE(nodata.find("status: NOERROR"), std::string::npos) << nodata;
  EXPECT_NE(nodata.find("ANSWER: 0, AUTHORITY: 1"), std::string::npos) << nodata;
  std::string refused = Dig("www.example.org A");
  EXPECT_NE(refused.find("status: REFUSED"), std::string::npos) << refused;
  std::string badvers = Dig("+edns=1 +noednsneg login.example.test A");
  EXPECT_NE(badvers.find("status: BADVERS"), std::string::npos) << badvers;
}

TEST_F(AuthServerTest, DigIsToldToRetryOverTcpWhenTheAnswerDoesNotFit) {
  std::string udp = Dig("+noedns +ignore big.example.test A");
  EXPECT_NE(udp.find(" tc"), std::string::npos) << udp;
  EXPECT_NE(udp.find("ANSWER: 0"), std::string::npos) << udp;
  std::string retried = Dig("+noedns big.example.test A");  // dig retries over TCP itself
  EXPECT_NE(retried.find("ANSWER: 50"), std::string::npos) << retried;
  std::string edns = Dig("+bufsize=1232 big.example.test A");  // 50 A records fit in 1232
  EXPECT_NE(edns.find("ANSWER: 50"), std::string::npos) << edns;
  EXPECT_NE(edns.find("udp: 1232"), std::string::npos) << edns;
}

// dig checks the TSIG of every message of the transfer (several here: max_message is small).
TEST_F(AuthServerTest, DigTransfersTheZoneWithTsigAndIsRefusedWithoutTheKey) {
  const std::string secret = "c3RlZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=";
  auto policy = std::make_shared<TransferPolicy>();
  policy->allow = {*Network::Parse("127.0.0.0/8")};
  policy->key = tsig::Normalize("steer-xfr", "hmac-sha256", secret);
  policy->max_message = 1024;
  Publish("127.0.0.7", 9, policy);
  std::string out = Dig("-y hmac-sha256:steer-xfr:" + secret + " example.test AXFR");
  EXPECT_NE(out.find("XFR size: 55 records (messages 5"), std::string::npos) << out;
  EXPECT_NE(out.find("login.example.test.\t30\tIN\tA\t127.0.0.7"), std::string::npos) << out;
  EXPECT_EQ(out.find("failed"), std::string::npos) << out;
  std::string ixfr = Dig("-y hmac-sha256:steer-xfr:" + secret + " +tcp example.test IXFR=1");
  EXPECT_NE(ixfr.find("XFR size: 55 records"), std::string::npos) << ixfr;
  std::string unsigned_out = Dig("example.test AXFR");
  EXPECT_NE(unsigned_out.find("Transfer failed"), std::string::npos) << unsigned_out;
  std::string wrong =
      Dig("-y hmac-sha256:steer-xfr:b3RoZXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE= "
          "example.test AXFR");
  EXPECT_EQ(wrong.find("127.0.0.7"), std::string::npos) << wrong;
}

TEST_F(AuthServerTest, ANewSnapshotIsServedByTheNextQuery) {
  Publish("127.0.0.9", 8);
  std::string out = Dig("+short login.example.test A");
  EXPECT_EQ(out, "127.0.0.9\n");
  EXPECT_NE(Dig("+short example.test SOA").find(" 8 3600 600 86400 60"), std::string::npos);
}

struct AresResult {
  int status = -1;
  int answers = 0;
  bool done = false;
};

void OnAres(void* arg, int status, int, unsigned char* abuf, int alen) {
  auto* r = static_cast<AresResult*>(arg);
  r->status = status;
  r->done = true;
  if (status == ARES_SUCCESS && alen >= 12) r->answers = (abuf[6] << 8) | abuf[7];
}

AresResult AresQuery(uint16_t port, const char* name, int type) {
  AresResult result;
  ares_channel channel = nullptr;
  ares_options options{};
  options.flags = ARES_FLAG_NORECURSE | ARES_FLAG_NOSEARCH;
  options.timeout = 2000;
  options.tries = 1;
  if (ares_init_options(&channel, &options, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) !=
      ARES_SUCCESS) {
    return result;
  }
  std::string server = "127.0.0.1:" + std::to_string(port);
  ares_set_servers_ports_csv(channel, server.c_str());
  ares_query(channel, name, ns_c_in, type, OnAres, &result);
  while (!result.done) {
    fd_set read, write;
    FD_ZERO(&read);
    FD_ZERO(&write);
    int nfds = ares_fds(channel, &read, &write);
    if (nfds == 0) break;
    timeval tv{};
    timeval* tvp = ares_timeout(channel, nullptr, &tv);
    select(nfds, &read, &write, nullptr, tvp);
    ares_process(channel, &read, &write);
  }
  ares_destroy(channel);
  return result;
}

TEST_F(AuthServerTest, CAresGetsAnswersNxDomainAndRetriesTruncatedAnswersOverTcp) {
  ASSERT_EQ(ares_library_init(ARES_LIB_INIT_ALL), ARES_SUCCESS);
  AresResult a = AresQuery(port_, "login.example.test", ns_t_a);
  EXPECT_EQ(a.status, ARES_SUCCESS);
  EXPECT_EQ(a.answers, 1);
  AresResult nx = AresQuery(port_, "nope.example.test", ns_t_a);
  EXPECT_EQ(nx.status, ARES_ENOTFOUND);
  AresResult big = AresQuery(port_, "big.example.test", ns_t_a);  // TC over UDP, then TCP
  EXPECT_EQ(big.status, ARES_SUCCESS);
  EXPECT_EQ(big.answers, 50);
  ares_library_cleanup();
}

TEST(AuthServerStart, NamesTheAddressItCannotBind) {
  auto store = std::make_shared<ZoneStore>();
  AuthServerOptions options;
  options.listen = {{"127.0.0.1", 0}};
  auto first = AuthServer::Start(options, store);
  ASSERT_TRUE(first);
  options.listen = {{"127.0.0.1", (*first)->Ports()[0]}};
  auto second = AuthServer::Start(options, store);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos)
      << second.error().message;
  options.listen = {{"not-an-ip", 53}};
  auto bad = AuthServer::Start(options, store);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad address 'not-an-ip'"), std::string::npos);
}

// A query for login.example.test A with `id`, sent from `client` to 127.0.0.1:port.
void SendQuery(int client, uint16_t port, uint16_t id, const std::string& first = "login") {
  std::vector<uint8_t> q = {
      static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (const std::string& label : {first, std::string("example"), std::string("test")}) {
    q.push_back(static_cast<uint8_t>(label.size()));
    q.insert(q.end(), label.begin(), label.end());
  }
  q.insert(q.end(), {0, 0, 1, 0, 1});
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(sendto(client, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(q.size()));
}

// The id of the answer `client` receives within 3 s (-1: none) and whether it holds 127.0.0.2.
std::pair<int, bool> ReceiveAnswer(int client) {
  fd_set in;
  FD_ZERO(&in);
  FD_SET(client, &in);
  timeval tv{3, 0};
  if (select(client + 1, &in, nullptr, nullptr, &tv) != 1) return {-1, false};
  uint8_t buf[512];
  ssize_t n = recv(client, buf, sizeof buf, 0);
  if (n < 12) return {-1, false};
  const uint8_t want[] = {127, 0, 0, 2};
  bool has = std::search(buf, buf + n, want, want + 4) != buf + n;
  return {buf[0] << 8 | buf[1], has};
}

// Sockets passed by socket activation (held by the test, as systemd holds them) are served;
// a query that arrives while no server runs waits in the socket and is answered by the next.
TEST(AuthServerHandoff, PassedSocketsServeAQueryThatArrivedBetweenTwoServers) {
  auto store = std::make_shared<ZoneStore>();
  auto zone = BuildZone("example.test.", Zone("127.0.0.2"), 1);
  ASSERT_TRUE(zone) << zone.error().message;
  auto set = std::make_shared<ZoneSet>();
  set->zones[(*zone)->apex] = *zone;
  store->Store(set);
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(tcp, 16), 0);
  socklen_t len = sizeof a;
  getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin_port);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  int client = socket(AF_INET, SOCK_DGRAM, 0);
  AuthServerOptions options;
  options.listen = {{"127.0.0.1", port}};

  base::AdoptSockets({dup(tcp), dup(udp)});
  auto first = AuthServer::Start(options, store);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ((*first)->Ports(), std::vector<uint16_t>{port});
  SendQuery(client, port, 1);
  EXPECT_EQ(ReceiveAnswer(client), std::make_pair(1, true));
  first->reset();  // the "old process" exits; the test still holds the sockets

  SendQuery(client, port, 2);  // nobody serves now: the datagram waits in the socket
  base::AdoptSockets({dup(tcp), dup(udp)});
  auto second = AuthServer::Start(options, store);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(ReceiveAnswer(client), std::make_pair(2, true));
  EXPECT_TRUE(base::TakeRemainingSockets(SOCK_DGRAM).empty());  // claimed by the server
  second->reset();
  for (int fd : {tcp, udp, client}) close(fd);
}

// More datagrams than one batch (recvmmsg / sendmmsg) from several clients at once, names
// alternating between an answer and NXDOMAIN: every client gets the reply to each of its
// queries, with the answer for the name it asked.
void ExpectEveryReplyAtItsSender(uint16_t port, int clients_n) {
  constexpr int kEach = 12;
  std::vector<int> clients;
  for (int c = 0; c < clients_n; ++c) clients.push_back(socket(AF_INET, SOCK_DGRAM, 0));
  for (int j = 0; j < kEach; ++j) {
    for (int c = 0; c < clients_n; ++c) {
      SendQuery(clients[c], port, static_cast<uint16_t>(c * 100 + j), j % 2 ? "nope" : "login");
    }
  }
  for (int c = 0; c < clients_n; ++c) {
    std::vector<std::pair<int, bool>> got, want;
    for (int j = 0; j < kEach; ++j) {
      got.push_back(ReceiveAnswer(clients[c]));
      want.emplace_back(c * 100 + j, j % 2 == 0);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << "client " << c;
    close(clients[c]);
  }
}

TEST_F(AuthServerTest, ABurstFromManyClientsGetsEachReplyAtItsSender) {
  ExpectEveryReplyAtItsSender(port_, 8);
}

// Three UDP threads, each on its own SO_REUSEPORT socket: clients spread over them, and every
// one is answered; the threads stop with the server, which frees the port.
TEST(AuthServerThreads, EveryUdpThreadAnswersAndStopsWithTheServer) {
  auto store = std::make_shared<ZoneStore>();
  auto zone = BuildZone("example.test.", Zone("127.0.0.2"), 1);
  ASSERT_TRUE(zone) << zone.error().message;
  auto set = std::make_shared<ZoneSet>();
  set->zones[(*zone)->apex] = *zone;
  store->Store(set);
  AuthServerOptions options;
  options.listen = {{"127.0.0.1", 0}};
  options.udp_threads = 3;
  auto server = AuthServer::Start(options, store);
  ASSERT_TRUE(server) << server.error().message;
  uint16_t port = (*server)->Ports().at(0);
  ExpectEveryReplyAtItsSender(port, 16);
  server->reset();
  int probe = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // no socket left
  close(probe);
}

}  // namespace
}  // namespace steer::dns::auth
