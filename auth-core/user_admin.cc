#include "steer/auth/user_admin.h"

#include <algorithm>
#include <functional>

#include "steer/auth/crypto_util.h"

namespace steer::auth {
namespace {

Error Refused(const UserTarget& t, const std::string& why) {
  return Error{ErrorCode::kFailedPrecondition, t.label + ": " + why + "; nothing changed"};
}

// Applies `change` to every store in order; a failure names what was and was not applied.
Result<void> ApplyAll(const std::vector<UserTarget>& targets,
                      const std::function<Result<bool>(const UserTarget&)>& change) {
  for (size_t i = 0; i < targets.size(); ++i) {
    auto r = change(targets[i]);
    if (r && *r) continue;
    std::string msg = targets[i].label + ": " + (r ? "user vanished" : r.error().message);
    std::string done, left;
    for (size_t j = 0; j < targets.size(); ++j) {
      std::string& to = j < i ? done : left;
      if (j != i) to += (to.empty() ? "" : ", ") + targets[j].label;
    }
    msg += "; applied to: " + (done.empty() ? "none" : done) +
           "; not attempted: " + (left.empty() ? "none" : left);
    return MakeError(r ? ErrorCode::kNotFound : r.error().code, msg);
  }
  return {};
}

// The user as every store has it; refused unless all stores agree on its subject.
Result<std::vector<User>> FindEverywhere(const std::vector<UserTarget>& targets,
                                         const std::string& name) {
  std::vector<User> found;
  for (const UserTarget& t : targets) {
    auto u = t.store->FindUser(name);
    if (!u) return tl::unexpected(Refused(t, u.error().message));
    if (!*u) return tl::unexpected(Refused(t, "no user " + name));
    if (!found.empty() && (*u)->subject != found.front().subject) {
      return tl::unexpected(
          Refused(t, "user " + name + " has another subject than in " + targets.front().label));
    }
    found.push_back(**u);
  }
  return found;
}

Result<void> EndEverywhere(const std::vector<UserTarget>& targets, const std::string& name,
                           int64_t now, bool remove) {
  auto found = FindEverywhere(targets, name);
  if (!found) return tl::unexpected(found.error());
  int64_t next = 0;
  for (const User& u : *found) next = std::max(next, u.generation + 1);
  return ApplyAll(targets, [&](const UserTarget& t) {
    return t.store->EndUser(name, remove, next, now + t.revoke_for);
  });
}

}  // namespace

Result<std::string> AddUserEverywhere(const std::vector<UserTarget>& targets, User user) {
  if (user.subject.empty()) user.subject = RandomToken(16);
  user.generation = 0;
  user.disabled = false;
  for (const UserTarget& t : targets) {
    auto exists = t.store->FindUser(user.username);
    auto used = t.store->SubjectUsed(user.subject);
    if (!exists || !used) {
      return tl::unexpected(Refused(t, (!exists ? exists.error() : used.error()).message));
    }
    if (*exists) return tl::unexpected(Refused(t, "user " + user.username + " exists"));
    if (*used) return tl::unexpected(Refused(t, "subject " + user.subject + " is or was used"));
  }
  auto applied = ApplyAll(targets, [&](const UserTarget& t) -> Result<bool> {
    if (auto r = t.store->AddUser(user); !r) return tl::unexpected(r.error());
    return true;
  });
  if (!applied) return tl::unexpected(applied.error());
  return user.subject;
}

Result<void> DisableUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name,
                                   int64_t now) {
  return EndEverywhere(targets, name, now, false);
}

Result<void> RemoveUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name,
                                  int64_t now) {
  return EndEverywhere(targets, name, now, true);
}

Result<void> EnableUserEverywhere(const std::vector<UserTarget>& targets, const std::string& name) {
  auto found = FindEverywhere(targets, name);
  if (!found) return tl::unexpected(found.error());
  return ApplyAll(targets, [&](const UserTarget& t) { return t.store->EnableUser(name); });
}

}  // namespace steer::auth
