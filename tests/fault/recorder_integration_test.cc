// steer_write_recorder for real: the built binary in front of a real PowerDNS, reading the
// leader from a real single-node etcd, then its `check` command over the log it wrote.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leader_reader.h"
#include "steer/base/http_client.h"
#include "steer/testsupport/pdns_server.h"
#include "steer/testsupport/process.h"
#include "write_check.h"

namespace steer::fault {
namespace {

using std::chrono::milliseconds;
using testsupport::ChildProcess;
using testsupport::FreePort;
using testsupport::TempDir;

constexpr const char* kZonePath = "/api/v1/servers/localhost/zones/example.test.";

base::HttpRequest Request(std::string method, std::string url, base::Headers headers,
                          std::string body, milliseconds timeout) {
  base::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.timeout = timeout;
  return r;
}

base::HttpResponse Post(const std::string& url, const std::string& body,
                        base::Headers headers = {}) {
  auto r = base::SendHttp(Request("POST", url, std::move(headers), body, milliseconds(5000)));
  EXPECT_TRUE(r) << url << ": " << r.error().message;
  return r ? *r : base::HttpResponse{};
}

// A single-member etcd on loopback free ports, stopped by PID (ChildProcess).
class Etcd {
 public:
  Etcd() {
    std::string client = "http://127.0.0.1:" + std::to_string(FreePort());
    std::string peer = "http://127.0.0.1:" + std::to_string(FreePort());
    url_ = client;
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            testsupport::FindExecutable("etcd"), "--data-dir", dir_.File("data"),
            "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls",
            peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=" + peer},
        dir_.File("etcd.log"));
    bool up = testsupport::WaitUntil(
        [&] {
          auto r = base::SendHttp(
              Request("POST", url_ + "/v3/kv/range", {}, R"({"key":"eA=="})", milliseconds(500)));
          return r && r->status == 200;
        },
        milliseconds(20000));
    if (!up)
      throw std::runtime_error("etcd did not start: " +
                               testsupport::ReadFile(dir_.File("etcd.log")));
  }
  // Makes `vantage` the leader with a fresh create_revision (delete, then create).
  void SetLeader(const std::string& vantage) {
    std::string key = Base64("/steer/leader");
    Post(url_ + "/v3/kv/deleterange", R"({"key":")" + key + "\"}");
    Post(url_ + "/v3/kv/put", R"({"key":")" + key + R"(","value":")" + Base64(vantage) + "\"}");
  }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_{"steer-etcd"};
  std::string url_;
  std::unique_ptr<ChildProcess> process_;
};

class RecorderIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pdns_.CreateZone("example.test.", {"ns1.example.test."},
                     {{"ns1.example.test.", "A", 30, {"127.0.0.1"}},
                      {"login.example.test.", "A", 30, {"10.0.0.1"}}});
    log_ = dir_.File("writes.jsonl");
    std::string port_file = dir_.File("port");
    recorder_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{STEER_WRITE_RECORDER, "--listen", "127.0.0.1:0", "--port-file",
                                 port_file, "--upstream", pdns_.api_url(), "--etcd",
                                 "http://127.0.0.1:1", "--etcd", etcd_.url(), "--writer",
                                 "a=127.0.0.1", "--log", log_},
        dir_.File("recorder.out"));
    ASSERT_TRUE(testsupport::WaitUntil(
        [&] { return testsupport::ReadFile(port_file).find('\n') != std::string::npos; },
        milliseconds(10000)))
        << testsupport::ReadFile(dir_.File("recorder.out"));
    proxy_ = "http://127.0.0.1:" + std::to_string(std::stoi(testsupport::ReadFile(port_file)));
  }

  // A PATCH of login A through the proxy, as agent "a" on 127.0.0.1 would send it.
  int Patch(const std::string& address, const std::string& token = "") {
    std::string body = R"({"rrsets":[{"name":"login.example.test.","type":"A","ttl":30,)"
                       R"("changetype":"REPLACE","records":[{"content":")" +
                       address + R"(","disabled":false}]}]})";
    base::Headers headers = {{"X-API-Key", pdns_.api_key()}, {"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("X-Steer-Fencing-Token", token);
    auto r =
        base::SendHttp(Request("PATCH", proxy_ + kZonePath, headers, body, milliseconds(5000)));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->status : 0;
  }

  std::string Zone() {
    std::string body;
    pdns_.Api("GET", kZonePath, "", &body);
    return body;
  }

  std::vector<WriteRecord> Log() {
    std::istringstream in(testsupport::ReadFile(log_));
    auto records = ReadLog(in);
    EXPECT_TRUE(records) << records.error().message;
    return records ? *records : std::vector<WriteRecord>{};
  }

  int Check(std::string* output) {
    std::string out = dir_.File("check" + std::to_string(++checks_) + ".txt");
    int status = testsupport::RunCommand({STEER_WRITE_RECORDER, "check", "--log", log_}, out);
    *output = testsupport::ReadFile(out);
    return status;
  }

  testsupport::PdnsServer pdns_;
  Etcd etcd_;
  TempDir dir_{"steer-recorder"};
  std::string log_;
  std::string proxy_;
  std::unique_ptr<ChildProcess> recorder_;
  int checks_ = 0;
};

TEST_F(RecorderIntegrationTest, LeaderWritesAreCleanAndAWriteAfterLosingTheLeadIsCaught) {
  etcd_.SetLeader("a");
  EXPECT_EQ(Patch("10.0.0.2"), 204);
  EXPECT_NE(Zone().find("10.0.0.2"), std::string::npos) << Zone();
  auto clean = Log();
  ASSERT_EQ(clean.size(), 1u);
  EXPECT_EQ(clean[0].writer, "a");
  EXPECT_EQ(clean[0].writer_ip, "127.0.0.1");
  EXPECT_EQ(clean[0].leader, "a");
  ASSERT_TRUE(clean[0].leader_token);
  int64_t token = *clean[0].leader_token;
  EXPECT_EQ(Patch("10.0.0.3", std::to_string(token)), 204);
  std::string output;
  EXPECT_EQ(Check(&output), 0) << output;
  EXPECT_EQ(output,
            "writes=2 landed=2 failed=0 writers=1 tokens=1 leader_changes=0 violations=0\n");

  etcd_.SetLeader("b");  // a lost the lead; its next write still reaches PowerDNS
  EXPECT_EQ(Patch("10.0.0.4", std::to_string(token)), 204);
  EXPECT_NE(Zone().find("10.0.0.4"), std::string::npos);
  EXPECT_EQ(Check(&output), 1) << output;
  EXPECT_NE(output.find("leader_changes=1 violations=2\n"), std::string::npos) << output;
  EXPECT_NE(
      output.find("violation: line 3: not_leader: a PATCH " + std::string(kZonePath) +
                  " landed while the leader was b (token " + std::to_string(token + 2) + ")\n"),
      std::string::npos)
      << output;
  EXPECT_NE(output.find("violation: line 3: stale_token: "), std::string::npos) << output;
}

TEST_F(RecorderIntegrationTest, InjectedFailureNeverReachesPowerDns) {
  etcd_.SetLeader("a");
  auto set = Post(proxy_ + "/_recorder/fault", R"({"writer":"a","mode":"fail503"})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Patch("10.0.0.9"), 503);
  EXPECT_EQ(Zone().find("10.0.0.9"), std::string::npos);
  auto records = Log();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].injected, "fail503");
  std::string output;
  EXPECT_EQ(Check(&output), 0) << output;
  EXPECT_NE(output.find("failed=1"), std::string::npos);
}

}  // namespace
}  // namespace steer::fault
