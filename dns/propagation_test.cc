#include "steer/dns/propagation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include "steer/base/clock.h"
#include "test_fakes.h"

namespace steer::dns {
namespace {

using base::FakeClock;
using std::chrono::milliseconds;

// Each server answers from its own script: the n-th query gets answers[min(n, last)].
class ScriptedQuerier : public DnsQuerier {
 public:
  Result<QueryAnswer> Query(const NameServer& server, const std::string&, const std::string&,
                            milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);  // WaitFor asks servers in parallel
    auto& script = scripts[server.port];
    int& n = counts[server.port];
    auto answer = script.at(std::min<size_t>(static_cast<size_t>(n), script.size() - 1));
    ++n;
    return answer;
  }
  std::map<uint16_t, std::vector<Result<QueryAnswer>>> scripts;
  std::map<uint16_t, int> counts;

 private:
  std::mutex mu_;
};

QueryAnswer Answer(std::vector<std::string> records) {
  QueryAnswer a;
  a.authoritative = true;
  a.rrset = RRset{"login.example.test.", "A", 30, std::move(records)};
  return a;
}

const RRset kWant{"login.example.test.", "A", 30, {"127.0.0.3"}};

TEST(PropagationTest, CompleteWhenEveryServerAnswersTheNewRRset) {
  base::FakeClock clock;
  ScriptedQuerier querier;
  querier.scripts[1] = {Answer({"127.0.0.3"})};
  querier.scripts[2] = {Answer({"127.0.0.2"}), Answer({"127.0.0.2"}), Answer({"127.0.0.3"})};
  PropagationChecker checker(querier, clock);
  auto report =
      checker.WaitFor(kWant, {{"127.0.0.1", 1, ""}, {"127.0.0.1", 2, ""}},
                      PropagationOptions{milliseconds(5000), milliseconds(50), milliseconds(100)});
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(report.servers[0].queries, 1);  // in sync servers are not asked again
  EXPECT_EQ(report.servers[1].queries, 3);
  EXPECT_EQ(report.elapsed, milliseconds(100));
}

TEST(PropagationTest, ReportsTheLaggingAndTheUnreachableAtTheDeadline) {
  base::FakeClock clock;
  ScriptedQuerier querier;
  querier.scripts[1] = {Answer({"127.0.0.3"})};
  querier.scripts[2] = {Answer({"127.0.0.2"})};
  querier.scripts[3] = {tl::unexpected(Error(ErrorCode::kUnavailable, "connection refused"))};
  PropagationChecker checker(querier, clock);
  auto report =
      checker.WaitFor(kWant, {{"127.0.0.1", 1, ""}, {"127.0.0.1", 2, ""}, {"127.0.0.1", 3, ""}},
                      PropagationOptions{milliseconds(1000), milliseconds(100), milliseconds(100)});
  EXPECT_FALSE(report.complete);
  EXPECT_TRUE(report.servers[0].in_sync);
  EXPECT_FALSE(report.servers[1].in_sync);
  EXPECT_EQ(report.servers[1].last_answer->records, std::vector<std::string>{"127.0.0.2"});
  EXPECT_FALSE(report.servers[2].in_sync);
  EXPECT_EQ(report.servers[2].last_error, "connection refused");
  EXPECT_LE(report.elapsed, milliseconds(1000));
  EXPECT_GE(report.servers[1].queries, 9);
}

TEST(PropagationTest, NonAuthoritativeAnswersDoNotCount) {
  base::FakeClock clock;
  ScriptedQuerier querier;
  QueryAnswer cached = Answer({"127.0.0.3"});
  cached.authoritative = false;
  querier.scripts[1] = {cached};
  PropagationChecker checker(querier, clock);
  auto report =
      checker.WaitFor(kWant, {{"127.0.0.1", 1, ""}},
                      PropagationOptions{milliseconds(200), milliseconds(100), milliseconds(100)});
  EXPECT_FALSE(report.complete);
}

TEST(PropagationTest, ResolvesTheNsSetToAddresses) {
  base::FakeClock clock;
  ScriptedQuerier querier;  // one port: answers NS, then A for each name, then AAAA
  QueryAnswer ns;
  ns.authoritative = true;
  ns.rrset = RRset{"example.test.", "NS", 30, {"ns1.example.test."}};
  QueryAnswer a = Answer({"127.0.0.1"});
  QueryAnswer none;
  querier.scripts[53] = {ns, a, none};
  PropagationChecker checker(querier, clock);
  auto servers =
      checker.ResolveNameServers("example.test.", {"127.0.0.1", 53, ""}, milliseconds(100));
  ASSERT_TRUE(servers) << servers.error().message;
  ASSERT_EQ(servers->size(), 1u);
  EXPECT_EQ((*servers)[0].host, "127.0.0.1");
  EXPECT_EQ((*servers)[0].port, 53);
}

TEST(PropagationTest, ReadsTheSystemResolversFromResolvConf) {
  std::string path = ::testing::TempDir() + "steer-propagation-resolv.conf";
  std::ofstream(path) << "; comment\nnameserver 127.0.0.53\noptions edns0\n"
                      << "nameserver fe80::1%eth0\nnameserver not-an-ip\n";
  auto resolvers = SystemResolvers(path);
  std::remove(path.c_str());
  ASSERT_EQ(resolvers.size(), 2u);
  EXPECT_EQ(resolvers[0].host, "127.0.0.53");
  EXPECT_EQ(resolvers[0].port, 53);
  EXPECT_TRUE(resolvers[0].recursive);
  EXPECT_EQ(resolvers[1].host, "fe80::1");
  EXPECT_TRUE(SystemResolvers(path).empty());  // no file: no resolver
}

TEST(PropagationTest, AnEmptyNsSetIsNotFound) {
  base::FakeClock clock;
  ScriptedQuerier querier;
  QueryAnswer ns;
  ns.rrset = RRset{"example.test.", "NS", 30, {}};
  querier.scripts[53] = {ns};
  PropagationChecker checker(querier, clock);
  auto servers =
      checker.ResolveNameServers("example.test.", {"127.0.0.1", 53, ""}, milliseconds(100));
  ASSERT_FALSE(servers);
  EXPECT_EQ(servers.error().code, ErrorCode::kNotFound);
}

TEST(PropagationTest, ParsesNameServers) {
  auto a = ParseNameServer("127.0.0.1:5300");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 5300);
  auto b = ParseNameServer("[::1]:53");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  auto c = ParseNameServer("::1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 53);
  EXPECT_FALSE(ParseNameServer("ns1.example.test:53"));
  EXPECT_FALSE(ParseNameServer("127.0.0.1:99999"));
  EXPECT_FALSE(ParseNameServer("127.0.0.1:x"));
}

}  // namespace
}  // namespace steer::dns
