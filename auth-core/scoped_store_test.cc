#include "steer/auth/scoped_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "steer/auth/crypto_util.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {
namespace {

class ScopedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("steer-scoped-" + RandomToken(6) + ".db");
    inner_ = SqliteStore::Open(path_.string()).value();
  }
  void TearDown() override {
    inner_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  static User Alice(const std::string& sub) { return User{"alice", sub, "hash-" + sub, "", ""}; }
  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> inner_;
};

TEST_F(ScopedStoreTest, SameUserNameInEveryTenantAndAtTheTop) {
  ScopedStore top(*inner_, ""), acme(*inner_, "acme"), globex(*inner_, "globex");
  ASSERT_TRUE(top.AddUser(Alice("top")));
  ASSERT_TRUE(acme.AddUser(Alice("acme")));
  ASSERT_TRUE(globex.AddUser(Alice("globex")));
  for (auto [view, sub] :
       {std::pair<ScopedStore*, const char*>{&top, "top"}, {&acme, "acme"}, {&globex, "globex"}}) {
    auto found = view->FindUser("alice").value();
    ASSERT_TRUE(found) << sub;
    EXPECT_EQ(found->subject, sub);
    EXPECT_EQ(found->username, "alice");  // without the prefix
    auto all = view->ListUsers().value();
    ASSERT_EQ(all.size(), 1u) << sub;
    EXPECT_EQ(all[0].subject, sub);
  }
  // The top-level view cannot reach a tenant's entry, nor write one.
  EXPECT_FALSE(top.FindUser("acme/alice").value());
  EXPECT_FALSE(top.AddUser(User{"acme/mallory", "m", "h", "", ""}));
  EXPECT_FALSE(top.EndUser("acme/alice", true, 1, 100).value());
  EXPECT_FALSE(top.EnableUser("acme/alice").value());
  EXPECT_TRUE(acme.EndUser("alice", true, 1, 100).value());
  EXPECT_FALSE(acme.FindUser("alice").value());
  EXPECT_TRUE(globex.FindUser("alice").value());
  EXPECT_TRUE(top.FindUser("alice").value());
  // Subjects are unique across the whole store: a retired one is refused in every tenant.
  EXPECT_TRUE(globex.SubjectUsed("acme").value());
  EXPECT_FALSE(top.AddUser(User{"bob", "acme", "h", "", ""}));
}

TEST_F(ScopedStoreTest, RemovingATenantsUserRevokesItsGenerationWhereItsTokensLook) {
  ScopedStore acme(*inner_, "acme"), globex(*inner_, "globex");
  ASSERT_TRUE(acme.AddUser(Alice("sub-a")));
  ASSERT_TRUE(acme.EndUser("alice", /*remove=*/false, 1, 1'900'000'000).value());
  // The provider asks its own view with the ids its tokens carry.
  EXPECT_TRUE(acme.IsRevoked({"jti", UserRevocationId("sub-a", 0)}).value());
  EXPECT_FALSE(acme.IsRevoked({UserRevocationId("sub-a", 1)}).value());
  EXPECT_TRUE(acme.FindUser("alice").value()->disabled);
  EXPECT_TRUE(acme.EnableUser("alice").value());
  EXPECT_FALSE(globex.FindUser("alice").value());
}

TEST_F(ScopedStoreTest, ClientsCodesRevocationsAndLockoutsStayInTheirTenant) {
  ScopedStore top(*inner_, ""), acme(*inner_, "acme"), globex(*inner_, "globex");
  Client web;
  web.client_id = "web";
  web.secret_hash = "acme";
  ASSERT_TRUE(acme.PutClient(web));
  EXPECT_FALSE(globex.FindClient("web").value());
  EXPECT_FALSE(top.FindClient("web").value());
  EXPECT_EQ(acme.ListClients().value().at(0).client_id, "web");

  EXPECT_TRUE(acme.ConsumeOnce("code-1", 100).value());
  EXPECT_TRUE(globex.ConsumeOnce("code-1", 100).value());  // another tenant's id space
  EXPECT_FALSE(acme.ConsumeOnce("code-1", 100).value());

  ASSERT_TRUE(acme.Revoke("sid-1", 100));
  EXPECT_TRUE(acme.IsRevoked({"sid-1"}).value());
  EXPECT_FALSE(globex.IsRevoked({"sid-1"}).value());
  EXPECT_FALSE(top.IsRevoked({"sid-1"}).value());
  EXPECT_FALSE(acme.IsRevoked({""}).value());  // "" still matches nothing

  LockoutPolicy policy{2, 60};
  ASSERT_TRUE(acme.RecordFailure("ip:127.0.0.1", 1000, policy));
  EXPECT_GT(acme.RecordFailure("ip:127.0.0.1", 1001, policy).value(), 0);
  EXPECT_GT(acme.BlockedUntil("ip:127.0.0.1", 1002).value(), 0);
  EXPECT_EQ(globex.BlockedUntil("ip:127.0.0.1", 1002).value(), 0);
  EXPECT_EQ(top.BlockedUntil("ip:127.0.0.1", 1002).value(), 0);
  ASSERT_TRUE(acme.ClearFailures("ip:127.0.0.1"));
  EXPECT_EQ(acme.BlockedUntil("ip:127.0.0.1", 1002).value(), 0);
}

}  // namespace
}  // namespace steer::auth
