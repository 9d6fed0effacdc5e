#include "health_book.h"

#include <gtest/gtest.h>

namespace steer::agent {
namespace {

using policies::Health;
using policies::Time;

config::Policy TwoRegions() {
  config::Policy p;
  for (const char* name : {"a", "b"}) {
    config::RegionConfig r;
    r.name = name;
    config::ComponentConfig c;
    c.name = "app";
    config::ProbeConfig probe;
    probe.name = "http";
    probe.healthy_threshold = 2;
    probe.unhealthy_threshold = 3;
    c.probes.push_back(probe);
    r.components.push_back(c);
    p.regions.push_back(r);
  }
  return p;
}

TEST(HealthBookTest, NotFreshUntilEveryTargetReported) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  EXPECT_FALSE(book.AllFresh());
  EXPECT_EQ(book.Missing(), (std::vector<std::string>{"a/app/http", "b/app/http"}));
  book.Record(0, true, Time(1000), "", 0.01);
  EXPECT_FALSE(book.AllFresh());
  book.Record(1, true, Time(1000), "", 0.01);
  EXPECT_TRUE(book.AllFresh());
  EXPECT_TRUE(book.Missing().empty());
}

TEST(HealthBookTest, AppliesTheStreakRule) {
  auto layout = policies::Layout::Build(TwoRegions());
  ASSERT_TRUE(layout);
  HealthBook book(*layout, {"local", ""}, nullptr);
  uint64_t v0 = book.version();
  book.Record(0, true, Time(1000), "", 0.01);
  EXPECT_GT(book.version(), v0);
  book.Record(0, true, Time(1100), "", 0.01);
  auto view = book.Snapshot();
  int me = view.FindVantage("local");
  ASSERT_GE(me, 0);
  EXPECT_EQ(view.Get(me, 0).state, Health::kHealthy);
  book.Record(0, false, Time(1200), "connect: refused", 0.01);
  book.Record(0, false, Time(1300), "connect: refused", 0.01);
  EXPECT_EQ(book.Snapshot().Get(me, 0).state, Health::kHealthy);  // below the threshold
  book.Record(0, false, Time(1400), "connect: refused", 0.01);
  EXPECT_EQ(book.Snapshot().Get(me, 0).state, Health::kUnhealthy);
  EXPECT_EQ(book.Snapshot().Get(me, 0).last_error, "connect: refused");
  book.Record(99, false, Time(1500), "", 0);  // unknown target: ignored
}

}  // namespace
}  // namespace steer::agent
