#pragma once

// EtcdCoordinator: coordination of several agents through etcd (docs/architecture.md,
// "Coordination"). One session thread keeps this agent's lease alive (keepalive every
// TTL/3), claims its vantage key, and campaigns for leadership with Patroni's recipe: a txn
// that puts P/leader on the lease only if the key does not exist (CREATE == 0); the winner's
// fencing token is the key's create_revision, strictly increasing across leaders.
//
// Safety rules, in the order they bite:
//  - renew deadline: a leader whose last successful keepalive was sent more than 2/3 of the
//    TTL ago stops being leader locally — before its lease can expire in etcd and another
//    agent can win — and says so (log, observer);
//  - CheckFence(token) is a linearizable txn comparing CREATE(P/leader) with the token, run
//    right before every DNS write: a paused or partitioned ex-leader is refused;
//  - without etcd nothing is written: CurrentLeadership() says frozen and why.
// A vantage name already held by another live agent is refused, not merged: Start() fails
// when etcd answers at start; otherwise the session thread finds it later and stays frozen.
//
// Resign() is for good: the coordinator then holds no lease and never campaigns again (it
// stays frozen, "resigned"), so another agent takes over within its campaign period.
//
// Lifetime: the client, clock and random source must outlive the coordinator. The destructor
// resigns (deletes P/leader if still held, revokes the lease) and joins the thread.
// Thread-safety: every method from any thread (one mutex; etcd calls run outside it).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "etcd_client.h"
#include "keys.h"
#include "steer/agent/coordinator.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"

namespace steer::agent::etcd {

struct CoordinatorOptions {
  std::string prefix = "/steer/";
  std::string vantage;
  std::chrono::seconds lease_ttl{5};
  std::chrono::milliseconds campaign_period{250};  // followers try for leadership this often
  // Called (from the session thread) whenever leadership or frozen-ness changes.
  std::function<void(const Leadership& now, const std::string& what)> on_change;
};

class EtcdCoordinator : public Coordinator {
 public:
  static Result<std::unique_ptr<EtcdCoordinator>> Start(Client& client, const base::Clock& clock,
                                                        base::Random& random,
                                                        CoordinatorOptions options);
  ~EtcdCoordinator() override;
  EtcdCoordinator(const EtcdCoordinator&) = delete;
  EtcdCoordinator& operator=(const EtcdCoordinator&) = delete;

  Result<void> Publish(const VantageReport& report) override;
  Result<std::vector<VantageReport>> ReadReports() override;
  Leadership CurrentLeadership() override;
  Result<void> CheckFence(int64_t token) override;
  void Resign() override;

  int64_t lease() const;

 private:
  EtcdCoordinator(Client& client, const base::Clock& clock, base::Random& random,
                  CoordinatorOptions options);
  void Run();
  // One round of the session: lease, vantage claim, campaign. Returns the wait before the next.
  std::chrono::milliseconds Step();
  Result<void> EnsureLease();
  Result<void> Campaign();
  // Claims P/vantages/<vantage> for this lease; kAlreadyExists for a live duplicate.
  Result<void> ClaimVantage();
  void Unreachable(const Error& e);
  void SetLeader(int64_t token, const std::string& leader);
  Leadership LeadershipLocked() const;
  // Logs and tells on_change what changed since the last report, if anything did.
  void Notify();
  std::chrono::milliseconds RenewDeadline() const;

  Client& client_;
  const base::Clock& clock_;
  base::Random& random_;
  const CoordinatorOptions options_;
  const Keys keys_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool resigned_ = false;  // Resign() ran: no lease, no campaign from now on
  int64_t lease_ = 0;
  bool vantage_claimed_ = false;
  std::string duplicate_;  // set when another live agent holds our vantage name
  struct Foreign {         // another lease holding our vantage key, as first seen
    int64_t lease;
    int64_t mod_revision;
    base::Clock::SteadyTime since;
  };
  std::optional<Foreign> foreign_;
  base::Clock::SteadyTime last_renew_{};   // when the last successful keepalive was sent
  base::Clock::SteadyTime next_keepalive_{};
  int64_t token_ = 0;  // ours while leader
  std::string leader_;
  bool reachable_ = false;
  std::string last_error_;
  int failures_ = 0;
  Leadership reported_{false, 0, "", true, ""};  // as last reported: frozen at start
  std::map<std::string, std::pair<int64_t, int64_t>> seen_;  // vantage -> (mod_revision, ms)
  std::thread thread_;
};

}  // namespace steer::agent::etcd
