#include "steer/base/duration.h"

#include <gtest/gtest.h>

namespace steer::base {
namespace {

TEST(DurationTest, ParsesUnits) {
  struct Case {
    const char* text;
    int64_t ms;
  } cases[] = {{"250ms", 250},  {"5s", 5000}, {"1.5s", 1500}, {"2m", 120000},
               {"1h", 3600000}, {"0ms", 0},   {"0.25s", 250}};
  for (const Case& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text << ": " << d.error().message;
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

TEST(DurationTest, RefusesBadSpellings) {
  for (const char* text : {"", "5", "s", "5 s", "5sec", "-1s", "1.2.3s", "0.5ms", "1e3s"}) {
    EXPECT_FALSE(ParseDuration(text).has_value()) << text;
  }
}

TEST(DurationTest, FormatsShortest) {
  EXPECT_EQ(FormatDuration(Duration(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(Duration(2000)), "2s");
  EXPECT_EQ(FormatDuration(Duration(120000)), "2m");
  EXPECT_EQ(FormatDuration(Duration(0)), "0ms");
}

}  // namespace
}  // namespace steer::base
