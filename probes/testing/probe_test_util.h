#pragma once

// Shared helpers for the probe fault tests: target builders and a fixture that fails a test
// which leaks file descriptors.

#include <gtest/gtest.h>

#include "steer/probes/prober.h"
#include "testing/test_servers.h"

namespace steer::probes::testing {

inline Target MakeTarget(config::ProbeType type, std::chrono::milliseconds timeout) {
  Target t;
  t.id = 7;
  t.probe.name = "t";
  t.probe.type = type;
  t.probe.timeout = timeout;
  t.probe.interval = std::chrono::milliseconds(5000);
  return t;
}

inline Target HttpTarget(const std::string& url, int timeout_ms = 2000) {
  Target t = MakeTarget(config::ProbeType::kHttp, std::chrono::milliseconds(timeout_ms));
  t.probe.url = url;
  return t;
}

inline Target AddressTarget(config::ProbeType type, const std::string& address,
                            int timeout_ms = 2000) {
  Target t = MakeTarget(type, std::chrono::milliseconds(timeout_ms));
  t.probe.address = address;
  return t;
}

// Counts descriptors after a warm-up probe (one-time library initialisation may open some)
// and checks in TearDown, after the test's servers are gone, that none leaked.
class FdLeakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static bool warmed = false;
    if (!warmed) {
      ProbeOnce(HttpTarget("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"));
      warmed = true;
    }
    fds_before_ = OpenFdCount();
  }
  void TearDown() override { EXPECT_EQ(OpenFdCount(), fds_before_) << "file descriptors leaked"; }

 private:
  int fds_before_ = 0;
};

}  // namespace steer::probes::testing
