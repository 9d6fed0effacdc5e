// Steer steering the database's own name to the Patroni primary (docs/auth-core.md, "Steering
// db.<zone> to the primary"; examples/db-patroni.yaml): each region's probe is its node's
// Patroni REST GET /primary (200 only on the leader), so the name answers the primary's
// address, and after kill -9 of the primary's postmaster it answers the promoted standby's on
// every authoritative server; with Patroni itself killed on the primary, the name leaves the
// orphaned postmaster. Real Patroni + PostgreSQL + etcd, real PowerDNS, real steerd.
#include "e2e_fixture.h"
#include "steer/testsupport/patroni_cluster.h"

namespace steer::e2e {
namespace {

using std::chrono::seconds;

class PatroniE2E : public FailoverE2E {
 protected:
  // Region i is node i (answer kAnswer[i]), probed with GET /primary on its Patroni; starts
  // steerd and returns the node that leads now.
  int SteerToThePrimary(const testsupport::PatroniCluster& cluster) {
    PolicyKnobs knobs;
    for (int i = 0; i < 2; ++i) {
      knobs.probe_url[i] = "http://127.0.0.1:" + std::to_string(cluster.rest_port(i)) + "/primary";
    }
    // The name follows whichever node leads: never back to a node on its own.
    knobs.failback = "manual";
    WritePolicy(knobs);
    StartSteerd();
    return cluster.Primary().value();
  }
  static constexpr const char* kAnswer[] = {kA, kB};
};

TEST_F(PatroniE2E, DatabaseNameFollowsThePatroniPrimary) {
  testsupport::PatroniCluster cluster;
  int first = SteerToThePrimary(cluster);
  ASSERT_TRUE(BothAnswer(kAnswer[first], seconds(10))) << Api("/api/v1/services/login");

  int killed = cluster.KillPrimaryPostgres();
  ASSERT_EQ(killed, first);
  ASSERT_TRUE(BothAnswer(kAnswer[1 - first], seconds(30))) << Api("/api/v1/services/login");
  ASSERT_EQ(cluster.Primary(), 1 - first);
  // The old primary rejoins as the standby (/primary: 503): the name stays.
  ASSERT_TRUE(cluster.WaitHealthy(std::chrono::seconds(60)));
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(Answer(primary_->dns_port()), kAnswer[1 - first]);
  EXPECT_EQ(Answer(secondary_->dns_port()), kAnswer[1 - first]);
  StopSteerd();
}

// The gotcha: Patroni itself killed on the primary leaves its postmaster running read-write.
// The node's REST API is gone, so the name moves to the node promoted after the leader key's
// TTL, while the orphan still accepts read-write sessions (what a multi-host DSN would find).
TEST_F(PatroniE2E, DatabaseNameLeavesAnOrphanedPrimaryWhosePatroniDied) {
  testsupport::PatroniCluster cluster;
  int orphan = SteerToThePrimary(cluster);
  ASSERT_TRUE(BothAnswer(kAnswer[orphan], seconds(10))) << Api("/api/v1/services/login");

  cluster.KillPatroni(orphan);
  ASSERT_TRUE(BothAnswer(kAnswer[1 - orphan], seconds(30))) << Api("/api/v1/services/login");
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (!cluster.RestOk(1 - orphan, "/primary") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(cluster.RestOk(1 - orphan, "/primary")) << cluster.Log(1 - orphan);
  // Two read-write servers now: the orphan still says it is not in recovery.
  EXPECT_EQ(cluster.SqlOn(orphan, "SELECT pg_is_in_recovery()"), "f");
  EXPECT_EQ(cluster.SqlOn(1 - orphan, "SELECT pg_is_in_recovery()"), "f");
  EXPECT_EQ(Answer(primary_->dns_port()), kAnswer[1 - orphan]);
  StopSteerd();
}

}  // namespace
}  // namespace steer::e2e
