#pragma once

// EtcdOpRelay: the operation relay over etcd. A follower puts the request under
// P/ops/<id> on its own lease (a follower that dies takes its request with it) and polls
// P/ops-done/<id>; the leader lists P/ops/, carries each out, and answers with one txn that
// writes P/ops-done/<id> and deletes P/ops/<id>, guarded by CREATE(P/leader) == token and by
// P/ops/<id> still existing — so a request is answered once, by the leader of the moment,
// and a withdrawn one not at all. The follower deletes the answer
// once read (or the request, when it gives up).
//
// Thread-safety: every method from any thread. The client, coordinator and random source
// must outlive the relay.

#include "../op_relay.h"
#include "etcd_client.h"
#include "etcd_coordinator.h"
#include "keys.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"

namespace steer::agent::etcd {

class EtcdOpRelay : public OpRelay {
 public:
  EtcdOpRelay(Client& client, EtcdCoordinator& coordinator, const base::Clock& clock,
              base::Random& random, const std::string& prefix, std::string vantage)
      : client_(client),
        coordinator_(coordinator),
        clock_(clock),
        random_(random),
        keys_(prefix),
        vantage_(std::move(vantage)) {}

  Result<api::OperationOutcome> Forward(const api::OperationRequest& request,
                                        std::chrono::milliseconds timeout) override;
  Result<std::vector<Pending>> Waiting() override;
  Result<void> Complete(const std::string& id, const api::OperationOutcome& outcome,
                        int64_t token) override;

 private:
  std::string NewId();

  Client& client_;
  EtcdCoordinator& coordinator_;
  const base::Clock& clock_;
  base::Random& random_;
  const Keys keys_;
  const std::string vantage_;
};

}  // namespace steer::agent::etcd
