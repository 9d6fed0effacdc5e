// One service written to two providers at once (issue 16): PowerDNS (two servers, one
// database) and BIND over RFC 2136 + TSIG, both real, on loopback. Region a is cut: both
// change. BIND is stopped (by PID) and region a comes back: PowerDNS fails back and verifies
// while BIND's applier retries; BIND is started again and converges; the audit log says what
// happened to each provider.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "e2e_fixture.h"
#include "steer/testsupport/named_server.h"

namespace steer::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DualProviderE2E : public FailoverE2E {
 protected:
  void SetUp() override {
    FailoverE2E::SetUp();
    testsupport::NamedOptions o;
    o.zones = {{"demo.test.", std::string("login 30 IN A ") + kA + "\n"}};
    named_ = std::make_unique<testsupport::NamedServer>(o);
    setenv("STEER_E2E_TSIG", named_->tsig_secret().c_str(), 1);
    WriteDualPolicy();
  }
  void TearDown() override {
    FailoverE2E::TearDown();
    named_.reset();
  }

  // The fixture's policy, its service written to pdns and bind, each verified on its own
  // servers, rechecked every second.
  void WriteDualPolicy() {
    std::string yaml = testsupport::ReadFile(policy_path_);
    std::string pdns_ns = "    nameservers: [\"127.0.0.1:" + std::to_string(primary_->dns_port()) +
                          "\", \"127.0.0.1:" + std::to_string(secondary_->dns_port()) + "\"]\n";
    std::string bind = "127.0.0.1:" + std::to_string(named_->port());
    Replace(yaml, "    timeout: 1s\n",
            "    timeout: 1s\n" + pdns_ns + "  bind:\n    type: rfc2136\n    server: " + bind +
                "\n    tsig_key_name: " + named_->key_name() +
                "\n    tsig_secret: env:STEER_E2E_TSIG\n    max_attempts: 1\n    timeout: 500ms\n"
                "    nameservers: [\"" +
                bind + "\"]\n");
    Replace(yaml, "    provider: pdns\n", "    providers: [pdns, bind]\n");
    size_t ns = yaml.find("    nameservers: [\"127.0.0.1:", yaml.find("services:"));
    yaml.erase(ns, yaml.find('\n', ns) + 1 - ns);
    Replace(yaml, "    propagation_timeout: 5s\n",
            "    propagation_timeout: 3s\n    drift_check_interval: 1s\n");
    policy_path_ = dir_->Write("policy.yaml", yaml);
  }
  static void Replace(std::string& s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
  }
  nlohmann::json Login() {
    auto j = nlohmann::json::parse(Api("/api/v1/status"), nullptr, false);
    if (j.is_discarded() || !j.contains("services")) return nlohmann::json::object();
    for (const auto& s : j["services"]) {
      if (s.value("name", "") == "login") return s;
    }
    return nlohmann::json::object();
  }
  nlohmann::json Provider(const std::string& name) {
    for (const auto& p : Login().value("providers", nlohmann::json::array())) {
      if (p.value("name", "") == name) return p;
    }
    return nlohmann::json::object();
  }

  std::unique_ptr<testsupport::NamedServer> named_;
};

TEST_F(DualProviderE2E, BindStoppedInAFailoverConvergesWhenBackAndTheAuditSaysSo) {
  StartSteerd();
  ASSERT_TRUE(BothAnswer(kA, seconds(5)));
  ASSERT_EQ(Answer(named_->port()), kA);

  CutRegion(0);  // a down: both providers change
  ASSERT_TRUE(BothAnswer(kB, seconds(15))) << testsupport::ReadFile(dir_->File("steerd.log"));
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Answer(named_->port()) == kB; }, seconds(10)));
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Login().value("served_by", "") == "served by 2/2 providers"; }, seconds(10)))
      << Login().dump();

  named_->Stop();  // BIND killed (by PID); then the failback to a
  RestoreRegion(0);
  ASSERT_TRUE(BothAnswer(kA, seconds(15))) << testsupport::ReadFile(dir_->File("steerd.log"));
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] {
        return Provider("pdns").value("done", false) && Provider("bind")["phase"] == "retrying";
      },
      seconds(10)))
      << Login().dump();
  EXPECT_EQ(Login()["served_by"], "served by 1/2 providers");
  EXPECT_FALSE(Provider("bind")["last_error"].is_null());
  EXPECT_EQ(Login()["active_region"], "a");  // the decision did not wait for BIND

  named_->Start();  // same port, same zone file and journal
  ASSERT_TRUE(testsupport::WaitUntil([&] { return Answer(named_->port()) == kA; }, seconds(20)))
      << named_->Log();
  ASSERT_TRUE(testsupport::WaitUntil(
      [&] { return Login().value("served_by", "") == "served by 2/2 providers"; }, seconds(10)))
      << Login().dump();

  std::string history;
  ASSERT_EQ(Steerctl({"history", "login", "--limit", "500"}, &history), 0);
  for (const char* line :
       {"verified b on every nameserver of pdns", "verified b on every nameserver of bind",
        "verified a on every nameserver of pdns", "verified a on every nameserver of bind",
        "via rfc2136:bind"}) {
    EXPECT_NE(history.find(line), std::string::npos) << line << " not in:\n" << history;
  }
  EXPECT_NE(history.find("failed"), std::string::npos) << history;
}

}  // namespace
}  // namespace steer::e2e
