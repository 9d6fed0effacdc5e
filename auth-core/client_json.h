#pragma once

// The JSON body a client row holds (SqliteStore and PostgresStore; private to auth-core).

#include <optional>
#include <string>

#include "steer/auth/store.h"

namespace steer::auth {

std::string ClientBody(const Client& c);
// nullopt when the body is not a JSON object.
std::optional<Client> ClientFromJson(const std::string& id, const std::string& body);

}  // namespace steer::auth
