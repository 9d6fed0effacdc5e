#pragma once

// Shared helpers for the probe fault tests: target builders, a fixture that fails a test
// which leaks file descriptors, and an observation collector for engine tests.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "steer/probes/engine.h"
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

// An engine sink that keeps every observation, for tests to wait on.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Observation> seen;
  ObservationSink Sink() {
    return [this](const Observation& o) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(o);
      cv.notify_all();
    };
  }
  // Waits (bounded) until `n` observations arrived.
  bool WaitFor(size_t n, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, limit, [&] { return seen.size() >= n; });
  }
};

}  // namespace steer::probes::testing
