#include <gtest/gtest.h>

#include "steer/base/http_client.h"

namespace steer::base {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 1994-11-06 08:49:37 UTC, the RFC's example date.
const auto kRfcDate = std::chrono::system_clock::from_time_t(784111777);

TEST(RetryAfterTest, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kRfcDate), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter("0", kRfcDate), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 7\t", kRfcDate), milliseconds(7000));
}

TEST(RetryAfterTest, HttpDateInEveryForm) {
  auto before = kRfcDate - seconds(30);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", before), milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", before), milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", before), milliseconds(30000));
  // A fraction of a second still to wait counts as a whole one.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate - milliseconds(100)),
            milliseconds(1000));
}

TEST(RetryAfterTest, DateInThePastIsNoWait) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate + seconds(5)),
            milliseconds(0));
}

TEST(RetryAfterTest, HugeValuesAreBounded) {
  EXPECT_EQ(ParseRetryAfter("86401", kRfcDate), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999", kRfcDate), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 2100 23:59:59 GMT", kRfcDate), kMaxRetryAfter);
}

TEST(RetryAfterTest, GarbageIsIgnored) {
  for (const char* bad :
       {"", "  ", "-5", "1.5", "5s", "soon", "0x10", "Sun, 06 Nov 1994",
        "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 32 Nov 1994 08:49:37 GMT", "+5"}) {
    EXPECT_EQ(ParseRetryAfter(bad, kRfcDate), std::nullopt) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace steer::base
