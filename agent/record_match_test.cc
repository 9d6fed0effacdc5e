#include "record_match.h"

#include <gtest/gtest.h>

namespace steer::agent {
namespace {

config::ServiceConfig TwoRegions(bool probed) {
  config::ServiceConfig sc;
  sc.regions = {{"a", {"192.0.2.1", "192.0.2.2"}}, {"b", {"192.0.2.3"}}};
  if (probed) sc.regions[0].probes = {config::ProbeConfig{}, config::ProbeConfig{}};
  return sc;
}

TEST(RecordMatch, ExactAnswersNameTheirRegion) {
  EXPECT_EQ(MatchRegion(TwoRegions(false), {"192.0.2.2", "192.0.2.1"}),
            std::make_pair(std::string("a"), false));
  EXPECT_EQ(MatchRegion(TwoRegions(false), {"192.0.2.3"}), std::make_pair(std::string("b"), false));
  EXPECT_EQ(MatchRegion(TwoRegions(false), {"192.0.2.1", "192.0.2.2", "192.0.2.3"}),
            std::make_pair(std::string(), true));
}

// An address was out of rotation when the agent stopped: the records are part of region a's.
TEST(RecordMatch, PartOfAProbedRegionIsThatRegion) {
  EXPECT_EQ(MatchRegion(TwoRegions(true), {"192.0.2.2"}), std::make_pair(std::string("a"), false));
}

// Without probes of their own a region's answers are all-or-nothing, as before.
TEST(RecordMatch, PartOfAnUnprobedRegionMatchesNothing) {
  EXPECT_EQ(MatchRegion(TwoRegions(false), {"192.0.2.2"}), std::make_pair(std::string(), false));
  EXPECT_EQ(MatchRegion(TwoRegions(true), {"192.0.2.9"}), std::make_pair(std::string(), false));
}

}  // namespace
}  // namespace steer::agent
