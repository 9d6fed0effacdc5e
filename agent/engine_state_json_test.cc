#include "engine_state_json.h"

#include <gtest/gtest.h>

namespace steer::agent {
namespace {

using policies::Time;

TEST(EngineStateJsonTest, RoundTrips) {
  policies::ServiceState s;
  s.initialized = true;
  s.region = "b";
  s.answers = {"198.51.100.20"};
  s.last_change = Time(1'800'000'000'000);
  s.changes = {Time(1'799'999'000'000), Time(1'800'000'000'000)};
  s.blocked_until = Time(1'800'000'600'000);
  s.tracks = {{"a", policies::Health::kUnhealthy, Time(1'799'999'999'000)},
              {"b", policies::Health::kHealthy, Time(1'700'000'000'000)}};
  policies::ServiceState back = ServiceStateFromJson(ServiceStateToJson(s));
  EXPECT_EQ(ServiceStateToJson(back), ServiceStateToJson(s));
  EXPECT_EQ(back.tracks[0].verdict, policies::Health::kUnhealthy);
  EXPECT_EQ(*back.blocked_until, Time(1'800'000'600'000));
}

TEST(EngineStateJsonTest, MalformedGivesAFreshState) {
  EXPECT_FALSE(ServiceStateFromJson(nlohmann::json::parse("[1,2]")).initialized);
  EXPECT_FALSE(ServiceStateFromJson(nlohmann::json{{"initialized", "yes"}}).initialized);
  EXPECT_FALSE(ServiceStateFromJson(nlohmann::json{{"changes", {"x"}}}).last_change);
}

}  // namespace
}  // namespace steer::agent
