#include "steer/auth/password_hasher.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace steer::auth {
namespace {

TEST(PasswordHasher, DefaultsAreOwaspArgon2id) {
  PasswordHasher hasher(HashParams{}, 1);
  std::string h = hasher.Hash("correct horse").value();
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << h;
  EXPECT_TRUE(hasher.Verify(h, "correct horse"));
  EXPECT_FALSE(hasher.Verify(h, "correct horsE"));
}

TEST(PasswordHasher, SaltsAndRejectsMalformedHashes) {
  PasswordHasher hasher(HashParams{1024, 1, 1}, 2);
  std::string a = hasher.Hash("pw").value(), b = hasher.Hash("pw").value();
  EXPECT_NE(a, b);
  EXPECT_FALSE(hasher.Verify("", "pw"));
  EXPECT_FALSE(hasher.Verify("$argon2i$v=19$m=1024,t=1,p=1$abc$def", "pw"));
  EXPECT_FALSE(hasher.Verify(a.substr(0, a.size() - 3), "pw"));
  EXPECT_FALSE(hasher.VerifyDummy("pw"));
  EXPECT_FALSE(hasher.Hash(std::string(2000, 'x')));
}

TEST(PasswordHasher, ConcurrentCallersBeyondTheBoundStillComplete) {
  PasswordHasher hasher(HashParams{1024, 1, 1}, 1);
  std::string h = hasher.Hash("pw").value();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { ok += hasher.Verify(h, "pw") ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

}  // namespace
}  // namespace steer::auth
