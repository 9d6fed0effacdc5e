#include "http_checks.h"

#include <gtest/gtest.h>

namespace steer::probes {
namespace {

HttpResponse Response(int status, std::string body, std::string headers = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

ErrorClass Judge(const config::HttpExpect& e, const HttpResponse& r) {
  auto checker = HttpChecker::Create(e);
  EXPECT_TRUE(checker.has_value());
  return checker->Check(r).error;
}

TEST(HttpChecker, StatusRanges) {
  config::HttpExpect e;
  e.status = {{200, 204}, {301, 301}};
  EXPECT_EQ(Judge(e, Response(204, "")), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(301, "")), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(302, "")), ErrorClass::kHttpStatus);
  EXPECT_EQ(Judge(e, Response(0, "")), ErrorClass::kHttpStatus);
}

TEST(HttpChecker, BodySubstringAndRegex) {
  config::HttpExpect e;
  e.body_contains = "ok";
  EXPECT_EQ(Judge(e, Response(200, "all ok")), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(200, "down")), ErrorClass::kBodyMismatch);
  e.body_contains.clear();
  e.body_regex = "version=[0-9]+\\.";
  EXPECT_EQ(Judge(e, Response(200, "x version=12.3")), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(200, "version=x")), ErrorClass::kBodyMismatch);
}

TEST(HttpChecker, JsonPathConditions) {
  config::HttpExpect e;
  e.json = {{"$.status", "up"}, {"$.checks[1].ok", "true"}, {"$.region", ""}};
  std::string good = R"({"status":"up","region":"eu","checks":[{},{"ok":true}]})";
  EXPECT_EQ(Judge(e, Response(200, good)), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(200, R"({"status":"down"})")), ErrorClass::kBodyMismatch);
  EXPECT_EQ(Judge(e, Response(200, "not json")), ErrorClass::kBodyMismatch);
  EXPECT_EQ(Judge(e, Response(200, R"({"status":"up","checks":[{},{"ok":true}]})")),
            ErrorClass::kBodyMismatch);  // $.region must exist
}

TEST(HttpChecker, HeaderMatchIsCaseInsensitiveOnName) {
  config::HttpExpect e;
  e.headers = {{"X-Region", "eu-"}};
  std::string h = "HTTP/1.1 200 OK\r\nx-region: eu-west\r\n\r\n";
  EXPECT_EQ(Judge(e, Response(200, "", h)), ErrorClass::kNone);
  EXPECT_EQ(Judge(e, Response(200, "", "HTTP/1.1 200 OK\r\nX-Region: us\r\n")),
            ErrorClass::kHeaderMismatch);
  EXPECT_EQ(Judge(e, Response(200, "", "HTTP/1.1 200 OK\r\n")), ErrorClass::kHeaderMismatch);
}

TEST(HttpChecker, LatencyIsCheckedLast) {
  config::HttpExpect e;
  e.max_latency = std::chrono::milliseconds(100);
  auto r = Response(200, "");
  r.total = std::chrono::milliseconds(150);
  EXPECT_EQ(Judge(e, r), ErrorClass::kLatency);
  r.status = 500;
  EXPECT_EQ(Judge(e, r), ErrorClass::kHttpStatus);
}

TEST(HttpChecker, RejectsBadRegexAndPath) {
  config::HttpExpect e;
  e.body_regex = "(unclosed";
  EXPECT_FALSE(HttpChecker::Create(e).has_value());
  e.body_regex.clear();
  e.json = {{"a.b", ""}};
  EXPECT_FALSE(HttpChecker::Create(e).has_value());
}

}  // namespace
}  // namespace steer::probes
