#include "probe_recorder.h"

#include <gtest/gtest.h>

#include <memory>

#include "agent_context.h"
#include "health_book.h"
#include "steer/base/clock.h"
#include "steer/policies/engine.h"
#include "steer/testsupport/process.h"

namespace steer::agent {
namespace {

config::Policy OneRegion() {
  config::Policy p;
  config::RegionConfig r;
  r.name = "a";
  config::ComponentConfig c;
  c.name = "app";
  config::ProbeConfig probe;
  probe.name = "http";
  probe.healthy_threshold = 1;
  probe.unhealthy_threshold = 1;
  c.probes.push_back(probe);
  r.components.push_back(c);
  p.regions.push_back(r);
  return p;
}

// A time-out the probe engine marked inconclusive (its worker was stalled) is counted as such
// and changes nothing in the target's health; a conclusive one does.
TEST(ProbeRecorderTest, InconclusiveResultsNeitherHelpNorHurtTheTarget) {
  testsupport::TempDir dir("steer-recorder");
  base::FakeClock clock;
  const config::Policy policy = OneRegion();
  auto ctx = AgentContext::Create(policy, dir.path(), &clock);
  ASSERT_TRUE(ctx) << ctx.error().message;
  auto layout = policies::Layout::Build(policy);
  ASSERT_TRUE(layout);
  auto book = std::make_shared<HealthBook>(*layout, policies::VantagePoint{"local", ""},
                                           &(*ctx)->metrics());
  const auto targets = probes::TargetsFromRegions(policy.regions);
  auto recorder = ProbeRecorder::Create(targets, *layout, book, *ctx);
  ASSERT_TRUE(recorder) << recorder.error().message;

  probes::Observation o;
  o.target_id = targets[0].id;
  o.time = clock.WallNow();
  o.ok = true;
  (*recorder)->Record(o);
  ASSERT_EQ(book->Snapshot().Get(0, 0).state, policies::Health::kHealthy);

  o.ok = false;
  o.error = probes::ErrorClass::kTimeout;
  o.inconclusive = true;
  (*recorder)->Record(o);
  EXPECT_EQ(book->Snapshot().Get(0, 0).state, policies::Health::kHealthy);
  const metrics::Counter& results = *(*ctx)->metrics().probe_results;
  EXPECT_EQ(results.Value({"a", "app", "http", "inconclusive"}), 1);
  EXPECT_EQ(results.Value({"a", "app", "http", "failure"}), 0);

  o.inconclusive = false;
  (*recorder)->Record(o);
  EXPECT_EQ(book->Snapshot().Get(0, 0).state, policies::Health::kUnhealthy);
  EXPECT_EQ(results.Value({"a", "app", "http", "failure"}), 1);
}

}  // namespace
}  // namespace steer::agent
