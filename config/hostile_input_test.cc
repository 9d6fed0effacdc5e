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

// Issue 11, defect 3: control characters are refused, with their position, before parsing.
TEST(HostileInputTest, ControlCharacters) {
  std::string nul = "version: 1\nagent:\n  vantage: a";
  nul += '\0';
  nul += "b\n";
  EXPECT_EQ(OnlyError(nul),
            "hostile.yaml:3:13: control character U+0000 (NUL) is not allowed in a policy");
  std::string quoted = "version: 1\nagent:\n  vantage: \"a";
  quoted += '\0';
  quoted += "b\"\nregions: {}\n";
  EXPECT_EQ(OnlyError(quoted),
            "hostile.yaml:3:14: control character U+0000 (NUL) is not allowed in a policy");
  EXPECT_EQ(OnlyError("version: 1\nagent: {vantage: \"a\x1b[0m\"}\n"),
            "hostile.yaml:2:20: control character U+001B (ESC) is not allowed in a policy");
  EXPECT_EQ(OnlyError("version: 1\nagent: {vantage: a\x7f}\n"),
            "hostile.yaml:2:19: control character U+007F (DEL) is not allowed in a policy");
  // C1 controls, counted in characters: "é" is one column.
  EXPECT_EQ(OnlyError("version: 1\nagent: {vantage: \xc3\xa9\xc2\x9b}\n"),
            "hostile.yaml:2:19: control character U+009B is not allowed in a policy");
}

// Tabs, carriage returns and newlines are YAML's own; they are not refused as controls.
TEST(HostileInputTest, TabAndCarriageReturnAreNotControls) {
  auto policy = ParsePolicy("version: 1\r\nagent: {vantage:\tus-east}\r\n", "hostile.yaml");
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().front().message, "missing required key 'regions'");
}

// Issue 11, defect 2: an unclosed quote is a syntax error at the quote, whether at the end
// of the file or in the middle (where it used to swallow the rest of the file).
TEST(HostileInputTest, UnclosedQuote) {
  std::string last_line = "version: 1\nagent:\n  vantage: \"a\n";
  EXPECT_EQ(OnlyError(last_line),
            "hostile.yaml:3:12: YAML syntax error: the quoted string that starts here does not "
            "end on this line (to write several lines, use a block scalar: | or >)");
  EXPECT_EQ(OnlyError("version: 1\nagent:\n  vantage: 'a\n  listen: 127.0.0.1:9053\nregions:\n"
                      "  a: {components: {app: {probes: [{name: t, type: tcp, "
                      "address: \"127.0.0.1:1\"}]}}}\n"),
            "hostile.yaml:3:12: YAML syntax error: the quoted string that starts here does not "
            "end on this line (to write several lines, use a block scalar: | or >)");
  EXPECT_NE(OnlyError("version: 1\nagent: {vantage: x, listen: [\"a\", \"b]}\n")
                .find("hostile.yaml:2:35: YAML syntax error: the quoted string"),
            std::string::npos);
}

// Quotes inside plain scalars, comments and block scalars, and escaped quotes, are no
// unclosed quotes.
TEST(HostileInputTest, QuotesThatAreNotUnclosed) {
  std::string text =
      "version: 1 # it's\n"
      "agent:\n"
      "  vantage: don't\n"
      "  state_dir: '/it''s'\n"
      "  listen: \"127.0.0.1:9053 \\\" x\"\n"
      "regions:\n"
      "  a:\n"
      "    components:\n"
      "      app:\n"
      "        probes:\n"
      "          - name: t\n"
      "            type: tcp\n"
      "            address: 127.0.0.1:1\n"
      "            send: |\n"
      "              \"unbalanced\n"
      "\n"
      "              'also\n"
      "            expect_reply: >-\n"
      "              \"x\n";
  auto policy = ParsePolicy(text, "hostile.yaml");
  ASSERT_FALSE(policy.has_value());
  ASSERT_EQ(policy.error().size(), 1u) << policy.error().front().ToString();
  EXPECT_EQ(policy.error().front().path, "agent.listen");  // not host:port: parsed as one string
}

}  // namespace
}  // namespace steer::config
