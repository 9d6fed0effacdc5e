#include "write_recorder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leader_reader.h"
#include "write_check.h"

namespace steer::fault {
namespace {

using base::ServerRequest;

// Plays etcd (a leader key) and PowerDNS (answers 204, remembers what it got).
class FakeBackends : public base::HttpClient {
 public:
  Result<base::HttpResponse> Send(const base::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu);
    if (request.url.find("/v3/kv/range") != std::string::npos) {
      ++etcd_calls;
      if (request.url.rfind(down_etcd, 0) == 0 && !down_etcd.empty()) {
        return MakeError(ErrorCode::kUnavailable, "POST etcd: refused");
      }
      range_bodies.push_back(request.body);
      if (leader.empty()) return base::HttpResponse{200, {}, R"({"header":{"revision":"3"}})"};
      return base::HttpResponse{200,
                                {},
                                R"({"kvs":[{"key":"x","value":")" + Base64(leader) +
                                    R"(","create_revision":")" + token + "\"}]}"};
    }
    upstream.push_back(request);
    return base::HttpResponse{204, {{"Server", "pdns"}, {"Connection", "close"}}, ""};
  }
  std::mutex mu;
  std::string leader = "a";
  std::string token = "7";
  std::string down_etcd;
  int etcd_calls = 0;
  std::vector<std::string> range_bodies;
  std::vector<base::HttpRequest> upstream;
};

constexpr const char* kPatch =
    R"({"rrsets":[{"name":"login.example.test.","type":"A","ttl":30,"changetype":"REPLACE",)"
    R"("records":[{"content":"10.0.0.1","disabled":false}]}]})";

class WriteRecorderTest : public ::testing::Test {
 protected:
  WriteRecorderTest()
      : recorder_(Options(), backends_, clock_, [this](const std::string& l) {
          auto r = ParseJsonLine(l);
          ASSERT_TRUE(r) << l;
          lines_.push_back(*r);
        }) {}

  static RecorderOptions Options() {
    RecorderOptions o;
    o.upstream = "http://pdns";
    o.writers = {{"10.0.0.1", "a"}, {"10.0.0.2", "b"}};
    o.etcd_endpoints = {"http://etcd1", "http://etcd2"};
    return o;
  }

  base::ServerResponse Send(const std::string& ip, const std::string& method,
                            const std::string& path, const std::string& body,
                            std::map<std::string, std::string> headers = {}) {
    ServerRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.remote_ip = ip;
    r.headers = std::move(headers);
    r.headers["x-api-key"] = "secret";
    return recorder_.Handle(r);
  }

  const std::string zone_ = "/api/v1/servers/localhost/zones/example.test.";
  FakeBackends backends_;
  base::FakeClock clock_;
  std::vector<WriteRecord> lines_;
  WriteRecorder recorder_;
};

TEST_F(WriteRecorderTest, WriteIsForwardedAndRecordedWithTheLeader) {
  auto response = Send("::ffff:10.0.0.1", "PATCH", zone_, kPatch,
                       {{"x-steer-fencing-token", "7"}, {"content-type", "application/json"}});
  EXPECT_EQ(response.status, 204);
  ASSERT_EQ(backends_.upstream.size(), 1u);
  const auto& sent = backends_.upstream[0];
  EXPECT_EQ(sent.url, "http://pdns" + zone_);
  EXPECT_EQ(sent.body, kPatch);
  EXPECT_NE(std::find(sent.headers.begin(), sent.headers.end(),
                      std::make_pair(std::string("x-api-key"), std::string("secret"))),
            sent.headers.end());
  for (const auto& h : response.headers) EXPECT_NE(h.first, "Connection");
  EXPECT_EQ(backends_.range_bodies, std::vector<std::string>{"{\"key\":\"L3N0ZWVyL2xlYWRlcg==\"}"});
  ASSERT_EQ(lines_.size(), 1u);
  const auto& r = lines_[0];
  EXPECT_EQ(r.writer, "a");
  EXPECT_EQ(r.writer_ip, "10.0.0.1");
  EXPECT_EQ(r.writer_token, 7);
  EXPECT_EQ(r.leader, "a");
  EXPECT_EQ(r.leader_token, 7);
  EXPECT_EQ(r.status, 204);
  ASSERT_EQ(r.rrsets.size(), 1u);
  EXPECT_EQ(r.rrsets[0].records, std::vector<std::string>{"10.0.0.1"});
  EXPECT_TRUE(CheckWrites(lines_, {}).ok());
}

TEST_F(WriteRecorderTest, ReadsAreForwardedButNotRecorded) {
  EXPECT_EQ(Send("10.0.0.2", "GET", zone_, "").status, 204);
  EXPECT_EQ(backends_.upstream.size(), 1u);
  EXPECT_TRUE(lines_.empty());
  EXPECT_EQ(backends_.etcd_calls, 0);
}

TEST_F(WriteRecorderTest, UnknownSourceIsNamedByHeaderElseIp) {
  Send("10.0.0.9", "PATCH", zone_, kPatch, {{"x-steer-vantage", "c"}});
  Send("10.0.0.9", "DELETE", zone_, "");
  Send("10.0.0.2", "PATCH", zone_, kPatch, {{"x-steer-vantage", "liar"}});
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[0].writer, "c");
  EXPECT_EQ(lines_[1].writer, "10.0.0.9");
  EXPECT_EQ(lines_[2].writer, "b");
  EXPECT_EQ(lines_[2].writer_header, "liar");
  EXPECT_EQ(CheckWrites(lines_, {}).violations.size(), 3u);  // none of them is leader a
}

TEST_F(WriteRecorderTest, NoLeaderKeyAndUnreachableEtcdAreRecorded) {
  backends_.leader = "";
  Send("10.0.0.1", "PATCH", zone_, kPatch);
  backends_.down_etcd = "http://etcd";  // both endpoints
  Send("10.0.0.1", "PATCH", zone_, kPatch);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_FALSE(lines_[0].leader);
  EXPECT_TRUE(lines_[0].leader_error.empty());
  EXPECT_EQ(lines_[1].leader_error, "etcd: http://etcd2: POST etcd: refused");
}

TEST_F(WriteRecorderTest, Fail503FaultAnswersWithoutForwardingOnlyThatWriter) {
  auto set = Send("127.0.0.1", "POST", "/_recorder/fault", R"({"writer":"b","mode":"fail503"})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Send("10.0.0.2", "PATCH", zone_, kPatch).status, 503);
  EXPECT_EQ(Send("10.0.0.2", "GET", zone_, "").status, 204);  // scope: writes
  EXPECT_EQ(Send("10.0.0.1", "PATCH", zone_, kPatch).status, 204);
  EXPECT_EQ(backends_.upstream.size(), 2u);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[0].injected, "fail503");
  EXPECT_EQ(lines_[0].status, 503);
  Send("127.0.0.1", "POST", "/_recorder/fault", R"({"writer":"b","mode":"none"})");
  EXPECT_EQ(Send("10.0.0.2", "PATCH", zone_, kPatch).status, 204);
}

TEST_F(WriteRecorderTest, HoldFaultSleepsBeforeReadingTheLeader) {
  Send("127.0.0.1", "POST", "/_recorder/fault", R"({"writer":"a","hold_ms":1500,"scope":"all"})");
  Send("10.0.0.1", "PATCH", zone_, kPatch);
  Send("10.0.0.1", "GET", zone_, "");
  EXPECT_EQ(clock_.Slept(), std::chrono::milliseconds(3000));
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].injected, "hold_ms=1500");
  EXPECT_EQ(lines_[0].done_ms - lines_[0].t_ms, 1500);
  auto faults = Send("127.0.0.1", "GET", "/_recorder/faults", "");
  EXPECT_EQ(faults.body, R"({"a":{"hold_ms":1500,"mode":"hold","scope":"all"}})");
}

TEST_F(WriteRecorderTest, BadFaultRequestIsRefusedAndChangesNothing) {
  for (const char* body : {"[]", R"({"writer":"b"})", R"({"writer":"b","mode":"slow"})",
                           R"({"writer":"b","hold_ms":-1})", R"({"writer":"","mode":"none"})",
                           R"({"writer":"b","mode":"fail503","hold_ms":5})",
                           R"({"writer":"b","mode":"fail503","color":1})",
                           R"({"writer":"b","mode":"fail503","scope":"some"})"}) {
    EXPECT_EQ(Send("127.0.0.1", "POST", "/_recorder/fault", body).status, 400) << body;
  }
  EXPECT_EQ(Send("127.0.0.1", "GET", "/_recorder/faults", "").body, "{}");
  EXPECT_EQ(Send("127.0.0.1", "GET", "/_recorder/nothing", "").status, 404);
}

TEST(IsZoneWriteTest, OnlyMutatingZoneRequests) {
  EXPECT_TRUE(IsZoneWrite("PATCH", "/api/v1/servers/localhost/zones/example.test."));
  EXPECT_TRUE(IsZoneWrite("POST", "/api/v1/servers/localhost/zones"));
  EXPECT_TRUE(IsZoneWrite("DELETE", "/api/v1/servers/x/zones/a."));
  EXPECT_FALSE(IsZoneWrite("GET", "/api/v1/servers/localhost/zones/example.test."));
  EXPECT_FALSE(IsZoneWrite("PATCH", "/api/v1/servers/localhost/config"));
  EXPECT_FALSE(IsZoneWrite("PATCH", "/api/v1/servers//zones/a."));
  EXPECT_FALSE(IsZoneWrite("PUT", "/api/v1/servers/localhost/zonesx"));
}

TEST(Base64Test, RoundTrips) {
  EXPECT_EQ(Base64("/steer/leader"), "L3N0ZWVyL2xlYWRlcg==");
  for (std::string s : {"", "a", "ab", "abc", "abcd"}) EXPECT_EQ(Unbase64(Base64(s)), s);
  EXPECT_FALSE(Unbase64("abc"));
}

}  // namespace
}  // namespace steer::fault
