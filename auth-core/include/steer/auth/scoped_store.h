#pragma once

// One tenant's view of a shared Store: every key it reads or writes (user names, client ids,
// code and token ids, refresh families, revocations, lockout keys) is prefixed with
// "<tenant>/", so tenants sharing a store never see, block or revoke each other's entries,
// and user names and client ids may repeat across tenants. Tenant names are DNS labels.
// The top-level issuer's view (tenant "") has no prefix and treats every user name or client
// id containing '/' as absent (a login as "acme/alice" at the top-level issuer finds no one),
// so a prefixed key can never be mistaken for another issuer's. One exception: revocation ids
// of a user generation (UserRevocationId, "user:<subject>:<g>", written by EndUser inside the
// underlying store) pass through unprefixed; subjects are unique across the whole store
// (AddUser refuses a subject any user of any tenant has or had), so they cannot collide.
// Works over any Store
// (SQLite today, a replicated store later) without a schema change. Thread-safe if the
// underlying store is; the underlying store must outlive this view.

#include <memory>
#include <string>

#include "steer/auth/store.h"

namespace steer::auth {

class ScopedStore final : public Store {
 public:
  ScopedStore(Store& inner, const std::string& tenant);
  // The same, sharing ownership of `inner`.
  ScopedStore(std::shared_ptr<Store> inner, const std::string& tenant);

  const std::string& prefix() const { return prefix_; }

  Result<std::optional<User>> FindUser(std::string_view username) override;
  Result<void> AddUser(const User& user) override;
  Result<bool> SubjectUsed(std::string_view subject) override;
  Result<bool> EndUser(std::string_view username, bool remove, int64_t new_generation,
                       int64_t revoke_until) override;
  Result<bool> EnableUser(std::string_view username) override;
  Result<std::vector<User>> ListUsers() override;

  Result<std::optional<Client>> FindClient(std::string_view client_id) override;
  Result<void> PutClient(const Client& client) override;
  Result<bool> RemoveClient(std::string_view client_id) override;
  Result<std::vector<Client>> ListClients() override;

  Result<bool> ConsumeOnce(std::string_view id, int64_t expires_at) override;

  Result<void> StartFamily(std::string_view family, std::string_view token_id,
                           int64_t expires_at) override;
  Result<RefreshOutcome> RotateRefresh(std::string_view family, std::string_view presented,
                                       int64_t gen, std::string_view next,
                                       int64_t expires_at) override;
  Result<bool> IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                int64_t gen) override;
  Result<void> Revoke(std::string_view id, int64_t expires_at) override;
  Result<bool> IsRevoked(const std::vector<std::string>& ids) override;

  Result<int64_t> BlockedUntil(std::string_view key, int64_t now) override;
  Result<int64_t> RecordFailure(std::string_view key, int64_t now,
                                const LockoutPolicy& policy) override;
  Result<void> ClearFailures(std::string_view key) override;

  Result<void> Ping() override;
  Result<void> Purge(int64_t now) override;

 private:
  std::string Key(std::string_view name) const;
  // Key() for revocation ids, except UserRevocationId's, which the store writes unprefixed.
  std::string RevocationKey(std::string_view id) const;
  // A name the top-level view must not see: it belongs to a tenant.
  bool Foreign(std::string_view name) const;
  // The name without this tenant's prefix, or nullopt for another tenant's entry.
  std::optional<std::string> Own(const std::string& key) const;

  std::shared_ptr<Store> owned_;  // null when the caller owns the store
  Store& inner_;
  std::string prefix_;
};

}  // namespace steer::auth
