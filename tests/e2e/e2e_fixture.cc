#include "e2e_fixture.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "steer/base/http_client.h"
#include "steer/dns/propagation.h"

namespace steer::e2e {
namespace {

std::string BinaryDir() {
  const char* b = std::getenv("STEER_BINARY_DIR");
  return b ? b : ".";
}

}  // namespace

void FailoverE2E::SetUp() {
  dir_ = std::make_unique<testsupport::TempDir>("steer-e2e");
  primary_ = std::make_unique<testsupport::PdnsServer>();
  testsupport::PdnsOptions second;
  second.shared_database = primary_->database();
  second.api_key = primary_->api_key();
  secondary_ = std::make_unique<testsupport::PdnsServer>(second);
  primary_->CreateZone(
      "demo.test.", {"ns1.demo.test."},
      {{"ns1.demo.test.", "A", 300, {"127.0.0.1"}}, {"login.demo.test.", "A", 30, {kA}}});
  // Region ports come from below the ephemeral range, so that while a region is cut off no
  // outgoing connection can take its port and the region can come back where it was.
  std::random_device rd;
  for (int i = 0; i < 2; ++i) {
    for (int attempt = 0; attempt < 50 && !regions_[i]; ++attempt) {
      auto port = static_cast<unsigned short>(20000 + rd() % 12000);
      try {
        regions_[i] = std::make_unique<agent::testing::HttpListener>(std::vector<int>{200}, port);
        region_ports_[i] = port;
      } catch (const std::exception&) {
      }
    }
    ASSERT_TRUE(regions_[i]) << "no free port for region " << i;
  }
  hook_ = std::make_unique<agent::testing::HttpListener>();
  state_dir_ = dir_->File("state");
  std::filesystem::create_directories(state_dir_);
  token_path_ = dir_->Write("tokens", "e2e:e2e-token-0123456789abcdef\n");
  dir_->Write("client-token", "e2e-token-0123456789abcdef\n");
  setenv("STEER_E2E_PDNS_KEY", primary_->api_key().c_str(), 1);
  WritePolicy({});
}

void FailoverE2E::TearDown() {
  StopSteerd();
  for (auto& r : regions_) r.reset();
  hook_.reset();
  secondary_.reset();
  primary_.reset();
}

void FailoverE2E::WritePolicy(const PolicyKnobs& k) {
  std::string probes;
  std::string yaml = R"(version: 1
agent:
  vantage: e2e
  state_dir: )" + state_dir_ +
                     R"(
  tick: 50ms
coordination:
  mode: local
providers:
  pdns:
    type: powerdns
    api_url: )" + primary_->api_url() +
                     R"(
    api_key: env:STEER_E2E_PDNS_KEY
    max_attempts: 3
    timeout: 1s
regions:
)";
  const char* names[] = {"a", "b"};
  for (int i = 0; i < 2; ++i) {
    yaml += std::string("  ") + names[i] + R"(:
    components:
      app:
        probes:
          - name: http
            type: http
            url: )" +
            (k.probe_url[i].empty()
                 ? "http://127.0.0.1:" + std::to_string(region_ports_[i]) + "/healthz"
                 : k.probe_url[i]) +
            R"(
            interval: 100ms
            timeout: 80ms
            healthy_threshold: 2
            unhealthy_threshold: 3
)";
  }
  yaml += R"(services:
  login:
    dns_name: login.demo.test.
    zone: demo.test.
    ttl: )" +
          std::to_string(k.ttl) +
          R"(
    provider: pdns
    regions:
      - region: a
        answers: )" +
          (k.a_answers.empty() ? "[" + std::string(kA) + "]" : k.a_answers) + R"(
      - region: b
        answers: [)" +
          std::string(kB) + R"(]
    min_change_interval: 0ms
    block_after_failover: )" +
          k.block_after_failover + R"(
    failback: )" +
          k.failback + R"(
    failback_after: )" +
          k.failback_after + R"(
    safety:
      max_changes_per_hour: )" +
          std::to_string(k.max_changes_per_hour) + R"(
    nameservers: ["127.0.0.1:)" +
          std::to_string(primary_->dns_port()) + R"(", "127.0.0.1:)" +
          std::to_string(secondary_->dns_port()) + R"("]
    propagation_timeout: 5s
notifications:
  hook:
    type: webhook
    url: )" +
          hook_->url("/steer") + R"(
    events: [decision, operation, dns_change]
)";
  policy_path_ = dir_->Write("policy.yaml", yaml);
}

void FailoverE2E::StartSteerd() {
  api_port_ = testsupport::FreePort();
  steerd_ = std::make_unique<testsupport::ChildProcess>(
      std::vector<std::string>{BinaryDir() + "/agent/steerd", "--config", policy_path_, "--listen",
                               "127.0.0.1:" + std::to_string(api_port_), "--token-file",
                               token_path_, "--log-level", "debug"},
      dir_->File("steerd.log"));
  bool up = testsupport::WaitUntil(
      [&] {
        // Deciding, and every region has a verdict (its probes passed their thresholds).
        std::string st = Api("/api/v1/status");
        return st.find("\"deciding\":true") != std::string::npos &&
               st.find("\"healthy\":null") == std::string::npos;
      },
      std::chrono::seconds(15));
  ASSERT_TRUE(up) << testsupport::ReadFile(dir_->File("steerd.log"));
}

void FailoverE2E::StopSteerd() {
  if (!steerd_) return;
  steerd_->Stop();
  std::optional<int> status = steerd_->wait_status();
  steerd_.reset();
  // Under the sanitizers a report (or a leak at exit) makes this exit non-zero.
  std::string log = testsupport::ReadFile(dir_->File("steerd.log"));
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "steerd did not exit cleanly on SIGTERM (wait status " << status.value_or(-1) << "):\n"
      << log.substr(log.size() > 20000 ? log.size() - 20000 : 0);
  EXPECT_EQ(log.find("Sanitizer"), std::string::npos);
  EXPECT_EQ(log.find("runtime error:"), std::string::npos);
}

void FailoverE2E::KillSteerd() {
  kill(steerd_->pid(), SIGKILL);
  waitpid(steerd_->pid(), nullptr, 0);
  steerd_->Release();
  steerd_.reset();
}

void FailoverE2E::CutRegion(int i) { regions_[i].reset(); }

void FailoverE2E::RestoreRegion(int i) {
  regions_[i] =
      std::make_unique<agent::testing::HttpListener>(std::vector<int>{200}, region_ports_[i]);
}

std::string FailoverE2E::Answer(uint16_t dns_port) {
  dns::LdnsQuerier q;
  auto a =
      q.Query({"127.0.0.1", dns_port, ""}, "login.demo.test.", "A", std::chrono::milliseconds(500));
  if (!a || !a->rrset) return "";
  std::string out;
  for (const auto& r : a->rrset->records) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

bool FailoverE2E::BothAnswer(const std::string& records, std::chrono::milliseconds timeout) {
  return testsupport::WaitUntil(
      [&] {
        return Answer(primary_->dns_port()) == records && Answer(secondary_->dns_port()) == records;
      },
      timeout);
}

std::string FailoverE2E::Api(const std::string& path) {
  base::HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(api_port_) + path;
  request.timeout = std::chrono::milliseconds(1000);
  auto r = base::SendHttp(request);
  return r ? r->body : "";
}

int FailoverE2E::Steerctl(std::vector<std::string> args, std::string* output, bool token) {
  std::string cmd = BinaryDir() + "/agent/steerctl";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " --api http://127.0.0.1:" + std::to_string(api_port_);
  if (token) cmd += " --token-file " + dir_->File("client-token");
  std::string out_file = dir_->File("steerctl.out");
  cmd += " > " + out_file + " 2>&1";
  int status = std::system(cmd.c_str());
  if (output) *output = testsupport::ReadFile(out_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace steer::e2e
