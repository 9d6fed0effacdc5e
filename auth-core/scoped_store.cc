#include "steer/auth/scoped_store.h"

namespace steer::auth {

ScopedStore::ScopedStore(Store& inner, const std::string& tenant)
    : inner_(inner), prefix_(tenant.empty() ? "" : tenant + "/") {}

ScopedStore::ScopedStore(std::shared_ptr<Store> inner, const std::string& tenant)
    : owned_(std::move(inner)), inner_(*owned_), prefix_(tenant.empty() ? "" : tenant + "/") {}

bool ScopedStore::Foreign(std::string_view name) const {
  return prefix_.empty() && name.find('/') != std::string_view::npos;
}

std::string ScopedStore::Key(std::string_view name) const {
  // "" means "no such id" to IsRevoked and Revoke; it stays "" so it still matches nothing.
  return name.empty() ? std::string() : prefix_ + std::string(name);
}

std::string ScopedStore::RevocationKey(std::string_view id) const {
  // A user generation's revocation id is written by the store itself (EndUser), unprefixed.
  return id.substr(0, 5) == "user:" ? std::string(id) : Key(id);
}

std::optional<std::string> ScopedStore::Own(const std::string& key) const {
  if (Foreign(key) || key.compare(0, prefix_.size(), prefix_) != 0) return std::nullopt;
  return key.substr(prefix_.size());
}

Result<std::optional<User>> ScopedStore::FindUser(std::string_view username) {
  if (Foreign(username)) return std::optional<User>();
  auto found = inner_.FindUser(prefix_ + std::string(username));
  if (found && *found) (*found)->username = std::string(username);
  return found;
}

Result<void> ScopedStore::AddUser(const User& user) {
  if (Foreign(user.username)) return MakeError(ErrorCode::kInvalidArgument, "'/' in a user name");
  User scoped = user;
  scoped.username = prefix_ + user.username;
  return inner_.AddUser(scoped);
}

Result<bool> ScopedStore::SubjectUsed(std::string_view subject) {
  return inner_.SubjectUsed(subject);  // subjects are unique across the whole store
}

Result<bool> ScopedStore::EndUser(std::string_view username, bool remove, int64_t new_generation,
                                  int64_t revoke_until) {
  if (Foreign(username)) return false;
  return inner_.EndUser(prefix_ + std::string(username), remove, new_generation, revoke_until);
}

Result<bool> ScopedStore::EnableUser(std::string_view username) {
  if (Foreign(username)) return false;
  return inner_.EnableUser(prefix_ + std::string(username));
}

Result<std::vector<User>> ScopedStore::ListUsers() {
  auto all = inner_.ListUsers();
  if (!all) return all;
  std::vector<User> own;
  for (User& u : *all) {
    if (auto name = Own(u.username)) {
      u.username = *name;
      own.push_back(std::move(u));
    }
  }
  return own;
}

Result<std::optional<Client>> ScopedStore::FindClient(std::string_view client_id) {
  if (Foreign(client_id)) return std::optional<Client>();
  auto found = inner_.FindClient(prefix_ + std::string(client_id));
  if (found && *found) (*found)->client_id = std::string(client_id);
  return found;
}

Result<void> ScopedStore::PutClient(const Client& client) {
  if (Foreign(client.client_id))
    return MakeError(ErrorCode::kInvalidArgument, "'/' in a client id");
  Client scoped = client;
  scoped.client_id = prefix_ + client.client_id;
  return inner_.PutClient(scoped);
}

Result<bool> ScopedStore::RemoveClient(std::string_view client_id) {
  if (Foreign(client_id)) return false;
  return inner_.RemoveClient(prefix_ + std::string(client_id));
}

Result<std::vector<Client>> ScopedStore::ListClients() {
  auto all = inner_.ListClients();
  if (!all) return all;
  std::vector<Client> own;
  for (Client& c : *all) {
    if (auto id = Own(c.client_id)) {
      c.client_id = *id;
      own.push_back(std::move(c));
    }
  }
  return own;
}

Result<bool> ScopedStore::ConsumeOnce(std::string_view id, int64_t expires_at) {
  return inner_.ConsumeOnce(Key(id), expires_at);
}

Result<void> ScopedStore::StartFamily(std::string_view family, std::string_view token_id,
                                      int64_t expires_at) {
  return inner_.StartFamily(Key(family), token_id, expires_at);
}

Result<RefreshOutcome> ScopedStore::RotateRefresh(std::string_view family,
                                                  std::string_view presented, int64_t gen,
                                                  std::string_view next, int64_t expires_at) {
  return inner_.RotateRefresh(Key(family), presented, gen, next, expires_at);
}

Result<bool> ScopedStore::IsCurrentRefresh(std::string_view family, std::string_view token_id,
                                           int64_t gen) {
  return inner_.IsCurrentRefresh(Key(family), token_id, gen);
}

Result<void> ScopedStore::Revoke(std::string_view id, int64_t expires_at) {
  return inner_.Revoke(RevocationKey(id), expires_at);
}

Result<bool> ScopedStore::IsRevoked(const std::vector<std::string>& ids) {
  std::vector<std::string> scoped;
  scoped.reserve(ids.size());
  for (const auto& id : ids) scoped.push_back(RevocationKey(id));
  return inner_.IsRevoked(scoped);
}

Result<int64_t> ScopedStore::BlockedUntil(std::string_view key, int64_t now) {
  return inner_.BlockedUntil(Key(key), now);
}

Result<int64_t> ScopedStore::RecordFailure(std::string_view key, int64_t now,
                                           const LockoutPolicy& policy) {
  return inner_.RecordFailure(Key(key), now, policy);
}

Result<void> ScopedStore::ClearFailures(std::string_view key) {
  return inner_.ClearFailures(Key(key));
}

Result<void> ScopedStore::Ping() { return inner_.Ping(); }

Result<void> ScopedStore::Purge(int64_t now) { return inner_.Purge(now); }

}  // namespace steer::auth
