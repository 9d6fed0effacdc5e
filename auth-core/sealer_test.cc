#include "steer/auth/sealer.h"

#include <gtest/gtest.h>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

Sealer Make(const std::string& text) { return Sealer::Parse(text).value(); }

TEST(Sealer, RoundTripAndPurposeBinding) {
  Sealer s = Make(NewAeadKeyLine("current") + NewAeadKeyLine("next"));
  std::string sealed = s.Seal("code", "payload").value();
  EXPECT_EQ(s.Open("code", sealed).value(), "payload");
  EXPECT_FALSE(s.Open("refresh", sealed));               // cannot be replayed as another kind
  EXPECT_NE(s.Seal("code", "payload").value(), sealed);  // fresh nonce each time
}

TEST(Sealer, AnotherRegionWithTheSameFileOpensIt) {
  std::string file = NewAeadKeyLine("current") + NewAeadKeyLine("next");
  Sealer a = Make(file), b = Make(file);
  EXPECT_EQ(b.Open("session", a.Seal("session", "sid-1").value()).value(), "sid-1");
}

TEST(Sealer, RejectsTamperingAndForeignKeys) {
  Sealer s = Make(NewAeadKeyLine("current"));
  std::string sealed = s.Seal("session", "alice").value();
  std::string raw = Base64UrlDecode(sealed).value();
  raw[raw.size() - 20] ^= 1;
  EXPECT_FALSE(s.Open("session", Base64UrlEncode(raw)));
  EXPECT_FALSE(s.Open("session", sealed.substr(0, sealed.size() - 2)));
  EXPECT_FALSE(s.Open("session", "not-base64!"));
  EXPECT_FALSE(s.Open("session", ""));
  Sealer other = Make(NewAeadKeyLine("current"));
  EXPECT_FALSE(other.Open("session", sealed));
}

TEST(Sealer, RotationKeepsOldValuesOpenable) {
  std::string file = NewAeadKeyLine("current") + NewAeadKeyLine("next");
  Sealer before = Make(file);
  std::string old_sealed = before.Seal("refresh", "family-1").value();
  std::string rotated = RotateAeadKeyText(file).value();
  Sealer after = Make(rotated);
  EXPECT_EQ(after.Open("refresh", old_sealed).value(), "family-1");  // now "previous"
  // The promoted key was already "next" before, so not-yet-rotated regions open new values.
  EXPECT_EQ(before.Open("refresh", after.Seal("refresh", "x").value()).value(), "x");
  Sealer twice = Make(RotateAeadKeyText(rotated).value());
  EXPECT_FALSE(twice.Open("refresh", old_sealed));  // retired
}

TEST(Sealer, SealsUpToTheLimitOpenAccepts) {
  Sealer s = Make(NewAeadKeyLine("current"));
  auto max = s.Seal("p", std::string(kMaxSealedPlaintext, 'x'));
  ASSERT_TRUE(max);
  EXPECT_LE(max->size(), kMaxSealed);
  EXPECT_TRUE(s.Open("p", *max));
  EXPECT_FALSE(s.Seal("p", std::string(kMaxSealedPlaintext + 1, 'x')));
}

TEST(Sealer, RejectsMalformedKeyFiles) {
  EXPECT_FALSE(Sealer::Parse(""));
  EXPECT_FALSE(Sealer::Parse("current abc\n"));
  EXPECT_FALSE(Sealer::Parse(NewAeadKeyLine("next")));  // no current key
  EXPECT_FALSE(Sealer::Parse("bogus " + Base64UrlEncode(std::string(32, 'k')) + "\n"));
}

}  // namespace
}  // namespace steer::auth

namespace steer::auth {
namespace {

TEST(Sealer, ContextIsBoundLikeThePurpose) {
  auto base = Sealer::Parse(NewAeadKeyLine("current"));
  ASSERT_TRUE(base);
  Sealer acme = base->WithContext("acme"), globex = base->WithContext("globex");
  auto sealed = acme.Seal("code", "x");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(acme.Open("code", *sealed), "x");
  EXPECT_FALSE(globex.Open("code", *sealed));  // same keys, another tenant
  EXPECT_FALSE(base->Open("code", *sealed));   // nor the context-free sealer
  auto plain = base->Seal("code", "y");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(acme.Open("code", *plain));
  EXPECT_EQ(base->Open("code", *plain), "y");
}

}  // namespace
}  // namespace steer::auth
