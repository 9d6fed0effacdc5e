#pragma once

// The `etcd` mode's SharedState and StatusShare: engine states under P/engine/<service>,
// overrides under P/overrides/<kind>/<target> and the status page's records under
// P/status/records and P/status/uptime/<minute>, as JSON. Every write is one txn guarded by
// CREATE(P/leader) == token, so it lands only while the writer's token is the leader's — the
// same check that guards DNS writes. Reads are linearizable. Expired overrides are filtered
// on read; their keys stay until overwritten or removed.
//
// Thread-safety: every method from any thread; the client must outlive this object.

#include "../shared_state.h"
#include "../status_share.h"
#include "etcd_client.h"
#include "keys.h"

namespace steer::agent::etcd {

class EtcdSharedState : public SharedState, public StatusShare {
 public:
  EtcdSharedState(Client& client, const std::string& prefix) : client_(client), keys_(prefix) {}

  Result<std::map<std::string, std::string>> EngineStates() override;
  Result<void> PutEngineState(const std::string& service, const std::string& json,
                              int64_t token) override;
  Result<void> PutOverride(const Override& o, int64_t token) override;
  Result<bool> RemoveOverride(OverrideKind kind, const std::string& target, int64_t token) override;
  Result<std::vector<Override>> ActiveOverrides(WallTime now) override;
  Result<void> PutStatusRecords(const std::string& json, int64_t token) override;
  Result<std::optional<SharedDocument>> StatusRecords() override;
  Result<void> PutUptimeMinute(int64_t minute_ms, const std::string& json, int64_t keep_from_ms,
                               int64_t token) override;
  Result<std::vector<std::pair<int64_t, std::string>>> UptimeMinutesAfter(
      int64_t after_ms) override;

 private:
  // Runs `ops` only while `token` leads; kFailedPrecondition otherwise.
  Result<TxnResult> Fenced(int64_t token, const std::vector<Op>& ops);

  Client& client_;
  const Keys keys_;
};

// The JSON of an override in etcd; parse errors are kInvalidArgument.
std::string OverrideToJson(const Override& o);
Result<Override> OverrideFromJson(const std::string& json);

}  // namespace steer::agent::etcd
