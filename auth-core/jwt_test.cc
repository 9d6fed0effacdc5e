#include "steer/auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsa_ = SigningKey::Generate(JwsAlg::kRS256).value();
    ec_ = SigningKey::Generate(JwsAlg::kES256).value();
    keys_.Add(KeySlot::kCurrent, rsa_);
    keys_.Add(KeySlot::kCurrent, ec_);
  }
  nlohmann::json Claims() const {
    return {{"iss", "https://login.test"},
            {"aud", "api"},
            {"sub", "alice"},
            {"iat", kNow},
            {"exp", kNow + 300}};
  }
  JwtRules Rules() const {
    JwtRules r;
    r.issuer = "https://login.test";
    r.audiences = {"api"};
    r.typ = kTypAccessToken;
    r.now = kNow;
    return r;
  }
  // header.payload with a chosen header, unsigned.
  static std::string Input(const nlohmann::json& header, const nlohmann::json& claims) {
    return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  }
  std::shared_ptr<const SigningKey> rsa_, ec_;
  KeySet keys_;
};

TEST_F(JwtTest, Rs256AndEs256RoundTrip) {
  for (auto* key : {rsa_.get(), ec_.get()}) {
    std::string token = SignJwt(*key, kTypAccessToken, Claims()).value();
    auto claims = VerifyJwt(token, keys_, Rules());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ((*claims)["sub"], "alice");
  }
}

TEST_F(JwtTest, Es256SignatureIsRaw64Bytes) {
  std::string token = SignJwt(*ec_, kTypAccessToken, Claims()).value();
  EXPECT_EQ(Base64UrlDecode(token.substr(token.rfind('.') + 1))->size(), 64u);
}

TEST_F(JwtTest, JwksPublishesPublicParametersOnly) {
  auto jwks = nlohmann::json::parse(keys_.JwksJson());
  ASSERT_EQ(jwks["keys"].size(), 2u);
  for (const auto& k : jwks["keys"]) {
    EXPECT_EQ(k["use"], "sig");
    EXPECT_FALSE(k.contains("d"));
    EXPECT_NE(keys_.Find(k["kid"].get<std::string>()), nullptr);
    if (k["kty"] == "RSA") {
      EXPECT_EQ(k["e"], "AQAB");
    } else {
      EXPECT_EQ(Base64UrlDecode(k["x"].get<std::string>())->size(), 32u);
    }
  }
}

TEST_F(JwtTest, RejectsAlgNone) {
  std::string token =
      Input({{"alg", "none"}, {"kid", rsa_->kid()}, {"typ", "at+jwt"}}, Claims()) + ".";
  EXPECT_FALSE(VerifyJwt(token, keys_, Rules()));
}

TEST_F(JwtTest, RejectsHs256SignedWithThePublicKey) {
  // The classic confusion: an HMAC keyed with the published RSA key bytes.
  std::string pub = rsa_->PublicJwk().dump();
  std::string input = Input({{"alg", "HS256"}, {"kid", rsa_->kid()}, {"typ", "at+jwt"}}, Claims());
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), pub.data(), static_cast<int>(pub.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  std::string token = input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
  EXPECT_FALSE(VerifyJwt(token, keys_, Rules()));
}

TEST_F(JwtTest, RejectsAlgThatDoesNotMatchTheKey) {
  std::string input = Input({{"alg", "ES256"}, {"kid", rsa_->kid()}, {"typ", "at+jwt"}}, Claims());
  std::string token = input + "." + Base64UrlEncode(ec_->Sign(input).value());
  EXPECT_FALSE(VerifyJwt(token, keys_, Rules()));
}

TEST_F(JwtTest, RejectsUnknownOrInjectedKid) {
  for (const char* kid : {"../../etc/passwd", "' OR 1=1 --", ""}) {
    std::string input = Input({{"alg", "RS256"}, {"kid", kid}, {"typ", "at+jwt"}}, Claims());
    std::string token = input + "." + Base64UrlEncode(rsa_->Sign(input).value());
    EXPECT_FALSE(VerifyJwt(token, keys_, Rules())) << kid;
  }
  auto other = SigningKey::Generate(JwsAlg::kES256).value();
  EXPECT_FALSE(VerifyJwt(SignJwt(*other, kTypAccessToken, Claims()).value(), keys_, Rules()));
}

TEST_F(JwtTest, RejectsWrongIssuerAudienceAndTyp) {
  auto claims = Claims();
  claims["iss"] = "https://evil.test";
  EXPECT_FALSE(VerifyJwt(SignJwt(*rsa_, kTypAccessToken, claims).value(), keys_, Rules()));
  claims = Claims();
  claims["aud"] = nlohmann::json::array({"other", "x"});
  EXPECT_FALSE(VerifyJwt(SignJwt(*rsa_, kTypAccessToken, claims).value(), keys_, Rules()));
  claims["aud"] = nlohmann::json::array({"other", "api"});
  EXPECT_TRUE(VerifyJwt(SignJwt(*rsa_, kTypAccessToken, claims).value(), keys_, Rules()));
  // An ID token (typ JWT) is not accepted where an access token is expected.
  EXPECT_FALSE(VerifyJwt(SignJwt(*rsa_, kTypIdToken, Claims()).value(), keys_, Rules()));
  EXPECT_TRUE(VerifyJwt(SignJwt(*rsa_, "application/at+jwt", Claims()).value(), keys_, Rules()));
}

TEST_F(JwtTest, ExpiryAndNotBeforeUseTheLeeway) {
  auto claims = Claims();
  claims["exp"] = kNow - 10;  // within the 30 s leeway
  EXPECT_TRUE(VerifyJwt(SignJwt(*ec_, kTypAccessToken, claims).value(), keys_, Rules()));
  claims["exp"] = kNow - 31;
  EXPECT_FALSE(VerifyJwt(SignJwt(*ec_, kTypAccessToken, claims).value(), keys_, Rules()));
  JwtRules lenient = Rules();
  lenient.check_expiry = false;
  EXPECT_TRUE(VerifyJwt(SignJwt(*ec_, kTypAccessToken, claims).value(), keys_, lenient));
  claims = Claims();
  claims["nbf"] = kNow + 60;
  EXPECT_FALSE(VerifyJwt(SignJwt(*ec_, kTypAccessToken, claims).value(), keys_, Rules()));
  claims.erase("nbf");
  claims.erase("exp");
  EXPECT_FALSE(VerifyJwt(SignJwt(*ec_, kTypAccessToken, claims).value(), keys_, Rules()));
}

TEST_F(JwtTest, RejectsTamperingAndGarbage) {
  std::string token = SignJwt(*rsa_, kTypAccessToken, Claims()).value();
  auto claims = Claims();
  claims["sub"] = "admin";
  std::string forged = token.substr(0, token.find('.') + 1) + Base64UrlEncode(claims.dump()) +
                       token.substr(token.rfind('.'));
  EXPECT_FALSE(VerifyJwt(forged, keys_, Rules()));
  for (std::string bad : {std::string(""), std::string("a.b"), std::string("a.b.c.d"), token + "x",
                          std::string(kMaxJwtBytes + 1, 'a')}) {
    EXPECT_FALSE(VerifyJwt(bad, keys_, Rules()));
  }
  std::string jku = Input({{"alg", "RS256"},
                           {"kid", rsa_->kid()},
                           {"typ", "at+jwt"},
                           {"jku", "https://evil.test/jwks"}},
                          Claims());
  EXPECT_FALSE(VerifyJwt(jku + "." + Base64UrlEncode(rsa_->Sign(jku).value()), keys_, Rules()));
}

TEST(KeySetFiles, GenerateLoadAndRotateKeepTheOldKeyVerifiable) {
  auto dir = std::filesystem::temp_directory_path() / ("steer-keys-" + RandomToken(6));
  ASSERT_TRUE(GenerateKeyDir(dir.string()));
  KeySet before = KeySet::LoadDir(dir.string()).value();
  EXPECT_EQ(before.size(), 4u);  // current + next for both algorithms
  std::string token = SignJwt(*before.Current(JwsAlg::kES256), kTypIdToken,
                              {{"iss", "i"}, {"aud", "a"}, {"exp", kNow + 60}})
                          .value();
  ASSERT_TRUE(RotateKeyDir(dir.string()));
  KeySet after = KeySet::LoadDir(dir.string()).value();
  EXPECT_EQ(after.size(), 6u);
  JwtRules rules;
  rules.issuer = "i";
  rules.typ = kTypIdToken;
  rules.now = kNow;
  EXPECT_TRUE(VerifyJwt(token, after, rules));  // signed by the now-previous key
  EXPECT_NE(after.Current(JwsAlg::kES256)->kid(), before.Current(JwsAlg::kES256)->kid());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace steer::auth
