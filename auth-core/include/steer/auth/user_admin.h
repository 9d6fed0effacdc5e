#pragma once

// The user lifecycle as `steer-authd admin user` runs it across the SQLite stores of several
// regions in one run: every change is checked against every store before any is written,
// then applied store by store (each store atomically), so the regions agree on the subject
// and the generation. Errors name the store that refused or failed and what was applied.

#include <cstdint>
#include <string>
#include <vector>

#include "steer/auth/store.h"

namespace steer::auth {

struct UserTarget {
  std::string label;       // how reports name the store (its config file)
  UserStore* store;        // not owned
  int64_t revoke_for = 0;  // seconds: that region's longest token lifetime plus leeway
};

// Adds `user` (generation 0, enabled) to every store. An empty subject becomes a random one
// (128 bits); a given subject is refused when any store has or had it. Returns the subject.
Result<std::string> AddUserEverywhere(const std::vector<UserTarget>& targets, User user);
// Disable: the user cannot log in, and every session, code, refresh and access token issued
// before ends at once (revoked until now + revoke_for). Remove: the same, the user is deleted
// and its subject stays retired. Enable: new logins work again; old tokens stay dead.
Result<void> DisableUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name,
                                   int64_t now);
Result<void> RemoveUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name,
                                  int64_t now);
Result<void> EnableUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name);

}  // namespace steer::auth
