// The JSON OpRelay carries: requests and outcomes survive a round trip field by field; garbage
// and wrong-typed input is refused (kInvalidArgument) without throwing.
#include "op_relay.h"

#include <gtest/gtest.h>

namespace steer::agent {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Status = api::OperationOutcome::Status;

api::OperationRequest FullRequest(api::Op op) {
  api::OperationRequest r;
  r.op = op;
  r.who = "alice";
  r.service = "login";
  r.region = "eu-west";
  r.to = "us-east";
  r.force = true;
  r.overrides = {"at_least_one_serving", "max_changes_per_hour"};
  r.why = "maintenance \"window\"";
  r.duration = milliseconds(90000);
  return r;
}

void ExpectSame(const api::OperationRequest& a, const api::OperationRequest& b) {
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.who, b.who);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.force, b.force);
  EXPECT_EQ(a.overrides, b.overrides);
  EXPECT_EQ(a.why, b.why);
  EXPECT_EQ(a.duration, b.duration);
}

TEST(OpRelayJsonTest, RequestRoundTripsEveryFieldOfEveryOp) {
  for (api::Op op : {api::Op::kSwitchover, api::Op::kFailover, api::Op::kDrain, api::Op::kUndrain,
                     api::Op::kPause, api::Op::kResume, api::Op::kAck, api::Op::kReload}) {
    SCOPED_TRACE(api::OpName(op));
    const api::OperationRequest r = FullRequest(op);
    // Through text, as etcd carries it.
    auto back = RequestFromJson(json::parse(RequestToJson(r).dump()));
    ASSERT_TRUE(back) << back.error().message;
    ExpectSame(*back, r);
  }
}

TEST(OpRelayJsonTest, RequestDurationAbsentStaysAbsent) {
  api::OperationRequest r = FullRequest(api::Op::kPause);
  r.duration.reset();
  const json j = RequestToJson(r);
  EXPECT_FALSE(j.contains("duration_ms")) << j.dump();
  auto back = RequestFromJson(json::parse(j.dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_FALSE(back->duration.has_value());
  ExpectSame(*back, r);

  r.duration = milliseconds(0);  // present but zero is not absent
  back = RequestFromJson(RequestToJson(r));
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->duration.has_value());
  EXPECT_EQ(*back->duration, milliseconds(0));
}

TEST(OpRelayJsonTest, RequestDefaultsRoundTrip) {
  const api::OperationRequest r;  // empty strings, no overrides, force false
  auto back = RequestFromJson(RequestToJson(r));
  ASSERT_TRUE(back) << back.error().message;
  ExpectSame(*back, r);
}

TEST(OpRelayJsonTest, UnknownOrMissingOpIsRefused) {
  json j = RequestToJson(FullRequest(api::Op::kPause));
  j["op"] = "reboot";
  auto r = RequestFromJson(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  j.erase("op");
  r = RequestFromJson(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpRelayJsonTest, GarbageAndWrongTypedRequestsAreRefusedWithoutThrowing) {
  const json good = RequestToJson(FullRequest(api::Op::kFailover));
  std::vector<json> bad = {json(), json(42), json("pause"), json::array({good}),
                           json::parse("x", nullptr, false)};
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, json>>{{"op", 3},
                                                 {"who", 7},
                                                 {"service", json::array()},
                                                 {"region", true},
                                                 {"to", json::object()},
                                                 {"force", "yes"},
                                                 {"overrides", "at_least_one_serving"},
                                                 {"overrides", json::array({1, 2})},
                                                 {"why", 1.5},
                                                 {"duration_ms", "90s"},
                                                 {"duration_ms", 1.5},
                                                 {"duration_ms", json()}}) {
    json j = good;
    j[key] = value;
    bad.push_back(j);
  }
  for (const json& j : bad) {
    SCOPED_TRACE(j.dump());
    Result<api::OperationRequest> r = api::OperationRequest{};
    EXPECT_NO_THROW(r = RequestFromJson(j));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(OpRelayJsonTest, OutcomeRoundTripsEveryStatusAndField) {
  for (Status s :
       {Status::kOk, Status::kRefused, Status::kNotFound, Status::kInvalid, Status::kFailed}) {
    SCOPED_TRACE(static_cast<int>(s));
    api::OperationOutcome o;
    o.status = s;
    o.message = "paused login until 10:00";
    o.refused_by = "max_changes_per_hour";
    o.detail = {{"applied_by", "eu-west"}, {"services", json::array({"login", "api"})}};
    auto back = OutcomeFromJson(json::parse(OutcomeToJson(o).dump()));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->status, s);
    EXPECT_EQ(back->message, o.message);
    EXPECT_EQ(back->refused_by, o.refused_by);
    EXPECT_EQ(back->detail, o.detail);
  }
}

TEST(OpRelayJsonTest, OutcomeDefaultsRoundTrip) {
  const api::OperationOutcome o;
  auto back = OutcomeFromJson(OutcomeToJson(o));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->status, Status::kOk);
  EXPECT_EQ(back->message, "");
  EXPECT_EQ(back->refused_by, "");
  EXPECT_EQ(back->detail, json::object());
}

TEST(OpRelayJsonTest, GarbageAndWrongTypedOutcomesAreRefusedWithoutThrowing) {
  api::OperationOutcome o;
  o.detail = {{"applied_by", "eu-west"}};
  const json good = OutcomeToJson(o);
  std::vector<json> bad = {json(), json(1), json("ok"), json::array({good}),
                           json::parse("{", nullptr, false)};
  for (const auto& [key, value] : std::vector<std::pair<std::string, json>>{
           {"status", 0},
           {"status", "applied"},  // unknown: not to be read as some other status
           {"message", 5},
           {"refused_by", json::array()},
           {"detail", "applied by eu-west"}}) {
    json j = good;
    j[key] = value;
    bad.push_back(j);
  }
  for (const json& j : bad) {
    SCOPED_TRACE(j.dump());
    Result<api::OperationOutcome> r = api::OperationOutcome{};
    EXPECT_NO_THROW(r = OutcomeFromJson(j));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace steer::agent
