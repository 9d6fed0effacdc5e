// User lifecycle: a disabled or removed user loses every session, refresh family, code and
// token at once; a re-added name is a new person.
#include <gtest/gtest.h>

#include "provider_test_util.h"
#include "steer/auth/user_admin.h"

namespace steer::auth {
namespace {

using testing::LocationParam;
using testing::ProviderTest;
using testing::Region;

// Everything alice holds before the change.
struct Held {
  std::string refresh, access, code;
};

class LifecycleTest : public ProviderTest {
 protected:
  Held Hold(Region& a) {
    Held h;
    auto tokens = Body(a.Redeem(a.LoginForCode()));
    h.refresh = tokens.value("refresh_token", "");
    h.access = tokens.value("access_token", "");
    h.code = LocationParam(a.Authorize("&state=s"), "code");  // through the SSO cookie
    EXPECT_FALSE(h.code.empty());
    return h;
  }
  static std::vector<UserTarget> Targets(std::initializer_list<Region*> regions) {
    std::vector<UserTarget> out;
    for (Region* r : regions) out.push_back({"region", r->store.get(), 3600});
    return out;
  }
  int64_t Now() const { return base::UnixSeconds(clock_); }
  void Remove(Region& a) { ASSERT_TRUE(RemoveUserEverywhere(Targets({&a}), "alice", Now())); }
  // Adds alice again, as a new person with a new password.
  std::string AddAliceAgain(std::initializer_list<Region*> regions) {
    User u{"alice", "", regions.begin()[0]->hasher.Hash("new-alice-pass").value(), "", "A2"};
    auto sub = AddUserEverywhere(Targets(regions), u);
    EXPECT_TRUE(sub) << sub.error().message;
    return sub.value_or("");
  }
  static bool Active(Region& a, const std::string& token) {
    return Body(a.Post("/introspect", "token=" + token)).value("active", false);
  }
  static int UserInfo(Region& a, const std::string& access) {
    base::ServerRequest r{"GET", "/userinfo", "", {}, "", "10.0.0.1"};
    r.headers["authorization"] = "Bearer " + access;
    return a.provider->Handle(r).status;
  }
  // Everything `h` names is dead at `a`.
  void ExpectAllDead(Region& a, const Held& h) {
    EXPECT_EQ(a.Refresh(h.refresh).status, 400) << "refresh";
    EXPECT_EQ(LocationParam(a.Authorize("&state=s&prompt=none"), "error"), "login_required");
    EXPECT_EQ(a.Authorize("&state=s").status, 200) << "the SSO cookie still logs in";
    EXPECT_EQ(a.Redeem(h.code).status, 400) << "code issued before";
    EXPECT_EQ(UserInfo(a, h.access), 401) << "userinfo";
    EXPECT_FALSE(Active(a, h.access)) << "introspection of the access token";
    EXPECT_FALSE(Active(a, h.refresh)) << "introspection of the refresh token";
  }
};

TEST_F(LifecycleTest, RemovedUserLosesEverythingAtOnce) {
  Region a(dir_, "a.db", config_, clock_);
  Held h = Hold(a);
  auto rotated = a.Refresh(h.refresh);
  ASSERT_EQ(rotated.status, 200);  // control: it worked before
  h.refresh = Body(rotated)["refresh_token"];
  Remove(a);
  ExpectAllDead(a, h);
  EXPECT_EQ(a.Password("alice-password-1").status, 400);
}

TEST_F(LifecycleTest, DisabledUserCannotLogInAndEnableDoesNotRaiseOldSessions) {
  Region a(dir_, "a.db", config_, clock_);
  Held h = Hold(a);
  ASSERT_TRUE(DisableUserEverywhere(Targets({&a}), "alice", Now()));
  ExpectAllDead(a, h);
  auto pw = a.Password("alice-password-1");
  EXPECT_EQ(pw.status, 400);
  EXPECT_NE(pw.body.find("disabled"), std::string::npos);
  auto form = a.SubmitLogin(a.Authorize("&state=s"));
  EXPECT_EQ(form.status, 403);
  ASSERT_TRUE(EnableUserEverywhere(Targets({&a}), "alice"));
  ExpectAllDead(a, h);
  auto fresh = a.Password("alice-password-1");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(a.Refresh(Body(fresh)["refresh_token"]).status, 200);
  std::string code = a.LoginForCode();
  EXPECT_EQ(a.Redeem(code).status, 200);
}

TEST_F(LifecycleTest, ReAddedNameIsANewPersonAndOldTokensDoNotActAsIt) {
  Region a(dir_, "a.db", config_, clock_), b(dir_, "b.db", config_, clock_);
  Held h = Hold(a);
  std::string old_sub = Claims(h.access)["sub"];
  ASSERT_TRUE(RemoveUserEverywhere(Targets({&a, &b}), "alice", Now()));
  std::string sub = AddAliceAgain({&a, &b});
  EXPECT_NE(sub, old_sub);
  EXPECT_GE(sub.size(), 22u);  // 128 bits, base64url
  for (Region* r : {&a, &b}) {
    r->jar = a.jar;  // the old cookie reaches both regions
    ExpectAllDead(*r, h);
  }
  auto fresh = b.Post("/token", "grant_type=password&username=alice&password=new-alice-pass");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(Claims(Body(fresh)["access_token"])["sub"], sub);
  EXPECT_EQ(a.Refresh(Body(fresh)["refresh_token"]).status, 200);  // same subject everywhere
}

TEST_F(LifecycleTest, SubjectsAreNeverReusedAndAChangeIsCheckedEverywhereFirst) {
  Region a(dir_, "a.db", config_, clock_), b(dir_, "b.db", config_, clock_);
  User bob{"bob", "sub-alice", "h", "", ""};
  auto taken = AddUserEverywhere(Targets({&a, &b}), bob);
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().message.find("nothing changed"), std::string::npos);
  ASSERT_TRUE(RemoveUserEverywhere(Targets({&a, &b}), "alice", Now()));
  EXPECT_FALSE(AddUserEverywhere(Targets({&a, &b}), bob)) << "a removed user's subject";
  bob.subject = "sub-bob";
  ASSERT_TRUE(a.store->AddUser(bob));  // only in A
  auto partial = AddUserEverywhere(Targets({&b, &a}), bob);
  ASSERT_FALSE(partial);
  EXPECT_FALSE(b.store->FindUser("bob").value()) << "B was written although A refused";
  auto missing = DisableUserEverywhere(Targets({&a, &b}), "bob", Now());
  ASSERT_FALSE(missing);
  EXPECT_FALSE(a.store->FindUser("bob").value()->disabled) << "A changed although B refused";
}

}  // namespace
}  // namespace steer::auth
