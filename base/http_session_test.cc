#include "http_session.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace steer::base {
namespace {

std::string ByBeast(const ServerResponse& r, bool keep_alive, unsigned version, bool head) {
  std::ostringstream os;
  os << MakeBeastResponse(r, keep_alive, version, head);
  return os.str();
}

ServerResponse Response(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The one-buffer serialisation writes byte for byte what Beast writes for the same answer.
TEST(SerializeResponseTest, SameBytesAsBeast) {
  std::vector<ServerResponse> cases = {Response(200, "{\"a\":1}"),
                                       Response(400, ""),
                                       Response(302, ""),
                                       Response(401, "{}"),
                                       Response(429, "x"),
                                       Response(503, "y"),
                                       Response(299, "unknown status")};
  cases[0].With("Cache-Control", "no-store").With("Pragma", "no-cache");
  cases[2].content_type = "text/plain";
  cases[2]
      .With("Location", "https://a.test/cb?x=1")
      .With("Set-Cookie", "a=1")
      .With("Set-Cookie", "b=2");
  cases[3].With("WWW-Authenticate", "Basic realm=\"steer-authd\"");
  cases[4].With("X-Content-Type-Options", "nosniff").With("Retry-After", "1");
  for (const auto& r : cases) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        for (bool head : {false, true}) {
          std::string out = "stale";
          ASSERT_TRUE(SerializeResponse(r, keep_alive, version, head, out));
          EXPECT_EQ(out, ByBeast(r, keep_alive, version, head))
              << r.status << " v" << version << " keep_alive " << keep_alive << " head " << head;
        }
      }
    }
  }
}

TEST(SerializeResponseTest, LeavesSpecialShapesToBeast) {
  std::string out;
  EXPECT_FALSE(SerializeResponse(Response(204, ""), true, 11, false, out));
  EXPECT_FALSE(SerializeResponse(Response(304, ""), true, 11, false, out));
  EXPECT_FALSE(SerializeResponse(Response(101, ""), true, 11, false, out));
  EXPECT_FALSE(
      SerializeResponse(Response(200, "").With("Connection", "close"), true, 11, false, out));
  EXPECT_FALSE(
      SerializeResponse(Response(200, "").With("content-length", "3"), true, 11, false, out));
  EXPECT_FALSE(SerializeResponse(Response(200, "").With("X-A", " padded"), true, 11, false, out));
  EXPECT_FALSE(SerializeResponse(Response(200, "").With("X-A", "padded\t"), true, 11, false, out));
}

}  // namespace
}  // namespace steer::base
