#include "steer/auth/form.h"

#include <gtest/gtest.h>

#include "steer/auth/ip_throttle.h"

namespace steer::auth {
namespace {

TEST(Form, ParsesAndDecodes) {
  auto p = ParseForm("grant_type=authorization_code&redirect_uri=https%3A%2F%2Fa.test%2Fcb&x=a+b");
  ASSERT_TRUE(p);
  EXPECT_EQ(Get(*p, "redirect_uri"), "https://a.test/cb");
  EXPECT_EQ(Get(*p, "x"), "a b");
  EXPECT_EQ(Get(*p, "missing"), "");
}

TEST(Form, RejectsRepeatsAndBadEscapes) {
  EXPECT_FALSE(ParseForm("a=1&a=2"));
  EXPECT_FALSE(ParseForm("a=%zz"));
  EXPECT_FALSE(ParseForm("a=%4"));
  EXPECT_FALSE(ParseForm("a=%"));
  EXPECT_TRUE(ParseForm("a=%41&&b"));
}

TEST(Form, UrlDecodeRunsEscapesAndPlus) {
  EXPECT_EQ(UrlDecode("").value(), "");
  EXPECT_EQ(UrlDecode("eyJhbGciOi.x_y-z").value(), "eyJhbGciOi.x_y-z");
  EXPECT_EQ(UrlDecode("%41bc%2b+d%2F").value(), "Abc+ d/");
  EXPECT_EQ(UrlDecode("a+b", false).value(), "a+b");
  EXPECT_EQ(UrlDecode("++", true).value(), "  ");
  EXPECT_EQ(UrlDecode("%00x").value(), std::string("\0x", 2));
  EXPECT_FALSE(UrlDecode("abc%4"));
  EXPECT_FALSE(UrlDecode("abc%g1"));
}

TEST(Form, EncodingHelpers) {
  EXPECT_EQ(UrlEncode("a b/&"), "a%20b%2F%26");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
  EXPECT_EQ(CookieValue("a=1; steer_sid=abc; b=2", "steer_sid"), "abc");
  EXPECT_EQ(CookieValue("xsteer_sid=abc", "steer_sid"), "");
  EXPECT_EQ(AppendQuery("https://a/cb?x=1", {{"code", "c d"}, {"state", ""}}),
            "https://a/cb?x=1&code=c%20d");
}

TEST(IpThrottle, BurstThenRefill) {
  IpThrottle t(1.0, 3);
  EXPECT_TRUE(t.Allow("1.1.1.1", 0));
  EXPECT_TRUE(t.Allow("1.1.1.1", 0));
  EXPECT_TRUE(t.Allow("1.1.1.1", 0));
  EXPECT_FALSE(t.Allow("1.1.1.1", 0.5));
  EXPECT_TRUE(t.Allow("2.2.2.2", 0.5));  // independent per address
  EXPECT_TRUE(t.Allow("1.1.1.1", 1.6));
  IpThrottle off(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.Allow("1.1.1.1", 0));
}

TEST(IpThrottle, BoundedTable) {
  IpThrottle t(1.0, 1, 2);
  EXPECT_TRUE(t.Allow("a", 0));
  EXPECT_TRUE(t.Allow("b", 0));
  EXPECT_FALSE(t.Allow("c", 0));  // full of active buckets
  EXPECT_TRUE(t.Allow("c", 5));   // idle ones were dropped
}

}  // namespace
}  // namespace steer::auth
