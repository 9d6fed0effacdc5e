#pragma once

// End-to-end fixture: two real PowerDNS authoritative servers sharing one database (serving
// demo.test.), two "regions" (real HTTP listeners on loopback), a token file, a policy, and the
// real steerd binary as a child process. Helpers ask each server directly and drive steerctl.
// Everything runs on loopback, free ports, temp dirs, and is stopped by PID on teardown.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "steer/testsupport/pdns_server.h"
#include "steer/testsupport/process.h"
#include "testing/http_listener.h"

namespace steer::e2e {

struct PolicyKnobs {
  std::string failback = "auto";
  std::string failback_after = "1s";
  std::string block_after_failover = "0ms";
  int max_changes_per_hour = 0;
  int ttl = 30;  // login's records' TTL, seconds
  // Each region's probe URL; "" = the region's own HTTP listener (/healthz).
  std::string probe_url[2];
  // Region a's `answers` as YAML (flow or block, after "answers:"); "" = [kA].
  std::string a_answers;
};

class FailoverE2E : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  void WritePolicy(const PolicyKnobs& knobs);
  void StartSteerd();
  void StopSteerd();           // SIGTERM; expects a clean exit (no sanitizer report)
  void KillSteerd();           // SIGKILL, no cleanup: a crash
  void CutRegion(int region);  // 0 = a, 1 = b: connection refused from now on
  void RestoreRegion(int region);

  // What one authoritative server answers for login.demo.test. A ("" joined by ',').
  std::string Answer(uint16_t dns_port);
  // True once both servers answer `records` within `timeout`.
  bool BothAnswer(const std::string& records, std::chrono::milliseconds timeout);
  // Runs build/agent/steerctl with --api and --token-file; returns the exit code.
  int Steerctl(std::vector<std::string> args, std::string* output = nullptr, bool token = true);
  std::string Api(const std::string& path);

  static constexpr const char* kA = "198.51.100.10";
  static constexpr const char* kB = "198.51.100.20";

  std::unique_ptr<testsupport::TempDir> dir_;
  std::unique_ptr<testsupport::PdnsServer> primary_, secondary_;
  std::unique_ptr<agent::testing::HttpListener> regions_[2];
  std::unique_ptr<agent::testing::HttpListener> hook_;  // receives steerd's webhook
  unsigned short region_ports_[2] = {0, 0};
  std::unique_ptr<testsupport::ChildProcess> steerd_;
  uint16_t api_port_ = 0;
  std::string policy_path_, token_path_, state_dir_;
};

}  // namespace steer::e2e
