#include "steer/dns/aws_sigv4.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace steer::dns::aws {
namespace {

// AWS's published SigV4 test suite; see dns/testdata/aws_sigv4_vectors.json for the origin.
nlohmann::json LoadVectors() {
  const char* root = std::getenv("STEER_SOURCE_DIR");
  std::string path =
      std::string(root ? root : STEER_SOURCE_DIR_DEFAULT) + "/dns/testdata/aws_sigv4_vectors.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

SigV4Request RequestOf(const nlohmann::json& v) {
  SigV4Request r;
  r.method = v["method"];
  r.path = v["path"];
  r.query = v["query"];
  for (const auto& h : v["headers"]) r.headers.emplace_back(h[0], h[1]);
  r.body = v["body"];
  return r;
}

TEST(AwsSigV4, PublishedTestSuiteVectors) {
  nlohmann::json doc = LoadVectors();
  SigV4Credentials creds{doc["access_key_id"], doc["secret_access_key"]};
  SigV4Scope scope{doc["amz_date"], doc["region"], doc["service"]};
  ASSERT_GE(doc["vectors"].size(), 15u);
  for (const auto& v : doc["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    SigV4Request request = RequestOf(v);
    std::string creq = CanonicalRequest(request);
    EXPECT_EQ(creq, v["creq"].get<std::string>());
    if (v.contains("sts_hash")) {
      EXPECT_EQ(StringToSign(scope, creq),
                "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
                    v["sts_hash"].get<std::string>());
    }
    std::string signature = v["signature"];
    EXPECT_EQ(Signature(creds, scope, request), signature);
    std::string signed_headers = CanonicalHeaders(request.headers).signed_headers;
    EXPECT_EQ(AuthorizationHeader(creds, scope, request),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=" +
                  signed_headers + ", Signature=" + signature);
  }
}

// The signing-key example in the AWS General Reference ("Derive a signing key").
TEST(AwsSigV4, SigningKeyDerivationExample) {
  SigV4Scope scope{"20150830T123600Z", "us-east-1", "iam"};
  std::string key = SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope);
  std::string hex;
  for (unsigned char c : key) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  EXPECT_EQ(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(AwsSigV4, ChangingAnySignedPartChangesTheSignature) {
  SigV4Credentials creds{"AKIDEXAMPLE", "secret"};
  SigV4Scope scope{"20240101T000000Z", "us-east-1", "route53"};
  SigV4Request base{"POST",
                    "/2013-04-01/hostedzone/Z1/rrset",
                    "",
                    {{"host", "route53.amazonaws.com"}, {"x-amz-date", scope.amz_date}},
                    "<xml/>"};
  std::string sig = Signature(creds, scope, base);
  SigV4Request body = base;
  body.body = "<xml />";
  SigV4Request path = base;
  path.path = "/2013-04-01/hostedzone/Z2/rrset";
  SigV4Scope region = scope;
  region.region = "eu-west-1";
  EXPECT_NE(Signature(creds, scope, body), sig);
  EXPECT_NE(Signature(creds, scope, path), sig);
  EXPECT_NE(Signature(creds, region, base), sig);
  EXPECT_NE(Signature({"AKIDEXAMPLE", "secreT"}, scope, base), sig);
}

TEST(AwsSigV4, QueryIsDecodedBeforeEncoding) {
  EXPECT_EQ(CanonicalQuery("name=www.example.com.&type=A"), "name=www.example.com.&type=A");
  EXPECT_EQ(CanonicalQuery("b=a%20b&a=x+y"), "a=x%2By&b=a%20b");
  EXPECT_EQ(CanonicalQuery("flag"), "flag=");
}

TEST(AwsSigV4, ParseAuthorizationRoundTrip) {
  auto parsed = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/route53/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abcd");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->access_key_id, "AKID");
  EXPECT_EQ(parsed->date, "20150830");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->service, "route53");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(parsed->signature, "abcd");
  EXPECT_FALSE(ParseAuthorization("Bearer xyz").has_value());
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/x, Signature=a").has_value());
}

TEST(AwsSigV4, FormatAmzDate) {
  auto t = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z
  EXPECT_EQ(FormatAmzDate(t), "20150830T123600Z");
}

}  // namespace
}  // namespace steer::dns::aws
