// steerctl's operator commands against a real API server (Beast, port 0) and a fake backend
// that plays steerd: propagation advances one nameserver per poll.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "api/router.h"
#include "cli/command.h"

namespace steer::agent::cli {
int RunStatus(int argc, char** argv);
int RunHistory(int argc, char** argv);
int RunSwitchover(int argc, char** argv);
int RunFailover(int argc, char** argv);
int RunDrain(int argc, char** argv);
int RunUndrain(int argc, char** argv);
int RunPause(int argc, char** argv);
int RunReload(int argc, char** argv);

namespace {

using json = nlohmann::json;
using api::OperationOutcome;

class PlayBackend : public api::Backend {
 public:
  json Status() override {
    return {{"agent", {{"vantage", "local"}, {"leader", true}, {"policy", "/etc/steer/p.yaml"}}},
            {"services", json::array({Service("login").value()})},
            {"regions", json::array({{{"name", "a"}, {"healthy", false}, {"drained", false}},
                                     {{"name", "b"}, {"healthy", true}, {"drained", false}}})}};
  }
  std::optional<json> Service(const std::string& name) override {
    if (name != "login") return std::nullopt;
    std::lock_guard lock(mu);
    if (target == "b" && matching < 3) ++matching;
    json s = {{"name", "login"},
              {"dns_name", "login.demo.test."},
              {"active_region", target.empty() ? "a" : target},
              {"answers", json::array({target == "b" ? "198.51.100.20" : "198.51.100.10"})},
              {"state", "ok"},
              {"failback", "auto"},
              {"regions", json::array({{{"name", "a"}, {"answers", {"198.51.100.10"}}},
                                       {{"name", "b"}, {"answers", {"198.51.100.20"}}}})}};
    if (held) {  // region a is down and the rate rule refuses the failover (steerd's shape)
      s["state"] = "blocked:max_changes_per_hour";
      s["decision"] = {
          {"action", "blocked"},
          {"cause", "max_changes_per_hour"},
          {"sentence", "a down; failover a \u2192 b refused: 6 changes in the last hour"},
          {"reasons", json::array({"a down: auth failed 3x (connect)",
                                   "failover a \u2192 b refused: 6 changes in the last hour, "
                                   "max_changes_per_hour 6"})}};
    }
    if (!target.empty()) {
      s["propagation"] = {{"region", target},
                          {"answers", json::array({"198.51.100.20"})},
                          {"total", 3},
                          {"matching", matching},
                          {"done", matching == 3},
                          {"ttl", 0},
                          {"done_ago_ms", 0}};
    }
    return s;
  }
  json History(const api::HistoryRequest&) override {
    return json::array({{{"id", 7},
                         {"time", "2026-11-28T02:00:00Z"},
                         {"kind", "operation"},
                         {"who", "alice"},
                         {"service", "login"},
                         {"what", "pause login"},
                         {"why", "deploy"}}});
  }
  bool Healthy(std::string*) override { return true; }
  std::string Metrics() override { return ""; }
  OperationOutcome Operate(const api::OperationRequest& r) override {
    std::lock_guard lock(mu);
    ops.push_back(r);
    if (r.op == api::Op::kSwitchover && refuse) {
      return {OperationOutcome::Status::kRefused, "region b is unhealthy", "target_healthy", {}};
    }
    if (r.op == api::Op::kDrain && refuse) {  // steerd's refusal of the last healthy region
      return {OperationOutcome::Status::kRefused,
              "draining a leaves login no healthy region",
              "at_least_one_serving",
              {}};
    }
    if (r.op == api::Op::kDrain && r.region == "a") target = "b";
    if (r.op == api::Op::kReload) {
      return {OperationOutcome::Status::kInvalid,
              "policy invalid; running policy kept",
              "",
              {{"diagnostics", json::array({"p.yaml:3:5: services.login.ttl: must be > 0"})}}};
    }
    if (r.op == api::Op::kSwitchover || r.op == api::Op::kFailover) target = r.to;
    return {OperationOutcome::Status::kOk, "accepted", "", {}};
  }
  std::mutex mu;
  std::string target;
  int matching = 0;
  bool refuse = false;
  bool held = false;
  std::vector<api::OperationRequest> ops;
};

class OpsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/token") << "cli-token-0123456789\n";
    store_ = std::move(*StateStore::Open(dir_));
    router_ = std::make_unique<api::Router>(backend_, auth_, *store_, nullptr);
    server_ = std::move(*api::ServeApi("127.0.0.1:0", *router_));
    api_ = "http://" + server_->address();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Runs one subcommand; returns its exit code and captures stdout and stderr.
  int Run(int (*fn)(int, char**), std::vector<std::string> args, bool with_token = true) {
    args.insert(args.end(), {"--api", api_});
    if (with_token) args.insert(args.end(), {"--token-file", dir_ + "/token"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    int rc = fn(static_cast<int>(argv.size()), argv.data());
    out_ = ::testing::internal::GetCapturedStdout();
    err_ = ::testing::internal::GetCapturedStderr();
    return rc;
  }

  std::string dir_, api_, out_, err_;
  PlayBackend backend_;
  api::TokenHolder auth_{api::TokenAuth::Single("alice", "cli-token-0123456789")};
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<base::HttpServer> server_;
};

TEST_F(OpsCliTest, StatusTableAndJson) {
  ASSERT_EQ(Run(RunStatus, {"status"}, false), kExitOk) << err_;
  EXPECT_NE(out_.find("SERVICE  DNS NAME          ACTIVE  ANSWERS        STATE"), std::string::npos)
      << out_;
  EXPECT_NE(out_.find("login    login.demo.test.  a       198.51.100.10  ok"), std::string::npos)
      << out_;
  EXPECT_NE(out_.find("a       no       no"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("HELD"), std::string::npos) << out_;
  ASSERT_EQ(Run(RunStatus, {"status", "--json"}, false), kExitOk);
  EXPECT_EQ(json::parse(out_)["services"][0]["name"], "login");
}

TEST_F(OpsCliTest, StatusSaysWhichRuleHoldsAChange) {
  backend_.held = true;
  ASSERT_EQ(Run(RunStatus, {"status"}, false), kExitOk) << err_;
  EXPECT_NE(out_.find("\nHELD login: failover a \u2192 b held by rule max_changes_per_hour (6 "
                      "changes in the last hour, max_changes_per_hour 6); still answering a "
                      "198.51.100.10\n"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("steerctl failover login --to b --force --override max_changes_per_hour"),
            std::string::npos)
      << out_;
  // Between the service and region tables.
  EXPECT_LT(out_.find("SERVICE"), out_.find("HELD"));
  EXPECT_LT(out_.find("HELD"), out_.find("REGION"));
}

TEST_F(OpsCliTest, HistoryTable) {
  ASSERT_EQ(Run(RunHistory, {"history", "login"}, false), kExitOk) << err_;
  EXPECT_NE(out_.find("pause login"), std::string::npos) << out_;
  EXPECT_NE(out_.find("alice"), std::string::npos);
}

TEST_F(OpsCliTest, SwitchoverShowsPropagationProgress) {
  ASSERT_EQ(Run(RunSwitchover,
                {"switchover", "login", "--to", "b", "--poll", "1ms", "--why", "maintenance"}),
            kExitOk)
      << err_;
  EXPECT_NE(out_.find("1/3 nameservers answer 198.51.100.20"), std::string::npos) << out_;
  EXPECT_NE(out_.find("3/3 nameservers answer 198.51.100.20"), std::string::npos) << out_;
  ASSERT_EQ(backend_.ops.size(), 1u);
  EXPECT_EQ(backend_.ops[0].who, "alice");
  EXPECT_EQ(backend_.ops[0].why, "maintenance");
}

TEST_F(OpsCliTest, RefusalNamesTheRule) {
  backend_.refuse = true;
  EXPECT_EQ(Run(RunSwitchover, {"switchover", "login", "--to", "b"}), kExitFailed);
  EXPECT_NE(err_.find("region b is unhealthy"), std::string::npos) << err_;
  EXPECT_NE(err_.find("refused by rule: target_healthy"), std::string::npos) << err_;
}

TEST_F(OpsCliTest, FailoverNeedsForceAndPassesOverrides) {
  EXPECT_EQ(Run(RunFailover, {"failover", "login", "--to", "b"}), kExitUsage);
  EXPECT_TRUE(backend_.ops.empty());
  ASSERT_EQ(
      Run(RunFailover, {"failover", "login", "--to", "b", "--force", "--override",
                        "max_changes_per_hour", "--override", "block_after_failover", "--no-wait"}),
      kExitOk)
      << err_;
  ASSERT_EQ(backend_.ops.size(), 1u);
  EXPECT_TRUE(backend_.ops[0].force);
  EXPECT_EQ(backend_.ops[0].overrides.size(), 2u);
}

TEST_F(OpsCliTest, OperationsWithoutTokenAreRefused) {
  unsetenv("STEER_TOKEN");
  unsetenv("STEER_TOKEN_FILE");
  EXPECT_EQ(Run(RunPause, {"pause", "login"}, false), kExitUsage);
  std::ofstream(dir_ + "/bad") << "wrong-token-0123456789\n";
  EXPECT_EQ(Run(RunPause, {"pause", "login", "--token-file", dir_ + "/bad"}, false), kExitFailed);
  EXPECT_NE(err_.find("401"), std::string::npos) << err_;
  EXPECT_TRUE(backend_.ops.empty());
}

TEST_F(OpsCliTest, DrainPauseAndInvalidReload) {
  ASSERT_EQ(Run(RunDrain, {"drain", "a", "--for", "1h"}), kExitOk) << err_;
  EXPECT_EQ(backend_.ops.back().region, "a");
  EXPECT_EQ(backend_.ops.back().duration, std::chrono::hours(1));
  ASSERT_EQ(Run(RunPause, {"pause"}), kExitOk) << err_;
  EXPECT_EQ(backend_.ops.back().service, "");
  EXPECT_EQ(Run(RunReload, {"reload"}), kExitFailed);
  EXPECT_NE(err_.find("services.login.ttl: must be > 0"), std::string::npos) << err_;
  EXPECT_EQ(Run(RunDrain, {"drain"}), kExitUsage);
  EXPECT_EQ(Run(RunDrain, {"drain", "a", "--bogus"}), kExitUsage);
}

TEST_F(OpsCliTest, DrainWaitFollowsEveryNameserverOffTheRegion) {
  ASSERT_EQ(Run(RunDrain, {"drain", "a", "--wait", "--poll", "1ms", "--why", "deploy"}), kExitOk)
      << err_;
  EXPECT_EQ(backend_.ops.back().why, "deploy");
  EXPECT_NE(err_.find("login: moved to b (198.51.100.20); 1/3 nameservers answer it"),
            std::string::npos)
      << err_;
  EXPECT_NE(err_.find("every nameserver answers it and the TTL (0ms) has passed"),
            std::string::npos)
      << err_;
  EXPECT_NE(err_.find("drain a: done in "), std::string::npos) << err_;
}

TEST_F(OpsCliTest, DrainOfTheLastHealthyRegionIsRefusedNamingTheOverride) {
  backend_.refuse = true;
  EXPECT_EQ(Run(RunDrain, {"drain", "b", "--wait"}), kExitFailed);
  EXPECT_NE(err_.find("draining a leaves login no healthy region\n"
                      "  refused by rule: at_least_one_serving (HTTP 409)\n"
                      "  to drain anyway: steerctl drain b --override at_least_one_serving\n"),
            std::string::npos)
      << err_;
  ASSERT_EQ(Run(RunDrain, {"drain", "b", "--override", "at_least_one_serving"}), kExitFailed);
  EXPECT_EQ(backend_.ops.back().overrides, std::vector<std::string>{"at_least_one_serving"});
}

TEST_F(OpsCliTest, UndrainWaitTimesOutOnAnUnhealthyRegion) {
  // Region a is unhealthy in PlayBackend's status.
  EXPECT_EQ(Run(RunUndrain, {"undrain", "a", "--wait", "--timeout", "50ms", "--poll", "5ms"}),
            kExitTimedOut);
  EXPECT_NE(err_.find("steerctl undrain: timed out after 50ms; still waiting for a: not healthy"),
            std::string::npos)
      << err_;
}

TEST_F(OpsCliTest, DrainWithoutTheApiIsAnApiError) {
  server_.reset();
  EXPECT_EQ(Run(RunDrain, {"drain", "a", "--wait"}), kExitApiError);
  EXPECT_NE(err_.find("cannot reach steerd"), std::string::npos) << err_;
  EXPECT_EQ(Run(RunUndrain, {"undrain", "a"}), kExitApiError);
}

TEST_F(OpsCliTest, HelpWorksWithoutRequiredArguments) {
  EXPECT_EQ(Run(RunFailover, {"failover", "--help"}, false), kExitOk) << err_;
  EXPECT_NE(out_.find("--override"), std::string::npos);
  EXPECT_EQ(Run(RunFailover, {"failover", "--to", "b", "--force"}), kExitUsage);
}

TEST_F(OpsCliTest, UnreachableApiFails) {
  server_.reset();
  EXPECT_EQ(Run(RunStatus, {"status"}, false), kExitFailed);
  EXPECT_NE(err_.find("cannot reach steerd"), std::string::npos) << err_;
}

}  // namespace
}  // namespace steer::agent::cli
