// One decision whether a policy can run: what steerd's start refuses, `steerctl validate`
// (LoadRunnablePolicy) refuses with the same message, and what validates starts.
#include "runnable.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::agent {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::string coordination;  // the coordination section
  std::string provider;      // the provider's keys after `type:`
  std::string nameservers;   // the service's nameservers key ("" for none)
  std::string refusal;       // "" when the policy runs
};

class RunnableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/steer-runnable-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/state");
    std::ofstream(dir_ + "/demo.zone")
        << "$ORIGIN demo.test.\n$TTL 300\n"
           "@ IN SOA ns1.demo.test. hostmaster.demo.test. 1 3600 600 86400 300\n"
           "@ IN NS ns1.demo.test.\nns1 IN A 127.0.0.1\nlogin 30 IN A 198.51.100.10\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WritePolicy(const Case& c) {
    std::string probe = "{name: h, type: http, url: \"" + region_.url("/healthz") +
                        "\", interval: 100ms, timeout: 80ms, healthy_threshold: 1}";
    std::string path = dir_ + "/" + c.name + ".yaml";
    std::ofstream(path) << "version: 1\nagent: {vantage: test, tick: 50ms}\n" + c.coordination +
                               "providers:\n  dns: {type: " + c.provider +
                               "}\nregions:\n"
                               "  a: {components: {app: {probes: [" +
                               probe + "]}}}\n  b: {components: {app: {probes: [" + probe +
                               "]}}}\nservices:\n  login:\n    dns_name: login.demo.test.\n"
                               "    zone: demo.test.\n    provider: dns\n" +
                               c.nameservers +
                               "    regions:\n"
                               "      - {region: a, answers: [198.51.100.10]}\n"
                               "      - {region: b, answers: [198.51.100.20]}\n";
    return path;
  }

  std::string dir_;
  testing::HttpListener region_;
};

TEST_F(RunnableTest, ValidateRefusesWhatStartRefusesAndStartRunsWhatValidates) {
  const std::string zonefile = "zonefile, path: " + dir_ + "/demo.zone, origin: demo.test.";
  const std::string pdns = "powerdns, api_url: \"http://127.0.0.1:1\", api_key: \"env:HOME\"";
  const std::string local = "coordination: {mode: local}\n";
  const std::string ns = "    nameservers: [\"127.0.0.1:1\"]\n";
  const std::vector<Case> cases = {
      {"zonefile", local, zonefile, ns, ""},
      {"powerdns", local, pdns, ns, ""},
      // etcd unreachable at start: steerd starts (frozen) and retries.
      {"etcd", "coordination: {mode: etcd, etcd: {endpoints: [\"http://127.0.0.1:1\"]}}\n",
       zonefile, ns, ""},
      // Every agent serves the leader's answers from its own server (etcd unreachable here).
      {"embedded-etcd", "coordination: {mode: etcd, etcd: {endpoints: [\"http://127.0.0.1:1\"]}}\n",
       "embedded, listen: [\"127.0.0.1:" + std::to_string(testsupport::FreePort()) +
           "\"], zone_file: " + dir_ + "/demo.zone, origin: demo.test.",
       "", ""},
      {"local-quorum-2", local, zonefile, ns + "    quorum: 2\n",
       "quorum 2 needs that many vantage points, but coordination mode local has one (this "
       "agent); use quorum: majority or 1"},
      // PowerDNS without `nameservers` discovers them (docs/dns.md); a zone file cannot.
      {"zonefile-no-nameservers", local, zonefile, "",
       "service login: cannot tell which DNS server serves zone demo.test. of provider dns to "
       "find the nameservers to verify; set services.login.nameservers or "
       "providers.dns.discovery_server"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = WritePolicy(c);
    auto validated = LoadRunnablePolicy(path);
    auto started = Daemon::Start({path, dir_ + "/state", "127.0.0.1:0", ""});
    if (c.refusal.empty()) {
      EXPECT_TRUE(validated) << (validated ? "" : validated.error()[0].ToString());
      EXPECT_TRUE(started) << (started ? "" : started.error().message);
      continue;
    }
    ASSERT_FALSE(validated);
    ASSERT_EQ(validated.error().size(), 1u);
    EXPECT_EQ(validated.error()[0].message, c.refusal);
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find(validated.error()[0].ToString()), std::string::npos)
        << started.error().message;
  }
}

// Every example policy (traces/ too) passes the runnable check, the three-agent etcd policy
// (examples/login-etcd.yaml) included.
TEST(RunnableExamplesTest, ExamplesAreRunnable) {
  const char* src = std::getenv("STEER_SOURCE_DIR");
  fs::path examples = fs::path(src != nullptr ? src : STEER_SOURCE_DIR_DEFAULT) / "examples";
  int checked = 0;
  for (const auto& dir : {examples, examples / "traces"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".yaml") continue;
      SCOPED_TRACE(entry.path().string());
      auto loaded = config::LoadPolicyFile(entry.path().string());
      ASSERT_TRUE(loaded) << loaded.error()[0].ToString();
      config::Diagnostics problems = CheckRunnable(*loaded);
      EXPECT_TRUE(problems.empty()) << problems[0].ToString();
      ++checked;
    }
  }
  EXPECT_GE(checked, 5);
  EXPECT_TRUE(fs::exists(examples / "login-etcd.yaml"));
}

}  // namespace
}  // namespace steer::agent
