#include "steer/config/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "testdata.h"

namespace steer::config {
namespace {

namespace fs = std::filesystem;

std::string Render(const Diagnostics& diags, const std::string& file) {
  std::string out;
  for (const auto& d : diags) {
    std::string line = d.ToString();
    EXPECT_EQ(line.rfind(file + ":", 0), 0u) << line;
    out += line.substr(file.size() + 1) + "\n";
  }
  return out;
}

// Each broken policy in testdata/bad/ must fail with exactly the diagnostics in its .expect.
TEST(LoaderTest, BrokenPolicyCorpus) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(SourcePath("config/testdata/bad"))) {
    if (entry.path().extension() != ".yaml") continue;
    std::string file = entry.path().string();
    std::string expect_file =
        entry.path().parent_path() / (entry.path().stem().string() + ".expect");
    auto policy = LoadPolicyFile(file);
    ASSERT_FALSE(policy.has_value()) << file << " loaded but must not";
    EXPECT_EQ(Render(policy.error(), file), ReadText(expect_file)) << file;
    ++cases;
  }
  EXPECT_GE(cases, 30);
}

TEST(LoaderTest, ThreeIndependentMistakesGiveThreeErrors) {
  std::string file = SourcePath("config/testdata/bad/three-mistakes.yaml");
  auto policy = LoadPolicyFile(file);
  ASSERT_FALSE(policy.has_value());
  ASSERT_EQ(policy.error().size(), 3u);
  EXPECT_EQ(policy.error()[0].location.line, 4);
  EXPECT_EQ(policy.error()[0].location.column, 3);
  EXPECT_EQ(policy.error()[0].path, "agent.tik");
  EXPECT_EQ(policy.error()[1].location.line, 20);
  EXPECT_EQ(policy.error()[1].path, "regions.us-east.components.app.probes[0].timeout");
  EXPECT_EQ(policy.error()[2].location.line, 32);
  EXPECT_EQ(policy.error()[2].path, "services.login.provider");
}

TEST(LoaderTest, ExamplesAreValid) {
  int count = 0;
  for (const char* dir : {"examples", "examples/traces"}) {
    for (const auto& entry : fs::directory_iterator(SourcePath(dir))) {
      if (entry.path().extension() != ".yaml") continue;
      auto policy = LoadPolicyFile(entry.path().string());
      EXPECT_TRUE(policy.has_value())
          << entry.path() << ": " << (policy ? "" : policy.error().front().ToString());
      ++count;
    }
  }
  EXPECT_GE(count, 4);
}

TEST(LoaderTest, BaseDefaults) {
  auto policy = LoadPolicyFile(SourcePath("config/testdata/base.yaml"));
  ASSERT_TRUE(policy.has_value());
  const ServiceConfig* login = policy->FindService("login");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->dns_name, "login.example.test.");  // trailing dot added
  EXPECT_EQ(login->zone, "example.test.");
  EXPECT_EQ(login->quorum.count, 0);  // majority
  EXPECT_EQ(login->failback, FailbackMode::kAuto);
  EXPECT_EQ(policy->regions.size(), 2u);
  EXPECT_EQ(policy->regions[0].components[0].probes[0].interval, base::Duration(1000));
  EXPECT_EQ(policy->regions[0].components[0].probes[0].location.line, 15);
}

// `providers: [a, b]` (issue 16): the list form, in order; `provider: x` stays one provider.
TEST(LoaderTest, ProviderListForm) {
  std::string text = ReadText(SourcePath("config/testdata/base.yaml"));
  auto one = ParsePolicy(text, "base.yaml");
  ASSERT_TRUE(one.has_value()) << one.error().front().ToString();
  EXPECT_EQ(one->FindService("login")->ProviderNames(), std::vector<std::string>{"pdns"});
  std::string extra =
      "  bind:\n    type: rfc2136\n    server: 127.0.0.1:5301\n"
      "    tsig_key_name: k\n    tsig_secret: env:K\n"
      "    nameservers: [127.0.0.1:5301]\n";
  text.insert(text.find("regions:"), extra);
  text.replace(text.find("provider: pdns"), 14, "providers: [bind, pdns]");
  auto two = ParsePolicy(text, "two.yaml");
  ASSERT_TRUE(two.has_value()) << two.error().front().ToString();
  EXPECT_EQ(two->FindService("login")->ProviderNames(), (std::vector<std::string>{"bind", "pdns"}));
  EXPECT_EQ(two->FindProvider("bind")->nameservers, std::vector<std::string>{"127.0.0.1:5301"});
}

TEST(LoaderTest, MissingFile) {
  auto policy = LoadPolicyFile("/nonexistent/policy.yaml");
  ASSERT_FALSE(policy.has_value());
  EXPECT_NE(policy.error()[0].message.find("cannot open"), std::string::npos);
}

// Issue 11, defect 5: a directory is named as such, not as a file of 2^63-1 bytes.
TEST(LoaderTest, DirectoryIsNotAPolicy) {
  std::string dir = SourcePath("config/testdata");
  auto policy = LoadPolicyFile(dir);
  ASSERT_FALSE(policy.has_value());
  ASSERT_EQ(policy.error().size(), 1u);
  EXPECT_EQ(policy.error()[0].ToString(), dir + ":0:0: is a directory; expected a policy file");
}

// A pipe (`steerctl validate <(generate-policy)`) is read to its end, within the size limit.
TEST(LoaderTest, PipeIsRead) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string text = ReadText(SourcePath("config/testdata/base.yaml"));
  ASSERT_LT(text.size(), 4096u);  // fits in the pipe's buffer: no writer thread needed
  ASSERT_EQ(write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fds[1]);
  auto policy = LoadPolicyFile("/proc/self/fd/" + std::to_string(fds[0]));
  close(fds[0]);
  EXPECT_TRUE(policy.has_value()) << (policy ? "" : policy.error().front().ToString());
}

TEST(LoaderTest, PipeOverTheLimit) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string text = "version: 1\n# " + std::string(2000, 'x') + "\n";
  ASSERT_EQ(write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fds[1]);
  LoadLimits limits;
  limits.max_bytes = 1000;
  auto policy = LoadPolicyFile("/proc/self/fd/" + std::to_string(fds[0]), limits);
  close(fds[0]);
  ASSERT_FALSE(policy.has_value());
  EXPECT_NE(policy.error()[0].message.find("more than 1000 bytes"), std::string::npos)
      << policy.error()[0].message;
}

}  // namespace
}  // namespace steer::config
