// Replays every example trace in examples/traces/ against the policy its `# policy:` line
// names and checks the outcome its `# expect:` lines document (docs/policies.md cites them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "steer/config/loader.h"
#include "steer/policies/engine.h"
#include "steer/policies/simulator.h"
#include "testing/fixtures.h"

namespace steer::policies {
namespace {

namespace fs = std::filesystem;

fs::path TraceDir() {
  const char* src = std::getenv("STEER_SOURCE_DIR");
  return fs::path(src != nullptr ? src : STEER_SOURCE_DIR_FALLBACK) / "examples" / "traces";
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
  }
  return out;
}

TEST(PoliciesExamples, ReplayToTheDocumentedOutcome) {
  int traces = 0;
  for (const auto& entry : fs::directory_iterator(TraceDir())) {
    if (entry.path().extension() != ".csv") continue;
    SCOPED_TRACE(entry.path().string());
    ++traces;
    const std::string text = Read(entry.path());
    const auto policy_name = Lines(text, "# policy: ");
    ASSERT_EQ(policy_name.size(), 1u);
    auto policy = config::LoadPolicyFile((TraceDir() / policy_name[0]).string());
    ASSERT_TRUE(policy) << policy.error().front().ToString();
    auto engine = Engine::Create(std::move(*policy));
    ASSERT_TRUE(engine) << engine.error().message;
    auto events = Simulate(*engine, text);
    ASSERT_TRUE(events) << events.error().message;
    const auto expected = Lines(text, "# expect: ");
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(testing::Outline(*events), expected);
  }
  EXPECT_GE(traces, 16);
}

}  // namespace
}  // namespace steer::policies
