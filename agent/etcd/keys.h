#pragma once

// Where coordination lives in etcd, under the policy's `coordination.etcd.prefix` (P):
//   P/leader                  the leader's vantage name, on its lease; create_revision = token
//   P/vantages/<vantage>      a vantage point's report (JSON), on its lease
//   P/engine/<service>        the policy engine's state of a service (JSON), fenced writes
//   P/overrides/<kind>/<target>  an operator override (JSON), fenced writes
//   P/ops/<id>                an operation submitted through a follower, for the leader
//   P/ops-done/<id>           its outcome, written by the leader
//   P/status/records          the leader's incidents and maintenance windows (JSON), fenced
//   P/status/uptime/<ms>      a finished minute of the leader's uptime rows (JSON), fenced;
//                             <ms>: the minute's start, 16 digits, so keys sort by time
// One layout for the coordinator, the shared state and the operation relay.

#include <cstdint>
#include <string>

namespace steer::agent::etcd {

class Keys {
 public:
  explicit Keys(std::string prefix)
      : p_(prefix.empty() || prefix.back() != '/' ? prefix + "/" : std::move(prefix)) {}

  const std::string& prefix() const { return p_; }
  std::string Leader() const { return p_ + "leader"; }
  std::string Vantages() const { return p_ + "vantages/"; }
  std::string Vantage(const std::string& name) const { return Vantages() + name; }
  std::string Engines() const { return p_ + "engine/"; }
  std::string Engine(const std::string& service) const { return Engines() + service; }
  std::string Overrides() const { return p_ + "overrides/"; }
  std::string Override(const std::string& kind, const std::string& target) const {
    return Overrides() + kind + "/" + target;
  }
  std::string Ops() const { return p_ + "ops/"; }
  std::string Op(const std::string& id) const { return Ops() + id; }
  std::string OpsDone() const { return p_ + "ops-done/"; }
  std::string OpDone(const std::string& id) const { return OpsDone() + id; }
  std::string StatusRecords() const { return p_ + "status/records"; }
  std::string UptimeMinutes() const { return p_ + "status/uptime/"; }
  std::string UptimeMinute(int64_t start_ms) const {
    std::string digits = std::to_string(start_ms);
    return UptimeMinutes() + std::string(digits.size() < 16 ? 16 - digits.size() : 0, '0') + digits;
  }

 private:
  std::string p_;
};

}  // namespace steer::agent::etcd
