#include "steer/auth/store_factory.h"

#include "steer/auth/postgres_store.h"
#include "steer/auth/sqlite_store.h"

namespace steer::auth {

Result<std::unique_ptr<Store>> OpenStore(const config::AuthdConfig& config, StoreUse use) {
  const RevocationReads reads =
      use == StoreUse::kServe ? RevocationReads::kMirror : RevocationReads::kDatabase;
  if (!config.postgres.dsn.empty()) {
    auto store = PostgresStore::Open(config.postgres, reads);
    if (!store) return tl::unexpected(store.error());
    return std::unique_ptr<Store>(std::move(*store));
  }
  auto store = SqliteStore::Open(config.store_path, reads);
  if (!store) return tl::unexpected(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace steer::auth
