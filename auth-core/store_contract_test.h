#pragma once

// The auth::Store contract, one typed suite for every implementation. A test file includes
// this header once and instantiates it with its backend:
//   INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Types<SqliteBackend>);
// A backend has `std::unique_ptr<Store> Open()`, which opens the same (initially empty) store
// again on every call (so Reopen() checks durability).

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "steer/auth/store.h"

namespace steer::auth {

template <typename Backend>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override { store_ = backend_.Open(); }
  void Reopen() {
    store_.reset();
    store_ = backend_.Open();
  }
  // Runs fn(i) on `n` threads at once; returns when all are done.
  template <typename Fn>
  static void Concurrently(int n, Fn fn) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        fn(i);
      });
    }
    go = true;
    for (auto& t : threads) t.join();
  }
  Backend backend_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreContract);

TYPED_TEST_P(StoreContract, CodesAreSingleUse) {
  auto& store = *this->store_;
  EXPECT_TRUE(store.ConsumeOnce("code-1", 100).value());
  EXPECT_FALSE(store.ConsumeOnce("code-1", 100).value());
  EXPECT_TRUE(store.ConsumeOnce("code-2", 100).value());
  ASSERT_TRUE(store.Purge(101));
  EXPECT_TRUE(store.ConsumeOnce("code-1", 200).value());  // expired rows are gone
}

TYPED_TEST_P(StoreContract, RefreshRotationAndReuseRevokesTheFamily) {
  auto& store = *this->store_;
  ASSERT_TRUE(store.StartFamily("fam", "t1", 1000));
  EXPECT_EQ(store.RotateRefresh("fam", "t1", 0, "t2", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store.RotateRefresh("fam", "t2", 1, "t3", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_TRUE(store.IsCurrentRefresh("fam", "t3", 2).value());
  EXPECT_FALSE(store.IsCurrentRefresh("fam", "t2", 1).value());
  // t1 again: a stolen copy is being used; the family dies.
  EXPECT_EQ(store.RotateRefresh("fam", "t1", 0, "t4", 1000).value(), RefreshOutcome::kReused);
  EXPECT_EQ(store.RotateRefresh("fam", "t3", 2, "t5", 1000).value(), RefreshOutcome::kRevoked);
  EXPECT_TRUE(store.IsRevoked({"x", "fam"}).value());
}

TYPED_TEST_P(StoreContract, SameGenerationWithAnotherTokenIsReuse) {
  auto& store = *this->store_;
  ASSERT_TRUE(store.StartFamily("fam", "t1", 1000));
  EXPECT_EQ(store.RotateRefresh("fam", "forged", 0, "t2", 1000).value(), RefreshOutcome::kReused);
}

TYPED_TEST_P(StoreContract, UnknownOrNewerFamilyIsAdoptedFromAnotherRegion) {
  auto& store = *this->store_;
  EXPECT_EQ(store.RotateRefresh("remote", "r1", 3, "r2", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store.RotateRefresh("remote", "r1", 3, "r3", 1000).value(), RefreshOutcome::kReused);
  // Failback: this region issued gen 0, another region rotated to gen 2 meanwhile.
  ASSERT_TRUE(store.StartFamily("home", "h0", 1000));
  EXPECT_TRUE(store.IsCurrentRefresh("home", "b2", 2).value());
  EXPECT_EQ(store.RotateRefresh("home", "b2", 2, "h3", 1000).value(), RefreshOutcome::kRotated);
  EXPECT_EQ(store.RotateRefresh("home", "h0", 0, "x", 1000).value(), RefreshOutcome::kReused);
}

// Many requests presenting the same refresh token at once: exactly one rotation wins, every
// other one is reuse (and revokes the family). Never two valid successors.
TYPED_TEST_P(StoreContract, ConcurrentRotationsOfOneTokenRotateOnce) {
  auto& store = *this->store_;
  for (const char* family : {"known", "adopted"}) {
    if (std::string(family) == "known") {
      ASSERT_TRUE(store.StartFamily(family, "t0", 1000));
    }
    std::atomic<int> rotated{0}, failed{0};
    this->Concurrently(8, [&](int i) {
      auto r = store.RotateRefresh(family, "t0", 0, "n" + std::to_string(i), 1000);
      if (!r) ++failed;
      if (r && *r == RefreshOutcome::kRotated) ++rotated;
    });
    EXPECT_EQ(failed.load(), 0) << family;
    EXPECT_EQ(rotated.load(), 1) << family;
    EXPECT_TRUE(store.IsRevoked({family}).value()) << family;
  }
}

// Many chains rotating at once (PostgresStore commits them together): every step of every
// chain rotates, and each chain ends on its own last token.
TYPED_TEST_P(StoreContract, ConcurrentChainsEachRotateAtEveryStep) {
  auto& store = *this->store_;
  constexpr int kChains = 8, kSteps = 25;
  std::atomic<int> wrong{0};
  this->Concurrently(kChains, [&](int i) {
    std::string family = "chain" + std::to_string(i), token = "t0";
    if (!store.StartFamily(family, token, 1000)) ++wrong;
    for (int gen = 0; gen < kSteps; ++gen) {
      std::string next = family + "-" + std::to_string(gen + 1);
      auto r = store.RotateRefresh(family, token, gen, next, 1000);
      if (!r || *r != RefreshOutcome::kRotated) ++wrong;
      token = next;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
  for (int i = 0; i < kChains; ++i) {
    std::string family = "chain" + std::to_string(i);
    EXPECT_TRUE(
        store.IsCurrentRefresh(family, family + "-" + std::to_string(kSteps), kSteps).value());
    EXPECT_FALSE(store.IsRevoked({family}).value());
  }
}

TYPED_TEST_P(StoreContract, ConcurrentRedemptionsOfOneCodeSucceedOnce) {
  auto& store = *this->store_;
  std::atomic<int> first{0};
  this->Concurrently(8, [&](int) {
    if (store.ConsumeOnce("code", 1000).value_or(false)) ++first;
  });
  EXPECT_EQ(first.load(), 1);
}

TYPED_TEST_P(StoreContract, Revocations) {
  auto& store = *this->store_;
  EXPECT_FALSE(store.IsRevoked({"jti-1", ""}).value());
  ASSERT_TRUE(store.Revoke("jti-1", 50));
  EXPECT_TRUE(store.IsRevoked({"", "jti-1"}).value());
  EXPECT_TRUE(store.IsRevoked({"a", "b", "c", "d", "jti-1"}).value());  // a second batch
  ASSERT_TRUE(store.Revoke("jti-1", 40));  // an earlier expiry never shortens a revocation
  ASSERT_TRUE(store.Purge(45));
  EXPECT_TRUE(store.IsRevoked({"jti-1"}).value());
  ASSERT_TRUE(store.Purge(51));
  EXPECT_FALSE(store.IsRevoked({"jti-1"}).value());
}

TYPED_TEST_P(StoreContract, LockoutAfterMaxFailuresUntilTimeoutOrClear) {
  auto& store = *this->store_;
  LockoutPolicy policy{3, 60};
  EXPECT_EQ(store.RecordFailure("user:a", 1000, policy).value(), 0);
  EXPECT_EQ(store.RecordFailure("user:a", 1001, policy).value(), 0);
  EXPECT_EQ(store.RecordFailure("user:a", 1002, policy).value(), 1062);
  EXPECT_EQ(store.BlockedUntil("user:a", 1030).value(), 1062);
  EXPECT_EQ(store.BlockedUntil("user:b", 1030).value(), 0);
  EXPECT_EQ(store.BlockedUntil("user:a", 1062).value(), 0);  // timed out
  ASSERT_TRUE(store.RecordFailure("user:a", 1100, policy));
  ASSERT_TRUE(store.RecordFailure("user:a", 1101, policy));
  ASSERT_TRUE(store.ClearFailures("user:a"));  // admin unlock / successful login
  EXPECT_EQ(store.RecordFailure("user:a", 1102, policy).value(), 0);
  LockoutPolicy once{1, 60};
  EXPECT_EQ(store.RecordFailure("user:c", 1000, once).value(), 1060);
}

TYPED_TEST_P(StoreContract, FailuresOutsideTheWindowStartOver) {
  auto& store = *this->store_;
  LockoutPolicy policy{2, 60};
  EXPECT_EQ(store.RecordFailure("ip:1", 1000, policy).value(), 0);
  EXPECT_EQ(store.RecordFailure("ip:1", 1100, policy).value(), 0);
  EXPECT_EQ(store.RecordFailure("ip:1", 1101, policy).value(), 1161);
}

// Concurrent failures are all counted: the max_failures-th blocks, whoever sends it.
TYPED_TEST_P(StoreContract, ConcurrentFailuresAreAllCounted) {
  auto& store = *this->store_;
  LockoutPolicy policy{8, 60};
  std::atomic<int> blocked{0};
  this->Concurrently(8, [&](int) {
    if (store.RecordFailure("user:x", 1000, policy).value_or(0) > 0) ++blocked;
  });
  EXPECT_EQ(blocked.load(), 1);
  EXPECT_EQ(store.BlockedUntil("user:x", 1001).value(), 1060);
}

TYPED_TEST_P(StoreContract, UsersAndClientsSurviveReopen) {
  ASSERT_TRUE(this->store_->AddUser({"alice", "sub-1", "$argon2id$x", "a@example.com", "Alice"}));
  Client c;
  c.client_id = "web";
  c.secret_hash = "abc";
  c.redirect_uris = {"https://app/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  c.web_origins = {"https://app"};
  c.id_token_alg = "ES256";
  ASSERT_TRUE(this->store_->PutClient(c));
  this->Reopen();
  auto& store = *this->store_;
  auto u = store.FindUser("alice").value();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->subject, "sub-1");
  EXPECT_EQ(u->email, "a@example.com");
  EXPECT_FALSE(store.FindUser("bob").value());
  auto got = store.FindClient("web").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  EXPECT_EQ(got->web_origins, c.web_origins);
  EXPECT_EQ(got->id_token_alg, "ES256");
  EXPECT_TRUE(got->AllowsGrant("refresh_token"));
  EXPECT_FALSE(got->AllowsGrant("password"));
  EXPECT_EQ(u->generation, 0);
  EXPECT_FALSE(u->disabled);
  EXPECT_EQ(store.ListUsers()->size(), 1u);
  EXPECT_TRUE(store.EndUser("alice", true, 1, 100).value());
  EXPECT_FALSE(store.EndUser("alice", true, 1, 100).value());
  EXPECT_EQ(store.ListClients()->size(), 1u);
  EXPECT_TRUE(store.RemoveClient("web").value());
  EXPECT_FALSE(store.FindClient("web").value());
  EXPECT_TRUE(store.Ping());
}

// Names are data, never SQL: every statement is parameterised.
TYPED_TEST_P(StoreContract, SqlIshNamesAreJustNames) {
  auto& store = *this->store_;
  const std::string evil = "alice'; DROP TABLE users;--";
  const std::string evil2 = "x\" OR 1=1; DELETE FROM clients; --";
  ASSERT_TRUE(store.AddUser({"bob", "sub-b", "h", "", ""}));
  ASSERT_TRUE(store.AddUser({evil, "sub-e", "h", "e@x", "Robert'); DROP TABLE students;--"}));
  EXPECT_EQ(store.FindUser(evil).value()->name, "Robert'); DROP TABLE students;--");
  EXPECT_FALSE(store.FindUser("alice").value());
  Client c;
  c.client_id = evil2;
  ASSERT_TRUE(store.PutClient(c));
  EXPECT_EQ(store.FindClient(evil2).value()->client_id, evil2);
  EXPECT_TRUE(store.ConsumeOnce(evil, 100).value());
  EXPECT_FALSE(store.ConsumeOnce(evil, 100).value());
  ASSERT_TRUE(store.Revoke(evil2, 100));
  EXPECT_TRUE(store.IsRevoked({evil2}).value());
  EXPECT_FALSE(store.IsRevoked({"' OR '1'='1"}).value());
  ASSERT_TRUE(store.StartFamily(evil, evil2, 100));
  EXPECT_TRUE(store.IsCurrentRefresh(evil, evil2, 0).value());
  EXPECT_EQ(store.RecordFailure("user:" + evil, 1, {1, 60}).value(), 61);
  EXPECT_EQ(store.BlockedUntil("user:' OR 1=1--", 2).value(), 0);
  EXPECT_FALSE(store.SubjectUsed("' OR '1'='1").value());
  EXPECT_TRUE(store.EndUser(evil, true, 1, 100).value());
  EXPECT_TRUE(store.SubjectUsed("sub-e").value());
  EXPECT_EQ(store.ListUsers()->size(), 1u);  // bob, and the table, are still there
  EXPECT_EQ(store.ListClients()->size(), 1u);
}

// Any position of up to several ids, empty ones skipped, finds the one revoked id.
TYPED_TEST_P(StoreContract, RevocationFoundInEveryPositionOfABatch) {
  auto& store = *this->store_;
  ASSERT_TRUE(store.Revoke("sid-9", 50));
  EXPECT_FALSE(store.IsRevoked({}).value());
  EXPECT_FALSE(store.IsRevoked({"", "", ""}).value());
  EXPECT_FALSE(store.IsRevoked({"a", "b", "c", "d"}).value());
  EXPECT_TRUE(store.IsRevoked({"sid-9", "", ""}).value());
  EXPECT_TRUE(store.IsRevoked({"a", "", "sid-9"}).value());
  EXPECT_TRUE(store.IsRevoked({"a", "b", "c", "sid-9"}).value());
  EXPECT_TRUE(store.IsRevoked({"a", "", "b", "", "c", "sid-9"}).value());
}

TYPED_TEST_P(StoreContract, SubjectsAndNamesAreNeverTakenTwiceAndRemovedSubjectsStayRetired) {
  auto& store = *this->store_;
  ASSERT_TRUE(store.AddUser({"alice", "sub-1", "h", "", ""}));
  EXPECT_EQ(store.AddUser({"alice", "sub-2", "h", "", ""}).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.AddUser({"bob", "sub-1", "h", "", ""}).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.FindUser("alice").value()->subject, "sub-1");  // not replaced
  ASSERT_TRUE(store.EndUser("alice", true, 1, 100).value());
  EXPECT_TRUE(store.SubjectUsed("sub-1").value());
  auto retired = store.AddUser({"carol", "sub-1", "h", "", ""});
  ASSERT_FALSE(retired);
  EXPECT_EQ(retired.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(store.FindUser("carol").value());
  EXPECT_TRUE(store.AddUser({"alice", "sub-3", "h", "", ""}));
  EXPECT_FALSE(store.SubjectUsed("sub-4").value());
  this->Reopen();  // retired for good
  EXPECT_TRUE(this->store_->SubjectUsed("sub-1").value());
}

TYPED_TEST_P(StoreContract, EndUserRevokesEveryOlderGenerationAndDisables) {
  auto& store = *this->store_;
  ASSERT_TRUE(store.AddUser({"alice", "sub-1", "h", "", ""}));
  ASSERT_TRUE(store.EndUser("alice", false, 3, 100).value());
  auto u = store.FindUser("alice").value().value();
  EXPECT_TRUE(u.disabled);
  EXPECT_EQ(u.generation, 3);
  EXPECT_TRUE(store.ListUsers().value().at(0).disabled);
  for (int g = 0; g < 3; ++g) EXPECT_TRUE(store.IsRevoked({UserRevocationId("sub-1", g)}).value());
  EXPECT_FALSE(store.IsRevoked({UserRevocationId("sub-1", 3)}).value());
  ASSERT_TRUE(store.EnableUser("alice").value());
  EXPECT_FALSE(store.FindUser("alice").value()->disabled);
  EXPECT_EQ(store.FindUser("alice").value()->generation, 3);
  EXPECT_FALSE(store.EnableUser("bob").value());
  EXPECT_FALSE(store.EndUser("bob", false, 1, 100).value());
  EXPECT_TRUE(store.IsRevoked({"a", "b", "c", UserRevocationId("sub-1", 0)}).value());
  ASSERT_TRUE(store.Purge(101));
  EXPECT_FALSE(store.IsRevoked({UserRevocationId("sub-1", 0)}).value());
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreContract, CodesAreSingleUse, RefreshRotationAndReuseRevokesTheFamily,
    SameGenerationWithAnotherTokenIsReuse, UnknownOrNewerFamilyIsAdoptedFromAnotherRegion,
    ConcurrentRotationsOfOneTokenRotateOnce, ConcurrentChainsEachRotateAtEveryStep,
    ConcurrentRedemptionsOfOneCodeSucceedOnce, Revocations,
    LockoutAfterMaxFailuresUntilTimeoutOrClear, FailuresOutsideTheWindowStartOver,
    ConcurrentFailuresAreAllCounted, UsersAndClientsSurviveReopen, SqlIshNamesAreJustNames,
    RevocationFoundInEveryPositionOfABatch,
    SubjectsAndNamesAreNeverTakenTwiceAndRemovedSubjectsStayRetired,
    EndUserRevokesEveryOlderGenerationAndDisables);

}  // namespace steer::auth
