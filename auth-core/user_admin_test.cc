#include "steer/auth/user_admin.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace {

namespace fs = std::filesystem;

// A store whose writes fail (a full disk, a lost volume); reads answer from a real store.
class BrokenWrites final : public UserStore {
 public:
  explicit BrokenWrites(UserStore& real) : real_(real) {}
  Result<std::optional<User>> FindUser(std::string_view n) override { return real_.FindUser(n); }
  Result<bool> SubjectUsed(std::string_view s) override { return real_.SubjectUsed(s); }
  Result<std::vector<User>> ListUsers() override { return real_.ListUsers(); }
  Result<void> AddUser(const User&) override { return Broken(); }
  Result<bool> EndUser(std::string_view, bool, int64_t, int64_t) override { return Broken(); }
  Result<bool> EnableUser(std::string_view) override { return Broken(); }

 private:
  static tl::unexpected<Error> Broken() { return MakeError(ErrorCode::kIo, "disk I/O error"); }
  UserStore& real_;
};

class UserAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("steer-useradmin-" + RandomToken(6));
    fs::create_directories(dir_);
    for (const char* name : {"a.db", "b.db", "c.db"}) {
      stores_.push_back(SqliteStore::Open((dir_ / name).string()).value());
    }
  }
  void TearDown() override {
    stores_.clear();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::vector<std::unique_ptr<SqliteStore>> stores_;
};

TEST_F(UserAdminTest, SameRandomSubjectAndGenerationInEveryStore) {
  std::vector<UserTarget> all = {
      {"a", stores_[0].get(), 60}, {"b", stores_[1].get(), 60}, {"c", stores_[2].get(), 60}};
  auto sub = AddUserEverywhere(all, {"alice", "", "h", "", ""});
  ASSERT_TRUE(sub);
  EXPECT_EQ(Base64UrlDecode(*sub).value_or("").size(), 16u);
  ASSERT_TRUE(stores_[1]->EndUser("alice", false, 4, 100).value());  // B saw more changes
  ASSERT_TRUE(DisableUserEverywhere(all, "alice", 1000));
  for (auto& s : stores_) {
    auto u = s->FindUser("alice").value().value();
    EXPECT_EQ(u.subject, *sub);
    EXPECT_EQ(u.generation, 5);  // above every store's, so each region's tokens are revoked
    EXPECT_TRUE(s->IsRevoked({UserRevocationId(*sub, 3)}).value());
  }
}

TEST_F(UserAdminTest, AFailedWriteNamesWhatWasAppliedAndWhatWasNot) {
  ASSERT_TRUE(stores_[1]->AddUser({"alice", "s1", "h", "", ""}));
  BrokenWrites broken(*stores_[1]);
  std::vector<UserTarget> all = {
      {"a.yaml", stores_[0].get(), 60}, {"b.yaml", &broken, 60}, {"c.yaml", stores_[2].get(), 60}};
  ASSERT_TRUE(stores_[0]->AddUser({"alice", "s1", "h", "", ""}));
  ASSERT_TRUE(stores_[2]->AddUser({"alice", "s1", "h", "", ""}));
  auto r = RemoveUserEverywhere(all, "alice", 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "b.yaml: disk I/O error; applied to: a.yaml; not attempted: c.yaml");
  EXPECT_FALSE(stores_[0]->FindUser("alice").value());
  EXPECT_TRUE(stores_[2]->FindUser("alice").value());
}

}  // namespace
}  // namespace steer::auth
