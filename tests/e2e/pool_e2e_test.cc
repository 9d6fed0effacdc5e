// Addresses out of rotation end to end (docs/policies.md §11): region a answers two addresses,
// each probed on its own HTTP listener; real steerd, real PowerDNS.
#include <algorithm>

#include "e2e_fixture.h"

namespace steer::e2e {
namespace {

using std::chrono::seconds;

constexpr const char* kA2 = "198.51.100.11";

class PoolE2E : public FailoverE2E {
 protected:
  std::string Probe(uint16_t port) {
    return "{type: http, url: \"http://127.0.0.1:" + std::to_string(port) +
           "/healthz\", interval: 100ms, timeout: 80ms, healthy_threshold: 2, "
           "unhealthy_threshold: 3}";
  }
  // Both servers answer exactly `records` (any order) within `timeout`.
  bool BothServe(std::vector<std::string> records, std::chrono::milliseconds timeout) {
    std::sort(records.begin(), records.end());
    auto split = [](const std::string& s) {
      std::vector<std::string> out;
      size_t start = 0;
      while (start <= s.size() && !s.empty()) {
        size_t comma = s.find(',', start);
        out.push_back(s.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    return testsupport::WaitUntil(
        [&] {
          return split(Answer(primary_->dns_port())) == records &&
                 split(Answer(secondary_->dns_port())) == records;
        },
        timeout);
  }
};

TEST_F(PoolE2E, AFailedAddressLeavesTheRRsetAndComesBackThenTheRegionFailsOver) {
  auto second = std::make_unique<agent::testing::HttpListener>(std::vector<int>{200});
  const auto second_port = static_cast<uint16_t>(second->port());
  PolicyKnobs knobs;
  knobs.a_answers = "[{address: " + std::string(kA) + ", probe: " + Probe(region_ports_[0]) +
                    "}, {address: " + kA2 + ", probe: " + Probe(second_port) + "}]";
  WritePolicy(knobs);
  StartSteerd();
  ASSERT_TRUE(BothServe({kA, kA2}, seconds(5))) << Api("/api/v1/services/login");
  second.reset();  // the second address stops answering: a keeps serving with one
  ASSERT_TRUE(BothServe({kA}, seconds(5))) << Api("/api/v1/services/login");
  second = std::make_unique<agent::testing::HttpListener>(std::vector<int>{200}, second_port);
  ASSERT_TRUE(BothServe({kA, kA2}, seconds(5))) << Api("/api/v1/services/login");
  second.reset();
  CutRegion(0);  // both addresses down (and a's own probe): below min_healthy, fail over
  ASSERT_TRUE(BothServe({kB}, seconds(5))) << Api("/api/v1/services/login");
  std::string history;
  ASSERT_EQ(Steerctl({"history", "login"}, &history), 0);
  EXPECT_NE(history.find("failover a -> b"), std::string::npos) << history;
}

}  // namespace
}  // namespace steer::e2e
