// Hostile or broken bytes: each gets one clear error, never a crash or a hang.
#include <gtest/gtest.h>

#include "steer/config/loader.h"

namespace steer::config {
namespace {

std::string OnlyError(std::string_view text) {
  auto policy = ParsePolicy(text, "hostile.yaml");
  EXPECT_FALSE(policy.has_value());
  if (policy.has_value()) return "";
  EXPECT_EQ(policy.error().size(), 1u);
  return policy.error().front().ToString();
}

TEST(HostileInputTest, EmptyFile) {
  EXPECT_NE(OnlyError("").find("hostile.yaml:1:1: the policy is empty"), std::string::npos);
  EXPECT_NE(OnlyError("   \n# only a comment\n").find("empty"), std::string::npos);
}

TEST(HostileInputTest, NonUtf8) {
  std::string text = "version: 1\nagent:\n  vantage: \xff\xfe\n";
  EXPECT_EQ(OnlyError(text), "hostile.yaml:3:12: invalid UTF-8 byte; policies must be UTF-8");
}

TEST(HostileInputTest, TenMegabytes) {
  std::string text = "version: 1\n# " + std::string(10 * 1024 * 1024, 'x') + "\n";
  EXPECT_NE(OnlyError(text).find("the limit is 4194304 bytes"), std::string::npos);
}

TEST(HostileInputTest, DeepFlowNesting) {
  std::string text = "version: " + std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(OnlyError(text).find("nesting is too deep"), std::string::npos);
}

TEST(HostileInputTest, DeepBlockNesting) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += std::string(i * 2, ' ') + "k" + std::to_string(i) + ":\n";
  EXPECT_NE(OnlyError(text).find("nesting is deeper than 64 levels"), std::string::npos);
}

TEST(HostileInputTest, AliasBomb) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'k'; ++c) {
    std::string name(1, c);
    text += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + "]\n";
    prev = name;
  }
  EXPECT_NE(OnlyError(text).find("aliases expanding"), std::string::npos);
}

TEST(HostileInputTest, ScalarRootAndGarbage) {
  EXPECT_NE(OnlyError("just a string").find("expected a mapping of policy keys"),
            std::string::npos);
  EXPECT_NE(OnlyError("{{{{").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(OnlyError("\x01\x02\x03").find("hostile.yaml:1:1"), std::string::npos);
}

}  // namespace
}  // namespace steer::config
