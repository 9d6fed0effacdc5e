// The parameter and result encodings of PostgresStore's rotation batches (pg_rotations.h);
// the batches themselves run against a real server in pg_rotation_batch_test.cc.
#include "pg_rotations.h"

#include <gtest/gtest.h>

namespace steer::auth::pg {
namespace {

TEST(PgArrays, TextElementsAreQuotedWithQuotesAndBackslashesEscaped) {
  EXPECT_EQ(TextArray({}), "{}");
  EXPECT_EQ(TextArray({"a", ""}), R"({"a",""})");
  EXPECT_EQ(TextArray({R"(x"y)", R"(b\s)", "NULL", "{,}"}), R"({"x\"y","b\\s","NULL","{,}"})");
  EXPECT_EQ(IntArray({}), "{}");
  EXPECT_EQ(IntArray({0, -1, 9007199254740993}), "{0,-1,9007199254740993}");
}

TEST(PgArrays, AnIntArrayResultParsesOrIsAnError) {
  EXPECT_EQ(ParseIntArray("{}").value(), std::vector<int>{});
  EXPECT_EQ(ParseIntArray("{0,1,2}").value(), (std::vector<int>{0, 1, 2}));
  for (const char* bad : {"", "{", "0,1", "{0,}", "{,0}", "{0;1}", "{a}", "{0,,1}", "{NULL}"}) {
    auto r = ParseIntArray(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInternal) << bad;
  }
}

}  // namespace
}  // namespace steer::auth::pg
