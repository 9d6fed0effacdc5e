// The provider registry and the per-provider write limits every caller takes from one place.
#include "steer/base/clock.h"
#include "steer/dns/factory.h"

#include <gtest/gtest.h>

#include "test_fakes.h"

namespace steer::dns {
namespace {

TEST(AllProvidersTest, RegistersEveryKindThePolicyNames) {
  ProviderRegistry registry = AllProviders();
  for (const auto& [name, type] : config::ProviderTypeNames()) {
    EXPECT_EQ(registry.count(type), 1u) << name;
  }
  EXPECT_EQ(registry.size(), config::ProviderTypeNames().size());
}

TEST(AllProvidersTest, MissingKindIsNamedAsThePolicyWritesIt) {
  config::ProviderConfig config;
  config.name = "edge";
  config.type = config::ProviderType::kCloudflare;
  auto made = MakeProvider(config, ProviderRegistry{}, ProviderDeps{});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().message, "provider edge: kind 'cloudflare' is not built into this binary");
}

// Five seconds of a lowered rate, not the burst sized for the kind's default rate.
TEST(MakeRateLimiterTest, BurstIsCappedAtFiveSecondsOfTheConfiguredRate) {
  base::FakeClock clock;
  config::ProviderConfig config;
  config.type = config::ProviderType::kPowerDns;  // default burst 50
  config.rate_per_second = 2;
  auto limiter = MakeRateLimiter(config, clock);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter->TryAcquire()) << i;
  EXPECT_FALSE(limiter->TryAcquire());
  config.rate_per_second = 0;  // the default 50/s keeps its burst of 50
  limiter = MakeRateLimiter(config, clock);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(limiter->TryAcquire()) << i;
  EXPECT_FALSE(limiter->TryAcquire());
}

}  // namespace
}  // namespace steer::dns
