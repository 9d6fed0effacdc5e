// Engine::AssessComponents: each component of a service's regions judged alone by the region's
// quorum rule (for uptime history per component).
#include <gtest/gtest.h>

#include <optional>

#include "steer/policies/engine.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

using testing::ThreeRegions;

class ComponentVerdictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Create(ThreeRegions());
    ASSERT_TRUE(engine) << engine.error().message;
    engine_.emplace(std::move(*engine));
    view_.emplace(engine_->layout());
  }

  // Sets every probe of `component` in `region` as seen from `vantage` (home: `home`).
  void See(const std::string& vantage, const std::string& home, const std::string& region,
           const std::string& component, Health state, Time at = Time(1000)) {
    const Layout& layout = engine_->layout();
    const int vp = view_->AddVantage({vantage, home});
    const int r = layout.FindRegion(region);
    const int c = layout.FindComponent(r, component);
    const auto& comp = layout.regions()[static_cast<size_t>(r)].components[static_cast<size_t>(c)];
    for (int t = comp.first_target; t < comp.first_target + comp.probe_count; ++t) {
      TargetHealth th;
      th.state = state;
      th.observed = true;
      th.last_observed = at;
      view_->Set(vp, t, th);
    }
  }

  // Every component of every region as `state` from `vantage`.
  void SeeAll(const std::string& vantage, Health state, const std::string& home = "") {
    for (const auto& r : engine_->layout().regions()) {
      for (const auto& c : r.components) See(vantage, home, r.name, c.name, state);
    }
  }

  const ComponentVerdict& Find(const std::vector<ComponentVerdict>& all, const std::string& region,
                               const std::string& component) {
    for (const auto& v : all) {
      if (v.region == region && v.component == component) return v;
    }
    ADD_FAILURE() << "no verdict for " << region << "/" << component;
    static const ComponentVerdict kNone;
    return kNone;
  }

  std::optional<Engine> engine_;
  std::optional<HealthView> view_;
};

TEST_F(ComponentVerdictTest, EveryComponentOfEveryRegionInPolicyOrder) {
  for (const char* vp : {"probe-a", "probe-b", "probe-c"}) SeeAll(vp, Health::kHealthy);
  auto all = engine_->AssessComponents(0, *view_, Time(1500));
  ASSERT_EQ(all.size(), 9u);  // 3 regions x api, auth, metrics
  EXPECT_EQ(all.front().region, "us-east");
  EXPECT_EQ(all.back().region, "ap-south");
  for (const auto& v : all) {
    EXPECT_EQ(v.verdict, Health::kHealthy) << v.region << "/" << v.component;
    EXPECT_EQ(v.voters, 3);
  }
}

// us-east's auth is down from 2 of 3 vantage points: auth is down by quorum, api stays healthy;
// one vantage point alone does not make a component down.
// (metrics: one down vote against two healthy ones)
TEST_F(ComponentVerdictTest, AComponentIsDownByQuorumAndTheOthersStayHealthy) {
  for (const char* vp : {"probe-a", "probe-b", "probe-c"}) SeeAll(vp, Health::kHealthy);
  See("probe-a", "", "us-east", "auth", Health::kUnhealthy);
  See("probe-b", "", "us-east", "auth", Health::kUnhealthy);
  See("probe-c", "", "us-east", "metrics", Health::kUnhealthy);
  auto all = engine_->AssessComponents(0, *view_, Time(1500));
  const ComponentVerdict& auth = Find(all, "us-east", "auth");
  EXPECT_EQ(auth.verdict, Health::kUnhealthy);
  EXPECT_EQ(auth.down_votes, 2);
  EXPECT_EQ(auth.voters, 3);
  EXPECT_EQ(Find(all, "us-east", "api").verdict, Health::kHealthy);
  EXPECT_EQ(Find(all, "us-east", "metrics").verdict, Health::kHealthy);  // 2 of 3 saw it up
  EXPECT_EQ(Find(all, "us-east", "metrics").down_votes, 1);
  EXPECT_EQ(Find(all, "eu-west", "auth").verdict, Health::kHealthy);
}

// A region's own vantage point does not vote while outside ones report; alone, it does.
TEST_F(ComponentVerdictTest, InsideVantagePointsVoteOnlyWhenNobodyOutsideReports) {
  See("in-us", "us-east", "us-east", "auth", Health::kUnhealthy);
  auto alone = engine_->AssessComponents(0, *view_, Time(1500));
  EXPECT_EQ(Find(alone, "us-east", "auth").verdict, Health::kUnhealthy);
  See("probe-a", "", "us-east", "auth", Health::kHealthy);
  auto both = engine_->AssessComponents(0, *view_, Time(1500));
  EXPECT_EQ(Find(both, "us-east", "auth").verdict, Health::kHealthy);
  EXPECT_EQ(Find(both, "us-east", "auth").voters, 1);
}

// Stale data decides nothing: a component last seen long ago is unknown.
TEST_F(ComponentVerdictTest, StaleViewsAreUnknown) {
  See("probe-a", "", "us-east", "auth", Health::kUnhealthy, Time(1000));
  auto all = engine_->AssessComponents(0, *view_, Time(600'000));
  EXPECT_EQ(Find(all, "us-east", "auth").verdict, Health::kUnknown);
  EXPECT_EQ(Find(all, "us-east", "auth").voters, 0);
}

// A region judged down names the counted components its voters saw fail (a failing non-counted
// component, metrics, is not why it is down); a healthy region names none.
TEST_F(ComponentVerdictTest, ADownRegionNamesItsFailingComponents) {
  for (const char* vp : {"probe-a", "probe-b", "probe-c"}) {
    SeeAll(vp, Health::kHealthy);
    See(vp, "", "us-east", "auth", Health::kUnhealthy);
    See(vp, "", "us-east", "metrics", Health::kUnhealthy);
  }
  auto regions = engine_->AssessRegions(0, *view_, Time(1500));
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].verdict, Health::kUnhealthy);
  EXPECT_EQ(regions[0].failing, std::vector<std::string>{"auth"});
  EXPECT_EQ(regions[1].verdict, Health::kHealthy);
  EXPECT_TRUE(regions[1].failing.empty());
}

}  // namespace
}  // namespace steer::policies
