#include "steer/auth/crypto_util.h"

#include <gtest/gtest.h>

namespace steer::auth {
namespace {

TEST(Base64Url, Rfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64UrlDecode("Zm9vYg").value(), "foob");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), std::string("\xfb\xff", 2));
}

TEST(Base64Url, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n < all.size(); n += 7) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all.substr(0, n))).value(), all.substr(0, n));
  }
}

// The encoder against the bit-by-bit definition (RFC 4648 §5, no padding), every length to 64.
TEST(Base64Url, MatchesTheDefinitionForEveryLength) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string data;
  for (int n = 0; n <= 64; ++n) {
    std::string want;
    for (size_t bit = 0; bit < data.size() * 8; bit += 6) {
      int v = 0;
      for (size_t b = bit; b < bit + 6; ++b) {
        int set =
            b < data.size() * 8 ? (static_cast<unsigned char>(data[b / 8]) >> (7 - b % 8)) & 1 : 0;
        v = v * 2 + set;
      }
      want.push_back(kAlphabet[v]);
    }
    EXPECT_EQ(Base64UrlEncode(data), want) << n;
    data.push_back(static_cast<char>(n * 37 + 11));
  }
  EXPECT_EQ(HexEncode(std::string("\x00\x9f\xff", 3)), "009fff");
  EXPECT_EQ(HexEncode(""), "");
}

TEST(Base64Url, RejectsNonCanonicalInput) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));  // padding
  EXPECT_FALSE(Base64UrlDecode("+/8"));   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Z"));     // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh"));    // non-zero trailing bits
  EXPECT_FALSE(Base64UrlDecode("Zm 9v"));
}

TEST(Base64, DecodesPaddedStandardAlphabet) {
  EXPECT_EQ(Base64Decode("dXNlcjpwYXNz").value(), "user:pass");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_FALSE(Base64Decode("Zm8"));
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff", 2)), "+/8=");
  EXPECT_EQ(Base64Decode(Base64Encode("user:p@ss")).value(), "user:p@ss");
  EXPECT_FALSE(Base64Decode("Zm-_"));
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(RandomToken, IsUniqueAndUrlSafe) {
  std::string a = RandomToken(16), b = RandomToken(16);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_TRUE(Base64UrlDecode(a).has_value());
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace steer::auth
