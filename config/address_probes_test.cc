// Answers with their own probe: `answers: [{address, probe}]`, min_healthy, and the
// components the loader adds for them (docs/policies.md, §11).
#include <gtest/gtest.h>

#include "steer/config/loader.h"
#include "testdata.h"

namespace steer::config {
namespace {

const char* const kPlain = "        answers: [198.51.100.10]\n";

// base.yaml with us-east's answers replaced by `answers` (indented as a service region's keys).
std::string WithUsEast(const std::string& answers) {
  std::string text = ReadText(SourcePath("config/testdata/base.yaml"));
  size_t at = text.find(kPlain);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) text.replace(at, std::string(kPlain).size(), answers);
  return text;
}

const char* const kTwoProbed =
    "        answers:\n"
    "          - address: 198.51.100.10\n"
    "            probe: {type: http, url: \"http://127.0.0.1:8080/a\"}\n"
    "          - address: 198.51.100.11\n"
    "            probe: {type: tcp, address: \"127.0.0.1:8443\", name: tls-port}\n"
    "          - 198.51.100.12\n"
    "        min_healthy: 2\n";

std::string Errors(const std::string& yaml) {
  auto policy = ParsePolicy(yaml, "p.yaml");
  std::string out;
  if (policy) return out;
  for (const auto& d : policy.error()) out += d.ToString() + "\n";
  return out;
}

TEST(AddressProbesTest, MixedFormsLoadAndAddComponents) {
  auto policy = ParsePolicy(WithUsEast(kTwoProbed), "p.yaml");
  ASSERT_TRUE(policy) << Errors(WithUsEast(kTwoProbed));
  const ServiceRegion& sr = policy->services[0].regions[0];
  EXPECT_EQ(sr.answers,
            (std::vector<std::string>{"198.51.100.10", "198.51.100.11", "198.51.100.12"}));
  ASSERT_EQ(sr.probes.size(), 3u);
  ASSERT_TRUE(sr.probes[0] && sr.probes[1]);
  EXPECT_FALSE(sr.probes[2]);
  EXPECT_EQ(sr.probes[0]->name, "address");
  EXPECT_EQ(sr.probes[1]->name, "tls-port");
  EXPECT_EQ(sr.min_healthy, 2);
  const RegionConfig* us = policy->FindRegion("us-east");
  ASSERT_EQ(us->components.size(), 3u);
  EXPECT_EQ(us->components[1].name, "@198.51.100.10");
  EXPECT_FALSE(us->components[1].critical);
  ASSERT_EQ(us->components[1].probes.size(), 1u);
  EXPECT_EQ(us->components[1].probes[0].url, "http://127.0.0.1:8080/a");
  EXPECT_EQ(us->components[2].name, "@198.51.100.11");
  // The plain form is unchanged: one answer, no probe, min_healthy 1.
  const ServiceRegion& eu = policy->services[0].regions[1];
  EXPECT_EQ(eu.answers, (std::vector<std::string>{"203.0.113.10"}));
  EXPECT_EQ(eu.probes.size(), 1u);
  EXPECT_EQ(eu.min_healthy, 1);
  EXPECT_EQ(policy->FindRegion("eu-west")->components.size(), 1u);
}

struct BadCase {
  const char* name;
  std::string answers;
  std::string error;  // a substring of the diagnostics, with file:line:col
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class AddressProbesBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(AddressProbesBad, IsRefusedWithItsLine) {
  EXPECT_NE(Errors(WithUsEast(GetParam().answers)).find(GetParam().error), std::string::npos)
      << Errors(WithUsEast(GetParam().answers));
}

INSTANTIATE_TEST_SUITE_P(
    Config, AddressProbesBad,
    ::testing::Values(
        BadCase{"MinHealthyAboveAnswers",
                "        answers:\n          - address: 198.51.100.10\n"
                "            probe: {type: tcp, address: \"127.0.0.1:1\"}\n"
                "        min_healthy: 2\n",
                "p.yaml:35:22: services.login.regions[0].min_healthy: min_healthy 2 is more than "
                "the 1 answers"},
        BadCase{"MinHealthyZero",
                "        answers:\n          - address: 198.51.100.10\n"
                "            probe: {type: tcp, address: \"127.0.0.1:1\"}\n"
                "        min_healthy: 0\n",
                "p.yaml:35:22: services.login.regions[0].min_healthy: value 0 is out of range"},
        BadCase{"MinHealthyWithoutProbes",
                "        answers: [198.51.100.10]\n        min_healthy: 1\n",
                "p.yaml:33:22: services.login.regions[0].min_healthy: min_healthy applies only to "
                "answers with their own probe"},
        BadCase{"ProbeNeedsAddress",
                "        answers:\n          - probe: {type: tcp, address: \"127.0.0.1:1\"}\n",
                "services.login.regions[0].answers[0].address: missing required key 'address'"},
        BadCase{"UnknownKeyInAnswer",
                "        answers:\n          - address: 198.51.100.10\n            prob: {}\n",
                "p.yaml:34:13: services.login.regions[0].answers[0].prob: unknown key 'prob' in "
                "answer (did you mean 'probe'?)"},
        BadCase{"ProbeErrorsNameTheirPath",
                "        answers:\n          - address: 198.51.100.10\n"
                "            probe: {type: tcp}\n",
                "services.login.regions[0].answers[0].probe.address: missing required key "
                "'address' for this probe type"},
        BadCase{"AddressListedTwice",
                "        answers:\n          - address: 198.51.100.10\n"
                "            probe: {type: tcp, address: \"127.0.0.1:1\"}\n"
                "          - 198.51.100.10\n",
                "services.login.regions[0].answers[1]: '198.51.100.10' is listed twice"},
        BadCase{"AddressMustFitTheType",
                "        answers:\n          - address: not-an-ip\n"
                "            probe: {type: tcp, address: \"127.0.0.1:1\"}\n",
                "services.login.regions[0].answers[0]: 'not-an-ip' is not valid data for record "
                "type A"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(AddressProbesTest, ComponentNamesWithAtAreReserved) {
  std::string yaml = WithUsEast(kTwoProbed);
  yaml.replace(yaml.find("      app:\n"), 11, "      \"@app\":\n");
  EXPECT_NE(Errors(yaml).find("component names starting with '@' are reserved"), std::string::npos)
      << Errors(yaml);
}

}  // namespace
}  // namespace steer::config
