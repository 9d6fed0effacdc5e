#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api/router.h"
#include "steer/base/http_client.h"

namespace steer::agent::api {
namespace {

using json = nlohmann::json;
const std::string kToken = "s3cret-token-0123456789";

class FakeBackend : public Backend {
 public:
  json Status() override { return {{"services", json::array({{{"name", "login"}}})}}; }
  std::optional<json> Service(const std::string& name) override {
    if (name != "login") return std::nullopt;
    return json{{"name", "login"}, {"active_region", "a"}};
  }
  json History(const HistoryRequest& r) override {
    std::lock_guard lock(mu);
    last_history = r;
    return json::array();
  }
  bool Healthy(std::string* reason) override {
    *reason = "state store unwritable";
    return healthy;
  }
  std::string Metrics() override { return "steer_leader 1\n"; }
  OperationOutcome Operate(const OperationRequest& r) override {
    std::lock_guard lock(mu);
    ops.push_back(r);
    return next;
  }
  OperationOutcome OperateStatus(const StatusRequest& r) override {
    std::lock_guard lock(mu);
    status_ops.push_back(r);
    return next;
  }
  std::mutex mu;
  std::vector<StatusRequest> status_ops;
  bool healthy = true;
  HistoryRequest last_history;
  std::vector<OperationRequest> ops;
  OperationOutcome next;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-api-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = std::move(*StateStore::Open(dir_));
    router_ = std::make_unique<Router>(backend_, auth_, *store_, nullptr);
    auto s = ServeApi("127.0.0.1:0", *router_);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  base::HttpResponse Call(const std::string& method, const std::string& path,
                          const std::string& body = "", const std::string& token = "") {
    base::HttpRequest r;
    r.method = method;
    r.url = "http://" + server_->address() + path;
    r.body = body;
    r.timeout = std::chrono::milliseconds(5000);
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    auto resp = base::SendHttp(r);
    EXPECT_TRUE(resp) << (resp ? "" : resp.error().message);
    return resp ? *resp : base::HttpResponse{};
  }

  std::string dir_;
  FakeBackend backend_;
  TokenHolder auth_{TokenAuth::Single("alice", kToken)};
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<base::HttpServer> server_;
};

TEST_F(ApiTest, ReadEndpoints) {
  auto st = Call("GET", "/api/v1/status");
  EXPECT_EQ(st.status, 200);
  EXPECT_EQ(json::parse(st.body)["services"][0]["name"], "login");
  EXPECT_EQ(Call("GET", "/api/v1/services/login").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/services/nope").status, 404);
  EXPECT_EQ(Call("GET", "/healthz").body, "ok\n");
  backend_.healthy = false;
  auto h = Call("GET", "/healthz");
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(h.body, "state store unwritable\n");
  EXPECT_EQ(Call("GET", "/metrics").body, "steer_leader 1\n");
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/status").status, 405);
}

// Found by tests/fuzz/steerd_api: a path that is not UTF-8 is echoed in the error, and
// json::dump threw on it (type_error 316) out of Handle: one unauthenticated GET ended steerd.
TEST_F(ApiTest, PathThatIsNotUtf8GetsAnErrorNotAnException) {
  base::ServerRequest get{"GET", "/api/v1/services/a\xc1z", "", {}, "", "127.0.0.1"};
  base::ServerResponse r = router_->Handle(get);
  EXPECT_EQ(r.status, 404);
  auto body = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << r.body;
  EXPECT_FALSE(body["ok"].get<bool>());
  base::ServerRequest post{"POST", "/api/v1/regions/a/dr\xc1in", "", {}, "{}", "127.0.0.1"};
  post.headers["authorization"] = "Bearer " + kToken;
  EXPECT_EQ(router_->Handle(post).status, 404);
}

TEST_F(ApiTest, HistoryQueryParameters) {
  EXPECT_EQ(Call("GET", "/api/v1/history?service=log%69n&limit=5&before=42").status, 200);
  EXPECT_EQ(backend_.last_history.service, "login");
  EXPECT_EQ(backend_.last_history.limit, 5);
  EXPECT_EQ(backend_.last_history.before_id, 42);
  EXPECT_EQ(Call("GET", "/api/v1/history?limit=x").status, 400);
}

TEST_F(ApiTest, OperationsRequireAValidToken) {
  auto none = Call("POST", "/api/v1/services/login/pause", "{}");
  EXPECT_EQ(none.status, 401);
  auto wrong = Call("POST", "/api/v1/services/login/pause", "{}", "s3cret-token-0123456780");
  EXPECT_EQ(wrong.status, 401);
  auto prefix = Call("POST", "/api/v1/services/login/pause", "{}", kToken.substr(0, 10));
  EXPECT_EQ(prefix.status, 401);
  EXPECT_TRUE(backend_.ops.empty());
  EXPECT_TRUE(store_->History({})->empty());
}

TEST_F(ApiTest, OperationIsPerformedAndAudited) {
  auto r = Call("POST", "/api/v1/services/login/failover",
                R"({"to":"b","force":true,"override":["max_changes_per_hour"],"why":"dr drill"})",
                kToken);
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(backend_.ops.size(), 1u);
  const auto& op = backend_.ops[0];
  EXPECT_EQ(op.op, Op::kFailover);
  EXPECT_EQ(op.who, "alice");
  EXPECT_EQ(op.service, "login");
  EXPECT_EQ(op.to, "b");
  EXPECT_EQ(op.overrides, std::vector<std::string>{"max_changes_per_hour"});
  auto audit = store_->History({});
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].who, "alice");
  EXPECT_EQ((*audit)[0].kind, AuditKind::kOperation);
  EXPECT_EQ((*audit)[0].why, "dr drill");
  EXPECT_EQ((*audit)[0].what,
            "failover login --to b --force --override max_changes_per_hour => ok");
  EXPECT_EQ(json::parse(r.body)["audit_id"], (*audit)[0].id);
}

TEST_F(ApiTest, RefusalNamesTheRuleAndIsAudited) {
  backend_.next = {OperationOutcome::Status::kRefused, "3 changes in the last hour",
                   "max_changes_per_hour", json::object()};
  auto r = Call("POST", "/api/v1/services/login/switchover", R"({"to":"b"})", kToken);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["refused_by"], "max_changes_per_hour");
  auto audit = store_->History({});
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_FALSE((*audit)[0].ok);
  EXPECT_NE((*audit)[0].what.find("refused by max_changes_per_hour"), std::string::npos);
}

TEST_F(ApiTest, RoutesAndValidation) {
  EXPECT_EQ(Call("POST", "/api/v1/regions/eu/drain", R"({"for":"30m"})", kToken).status, 200);
  EXPECT_EQ(backend_.ops.back().region, "eu");
  EXPECT_EQ(backend_.ops.back().duration, std::chrono::minutes(30));
  EXPECT_EQ(Call("POST", "/api/v1/pause", "", kToken).status, 200);
  EXPECT_EQ(backend_.ops.back().service, "");
  EXPECT_EQ(Call("POST", "/api/v1/reload", "", kToken).status, 200);
  EXPECT_EQ(backend_.ops.back().op, Op::kReload);
  size_t before = backend_.ops.size();
  EXPECT_EQ(Call("POST", "/api/v1/services/login/switchover", "{}", kToken).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/services/login/failover", R"({"to":"b"})", kToken).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/services/login/ack", "not json", kToken).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/services/login/ack", R"({"why":3})", kToken).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/regions/eu/pause", "{}", kToken).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/reboot", "{}", kToken).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/regions/eu/drain", R"({"for":"5"})", kToken).status, 400);
  EXPECT_EQ(backend_.ops.size(), before);
}

// The status page's operations: routed with their id and body, token required, audited with
// the message as the why.
TEST_F(ApiTest, IncidentAndMaintenanceRoutes) {
  const std::string open = R"({"services":["login"],"impact":"major","message":"<b>down</b>"})";
  EXPECT_EQ(Call("POST", "/api/v1/incidents", open).status, 401);
  EXPECT_TRUE(backend_.status_ops.empty());
  backend_.next.detail = {{"id", 7}};
  EXPECT_EQ(Call("POST", "/api/v1/incidents", open, kToken).status, 200);
  ASSERT_EQ(backend_.status_ops.size(), 1u);
  EXPECT_EQ(backend_.status_ops[0].op, StatusOp::kIncidentOpen);
  EXPECT_EQ(backend_.status_ops[0].who, "alice");
  EXPECT_EQ(backend_.status_ops[0].body["message"], "<b>down</b>");
  auto audit = store_->History({});
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].what, "incident open login --impact major (#7) => ok");
  EXPECT_EQ((*audit)[0].why, "<b>down</b>");
  backend_.next.detail = json::object();
  EXPECT_EQ(Call("POST", "/api/v1/incidents/7/update", "{}", kToken).status, 200);
  EXPECT_EQ(backend_.status_ops.back().op, StatusOp::kIncidentUpdate);
  EXPECT_EQ(backend_.status_ops.back().id, 7);
  EXPECT_EQ(Call("POST", "/api/v1/incidents/7/resolve", "", kToken).status, 200);
  EXPECT_EQ(backend_.status_ops.back().op, StatusOp::kIncidentResolve);
  EXPECT_EQ(Call("POST", "/api/v1/maintenance", "{}", kToken).status, 200);
  EXPECT_EQ(backend_.status_ops.back().op, StatusOp::kMaintenanceSchedule);
  EXPECT_EQ(Call("POST", "/api/v1/maintenance/3/cancel", "{}", kToken).status, 200);
  EXPECT_EQ(backend_.status_ops.back().op, StatusOp::kMaintenanceCancel);
  EXPECT_EQ(backend_.status_ops.back().id, 3);
  const size_t before = backend_.status_ops.size();
  for (const char* path :
       {"/api/v1/incidents/x/update", "/api/v1/incidents/0/update", "/api/v1/incidents/7/cancel",
        "/api/v1/maintenance/3/resolve", "/api/v1/incidents/7", "/api/v1/incidents/7e2/update"}) {
    EXPECT_EQ(Call("POST", path, "{}", kToken).status, 404) << path;
  }
  EXPECT_EQ(Call("POST", "/api/v1/incidents", "[1]", kToken).status, 400);
  EXPECT_EQ(backend_.status_ops.size(), before);
  backend_.next = {OperationOutcome::Status::kNotFound, "no service 'x'", "", json::object()};
  auto r = Call("POST", "/api/v1/incidents", R"({"services":["x"]})", kToken);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"], "no service 'x'");
}

TEST_F(ApiTest, OversizedBodyIsRefused) {
  base::HttpRequest r;
  r.method = "POST";
  r.url = "http://" + server_->address() + "/api/v1/reload";
  r.headers = {{"Authorization", "Bearer " + kToken}};
  r.body = std::string(100 * 1024, 'x');
  r.timeout = std::chrono::milliseconds(5000);
  auto resp = base::SendHttp(r);
  EXPECT_TRUE(!resp || resp->status >= 400);
  EXPECT_TRUE(backend_.ops.empty());
}

TEST_F(ApiTest, SwappedTokensApplyToTheNextRequest) {
  const std::string fresh = "fresh-token-0123456789";
  EXPECT_EQ(Call("POST", "/api/v1/pause", "", kToken).status, 200);
  auth_.Set(TokenAuth::Single("bob", fresh));
  EXPECT_EQ(Call("POST", "/api/v1/pause", "", kToken).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/pause", "", fresh).status, 200);
  EXPECT_EQ(backend_.ops.back().who, "bob");
}

// Requests authenticate while the tokens are swapped underneath them: each request sees one
// whole set (the old or the new), never a freed one (ASan checks the latter).
TEST(TokenHolderTest, ConcurrentReadersAndSwaps) {
  const std::string a = "aaaaaaaaaaaaaaaa-1", b = "bbbbbbbbbbbbbbbb-2";
  TokenHolder holder(TokenAuth::Single("a", a));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto snapshot = holder.Get();
        auto who_a = snapshot->Authenticate("Bearer " + a);
        auto who_b = snapshot->Authenticate("Bearer " + b);
        if (who_a.has_value() == who_b.has_value()) ++bad;  // exactly one set is current
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    holder.Set(i % 2 ? TokenAuth::Single("a", a) : TokenAuth::Single("b", b));
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(holder.Get()->names(), std::vector<std::string>{"a"});
}

TEST(TokenAuthTest, ParsesFileFormat) {
  auto a =
      TokenAuth::Parse("# operators\n\nalice: aaaaaaaaaaaaaaaa1\nbob:bbbbbbbbbbbbbbbb2\r\n", "t");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->Authenticate("Bearer aaaaaaaaaaaaaaaa1"), "alice");
  EXPECT_EQ(a->Authenticate("Bearer bbbbbbbbbbbbbbbb2"), "bob");
  EXPECT_EQ(a->Authenticate("Bearer bbbbbbbbbbbbbbbb"), std::nullopt);
  EXPECT_EQ(a->Authenticate("bbbbbbbbbbbbbbbb2"), std::nullopt);
  EXPECT_EQ(a->Authenticate("Basic bbbbbbbbbbbbbbbb2"), std::nullopt);
  EXPECT_EQ(a->Authenticate("Bearer "), std::nullopt);
  EXPECT_EQ(a->names(), (std::vector<std::string>{"alice", "bob"}));
}

// Tokens are compared as SHA-256 digests of equal length (CRYPTO_memcmp, every entry): a
// token that differs in its last byte, a prefix of a token and a token with a valid prefix
// are all refused the same way, however long.
TEST(TokenAuthTest, DifferentLengthsAndNearMissesAreRefused) {
  TokenAuth a = TokenAuth::Single("alice", "aaaaaaaaaaaaaaaa1");
  EXPECT_EQ(a.Authenticate("Bearer aaaaaaaaaaaaaaaa1"), "alice");
  EXPECT_EQ(a.Authenticate("Bearer aaaaaaaaaaaaaaaa2"), std::nullopt);
  EXPECT_EQ(a.Authenticate("Bearer aaaaaaaaaaaaaaaa"), std::nullopt);
  EXPECT_EQ(a.Authenticate("Bearer aaaaaaaaaaaaaaaa1a"), std::nullopt);
  EXPECT_EQ(a.Authenticate("Bearer a"), std::nullopt);
  EXPECT_EQ(a.Authenticate("Bearer aaaaaaaaaaaaaaaa1" + std::string(100000, 'x')), std::nullopt);
}

TEST(TokenAuthTest, RefusesBadFilesWithoutEchoingTokens) {
  auto short_token = TokenAuth::Parse("alice:tooshort\n", "tokens");
  ASSERT_FALSE(short_token);
  EXPECT_EQ(short_token.error().message.find("tooshort"), std::string::npos);
  EXPECT_NE(short_token.error().message.find("tokens:1"), std::string::npos);
  EXPECT_FALSE(TokenAuth::Parse("no-colon-here-at-all\n", "t"));
  EXPECT_FALSE(TokenAuth::Parse("# only comments\n", "t"));
  EXPECT_FALSE(TokenAuth::FromFile("/nonexistent/steer-tokens"));
}

TEST(TokenAuthTest, FromSecretNamesTheTokenOperator) {
  setenv("STEER_TEST_API_TOKEN", "env-token-abcdefghijkl", 1);
  auto a = TokenAuth::FromSecret(*base::ParseSecretRef("env:STEER_TEST_API_TOKEN"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->Authenticate("Bearer env-token-abcdefghijkl"), "operator");
}

}  // namespace
}  // namespace steer::agent::api
