// ReportToJson / ReportFromJson: the vantage report in etcd (pure).
#include "etcd/report_json.h"

#include <gtest/gtest.h>

#include <string>

namespace steer::agent::etcd {
namespace {

using policies::Health;

VantageReport Sample() {
  VantageReport r;
  r.vantage = "eu-west";
  r.home_region = "eu";
  r.targets = {{"eu", "app", "healthz", Health::kHealthy, 3, 0, 120, ""},
               {"us", "db", "tcp", Health::kUnhealthy, 0, 7, 90000, "connect: refused \"x\""},
               {"ap", "app", "healthz", Health::kUnknown, 0, 0, 0, ""}};
  return r;
}

TEST(ReportJsonTest, RoundTripKeepsEveryField) {
  const VantageReport in = Sample();
  auto out = ReportFromJson(ReportToJson(in));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->vantage, in.vantage);
  EXPECT_EQ(out->home_region, in.home_region);
  EXPECT_EQ(out->targets, in.targets);
  EXPECT_EQ(out->received_ms, 0);
}

TEST(ReportJsonTest, EmptyReportRoundTrips) {
  auto out = ReportFromJson(ReportToJson({"v1", "", {}}));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->vantage, "v1");
  EXPECT_EQ(out->home_region, "");
  EXPECT_TRUE(out->targets.empty());
}

TEST(ReportJsonTest, UnknownStateReadsAsUnknownAndMissingFieldsAsDefaults) {
  auto out = ReportFromJson(R"({"v":"a","t":[{"r":"eu","s":"purple"}]})");
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->targets.size(), 1u);
  EXPECT_EQ(out->targets[0].region, "eu");
  EXPECT_EQ(out->targets[0].state, Health::kUnknown);
  EXPECT_EQ(out->targets[0].consecutive_fail, 0);
  EXPECT_EQ(out->home_region, "");
}

TEST(ReportJsonTest, GarbageAndWrongTypesAreInvalidArgument) {
  const char* bad[] = {
      "",
      "not json",
      "{\"v\":\"a\",\"t\":[",  // truncated
      "[]",
      "null",
      "42",
      "{}",
      R"({"t":[]})",
      R"({"v":"a"})",
      R"({"v":1,"t":[]})",
      R"({"v":"a","t":{}})",
      R"({"v":"a","t":"x"})",
      R"({"v":"a","t":[1]})",
      R"({"v":"a","t":[[]]})",
      R"({"v":"a","home":5,"t":[]})",
      R"({"v":"a","t":[{"r":1}]})",
      R"({"v":"a","t":[{"s":true}]})",
      R"({"v":"a","t":[{"ok":"3"}]})",
      R"({"v":"a","t":[{"fail":[]}]})",
      R"({"v":"a","t":[{"age":"old"}]})",
      R"({"v":"a","t":[{"err":{}}]})",
  };
  for (const char* json : bad) {
    Result<VantageReport> r = VantageReport{};
    EXPECT_NO_THROW(r = ReportFromJson(json)) << json;
    ASSERT_FALSE(r) << json;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << json;
  }
}

}  // namespace
}  // namespace steer::agent::etcd
