// Clients are stored as one JSON body per row, by both stores.
#include "client_json.h"

#include <nlohmann/json.hpp>

namespace steer::auth {

std::string ClientBody(const Client& c) {
  nlohmann::json j = {{"secret_hash", c.secret_hash},
                      {"redirect_uris", c.redirect_uris},
                      {"post_logout_redirect_uris", c.post_logout_redirect_uris},
                      {"grant_types", c.grant_types},
                      {"audience", c.audience},
                      {"access_token_alg", c.access_token_alg},
                      {"id_token_alg", c.id_token_alg},
                      {"scopes", c.scopes},
                      {"name", c.name},
                      {"web_origins", c.web_origins}};
  return j.dump();
}

std::optional<Client> ClientFromJson(const std::string& id, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  Client c;
  c.client_id = id;
  c.secret_hash = j.value("secret_hash", "");
  c.redirect_uris = j.value("redirect_uris", std::vector<std::string>{});
  c.post_logout_redirect_uris = j.value("post_logout_redirect_uris", std::vector<std::string>{});
  c.grant_types = j.value("grant_types", std::vector<std::string>{});
  c.audience = j.value("audience", "");
  c.access_token_alg = j.value("access_token_alg", "ES256");
  // Rows written before the setting existed got the OIDC default, RS256.
  c.id_token_alg = j.value("id_token_alg", "RS256");
  c.scopes = j.value("scopes", std::vector<std::string>{});
  c.name = j.value("name", "");
  // Rows written before web origins existed have no key: no origins, nothing to migrate.
  c.web_origins = j.value("web_origins", std::vector<std::string>{});
  return c;
}

}  // namespace steer::auth
