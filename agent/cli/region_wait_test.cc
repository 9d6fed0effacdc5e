// drain/undrain --wait against a scripted steerd (its status as a function of fake time):
// no sleeps, no server.
#include "cli/region_wait.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/command.h"

namespace steer::agent::cli {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kA = "198.51.100.10";
constexpr const char* kB = "198.51.100.20";

// One service as steerd's API shows it. `matching` of 2 nameservers answer `answers`; the last
// of them `ago_ms` ago (when all do).
json Service(const std::string& on, std::vector<std::string> answers, int matching, int64_t ago_ms,
             const std::string& failback = "auto", const std::string& state = "ok") {
  const bool done = matching == 2;
  return {{"name", "login"},
          {"active_region", on},
          {"answers", answers},
          {"state", state},
          {"failback", failback},
          {"regions",
           json::array({{{"name", "a"}, {"answers", {kA}}}, {{"name", "b"}, {"answers", {kB}}}})},
          {"propagation",
           {{"region", on},
            {"answers", answers},
            {"matching", matching},
            {"total", 2},
            {"done", done},
            {"ttl", 30},
            {"done_ago_ms", done ? json(ago_ms) : json(nullptr)}}},
          {"last_error", nullptr}};
}

json Status(json service, bool a_healthy = true, bool a_drained = false) {
  return {{"services", json::array({std::move(service)})},
          {"regions", json::array({{{"name", "a"},
                                    {"healthy", a_healthy},
                                    {"drained", a_drained},
                                    {"detail", a_healthy ? "ok" : "auth: ready failed 3x"}},
                                   {{"name", "b"}, {"healthy", true}, {"drained", false}}})}};
}

Result<ApiResponse> Ok(json body) { return ApiResponse{200, std::move(body)}; }

class RegionWaitTest : public ::testing::Test {
 protected:
  // Runs the wait against `script` (steerd's status at a time since the start).
  int Wait(RegionWaitKind kind, const std::string& region, seconds timeout,
           std::function<Result<ApiResponse>(milliseconds)> script) {
    const auto start = clock_.SteadyNow();
    ApiGet get = [&](const std::string& path) -> Result<ApiResponse> {
      EXPECT_EQ(path, "/api/v1/status");
      ++polls_;
      return script(std::chrono::duration_cast<milliseconds>(clock_.SteadyNow() - start));
    };
    std::ostringstream out;
    int rc = WaitForRegion(get, clock_, {kind, region, timeout, milliseconds(500)}, out);
    out_ = out.str();
    return rc;
  }

  base::FakeClock clock_;
  std::string out_;
  int polls_ = 0;
};

// Moved at 1 s, one nameserver at 1.5 s, both at 2 s; the 30 s TTL then runs out at 32 s.
Result<ApiResponse> DrainingA(milliseconds t) {
  if (t < seconds(1)) return Ok(Status(Service("a", {kA}, 2, 60000), true, true));
  if (t < seconds(2)) {
    return Ok(Status(Service("b", {kB}, t < milliseconds(1500) ? 0 : 1, 0)));
  }
  return Ok(Status(Service("b", {kB}, 2, (t - seconds(2)).count())));
}

TEST_F(RegionWaitTest, DrainReturnsOnceEveryServerAnswersAndTheTtlHasPassed) {
  ASSERT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(60), DrainingA), kExitOk) << out_;
  EXPECT_GE(clock_.Slept(), seconds(32));
  EXPECT_LT(clock_.Slept(), milliseconds(32500));
  const char* in_order[] = {"login: still answers a (state ok)\n",
                            "login: moved to b (198.51.100.20); 0/2 nameservers answer it\n",
                            "login: moved to b (198.51.100.20); 1/2 nameservers answer it\n",
                            "every nameserver answers it; waiting out the TTL (30s)\n",
                            "every nameserver answers it and the TTL (30s) has passed\n",
                            "drain a: done in 32s\n"};
  size_t at = 0;
  for (const char* line : in_order) {
    size_t found = out_.find(line, at);
    ASSERT_NE(found, std::string::npos) << "missing, or out of order: " << line << "\n" << out_;
    at = found;
  }
  // A line per change, not per poll.
  EXPECT_EQ(out_.find("waiting out the TTL"), out_.rfind("waiting out the TTL")) << out_;
}

TEST_F(RegionWaitTest, DrainTimesOutWhileTheTtlRuns) {
  EXPECT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(20), DrainingA), kExitTimedOut) << out_;
  EXPECT_EQ(clock_.Slept(), seconds(20));
  EXPECT_NE(out_.find("steerctl drain: timed out after 20s; still waiting for login: moved to b "
                      "(198.51.100.20); every nameserver answers it; waiting out the TTL (30s)"),
            std::string::npos)
      << out_;
}

TEST_F(RegionWaitTest, ServingAllRegionsDrainsWhenTheRegionsRecordsLeave) {
  auto script = [](milliseconds t) {
    if (t < seconds(1)) return Ok(Status(Service("*", {kA, kB}, 2, 90000)));
    return Ok(Status(Service("*", {kB}, 2, 40000)));  // already past the TTL
  };
  ASSERT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(10), script), kExitOk) << out_;
  EXPECT_EQ(clock_.Slept(), seconds(1));
}

TEST_F(RegionWaitTest, AServiceNotUsingTheRegionIsNotWaitedFor) {
  json other = Service("a", {kA}, 0, 0);
  other["regions"] = json::array({{{"name", "a"}, {"answers", {kA}}}});
  ASSERT_EQ(Wait(RegionWaitKind::kDrain, "c", seconds(10),
                 [&](milliseconds) { return Ok(Status(other)); }),
            kExitOk);
  EXPECT_EQ(polls_, 1);
}

TEST_F(RegionWaitTest, AFollowerSaysToAskTheLeader) {
  json status = Status(Service("b", {kB}, 2, 90000));
  status["agent"] = {{"leader", false}, {"leader_vantage", "v2"}};
  EXPECT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(1), [&](milliseconds) { return Ok(status); }),
            kExitTimedOut);
  EXPECT_NE(out_.find("this steerd is not the leader (the leader is v2): only the leader checks "
                      "the nameservers; ask its API (--api)"),
            std::string::npos)
      << out_;
}

TEST_F(RegionWaitTest, ApiDownAtTheDeadlineIsItsOwnExitCode) {
  auto down = [](milliseconds) -> Result<ApiResponse> {
    return MakeError(ErrorCode::kUnavailable, "cannot reach steerd at http://127.0.0.1:1");
  };
  EXPECT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(5), down), kExitApiError);
  EXPECT_NE(out_.find("timed out after 5s: steerd did not answer: cannot reach steerd"),
            std::string::npos)
      << out_;
  // Said once, not once per poll.
  EXPECT_EQ(out_.find("(asking again)"), out_.rfind("(asking again)")) << out_;
}

TEST_F(RegionWaitTest, ApiBlipIsRiddenOut) {
  auto blip = [](milliseconds t) -> Result<ApiResponse> {
    if (t < seconds(2)) return ApiResponse{503, nullptr};
    return Ok(Status(Service("b", {kB}, 2, 31000)));
  };
  EXPECT_EQ(Wait(RegionWaitKind::kDrain, "a", seconds(5), blip), kExitOk) << out_;
  EXPECT_NE(out_.find("steerd: HTTP 503 (asking again)"), std::string::npos) << out_;
}

TEST_F(RegionWaitTest, UndrainOfAnUnhealthyRegionWaitsThenTimesOut) {
  auto sick = [](milliseconds) { return Ok(Status(Service("b", {kB}, 2, 90000), false)); };
  EXPECT_EQ(Wait(RegionWaitKind::kUndrain, "a", seconds(30), sick), kExitTimedOut);
  EXPECT_EQ(clock_.Slept(), seconds(30));
  EXPECT_NE(out_.find("steerctl undrain: timed out after 30s; still waiting for a: not healthy: "
                      "auth: ready failed 3x"),
            std::string::npos)
      << out_;
}

// Healthy at once; failback after 10 s, then the nameservers; no TTL wait.
TEST_F(RegionWaitTest, UndrainReturnsWhenTrafficIsBackOnEveryServer) {
  auto back = [](milliseconds t) {
    if (t < seconds(10)) {
      return Ok(Status(Service("b", {kB}, 2, 90000, "auto", "holding:failback_wait")));
    }
    return Ok(Status(Service("a", {kA}, t < seconds(11) ? 1 : 2, 0)));
  };
  ASSERT_EQ(Wait(RegionWaitKind::kUndrain, "a", seconds(60), back), kExitOk) << out_;
  EXPECT_EQ(clock_.Slept(), seconds(11));
  EXPECT_NE(out_.find("login: not back on a yet (on b, state holding:failback_wait)"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("login: back on a (198.51.100.10); 1/2 nameservers answer it"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("undrain a: done in 11s"), std::string::npos) << out_;
}

TEST_F(RegionWaitTest, UndrainWaitsUntilTheDrainIsGone) {
  auto script = [](milliseconds t) {
    return Ok(Status(Service(t < seconds(1) ? "b" : "a", {t < seconds(1) ? kB : kA}, 2, 0), true,
                     t < seconds(1)));
  };
  ASSERT_EQ(Wait(RegionWaitKind::kUndrain, "a", seconds(5), script), kExitOk) << out_;
  EXPECT_NE(out_.find("a: still drained"), std::string::npos) << out_;
}

TEST_F(RegionWaitTest, UndrainDoesNotWaitForAManualFailbackOrALowerRegion) {
  auto manual = [](milliseconds) { return Ok(Status(Service("b", {kB}, 2, 0, "manual"))); };
  ASSERT_EQ(Wait(RegionWaitKind::kUndrain, "a", seconds(5), manual), kExitOk) << out_;
  EXPECT_NE(out_.find("login: failback is manual; to return: steerctl switchover login --to a"),
            std::string::npos)
      << out_;
  auto on_a = [](milliseconds) { return Ok(Status(Service("a", {kA}, 2, 0))); };
  ASSERT_EQ(Wait(RegionWaitKind::kUndrain, "b", seconds(5), on_a), kExitOk) << out_;
  EXPECT_NE(out_.find("login: stays on a (listed before b)"), std::string::npos) << out_;
  EXPECT_EQ(clock_.Slept(), seconds(0));
}

}  // namespace
}  // namespace steer::agent::cli
