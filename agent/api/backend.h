#pragma once

// What the HTTP API serves and operates on; implemented by the daemon, faked in tests.
// The API layer owns HTTP, authentication and auditing; the backend owns state and rules.
//
// Thread-safety: every method is called from the API's io thread while the daemon's own
// threads run, so implementations synchronise internally. Operations must return quickly:
// they record intent (a switchover, a pause) that the decision loop carries out; progress is
// observed through Service().

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace steer::agent::api {

enum class Op { kSwitchover, kFailover, kDrain, kUndrain, kPause, kResume, kAck, kReload };
const char* OpName(Op op);
// The op named by OpName (nullopt for another name).
std::optional<Op> ParseOp(const std::string& name);

struct OperationRequest {
  Op op = Op::kPause;
  std::string who;      // the token's name
  std::string service;  // switchover, failover, pause, resume, ack ("" = all for pause/resume)
  std::string region;   // drain, undrain
  std::string to;       // switchover, failover: target region
  bool force = false;   // failover
  std::vector<std::string> overrides;  // failover: safety rules deliberately overridden
  std::string why;
  std::optional<std::chrono::milliseconds> duration;  // pause, drain: expire after
};

struct OperationOutcome {
  enum class Status { kOk, kRefused, kNotFound, kInvalid, kFailed };
  Status status = Status::kOk;
  std::string message;
  std::string refused_by;  // the rule that refused, when kRefused
  nlohmann::json detail = nlohmann::json::object();

  // An outcome that is only a message: Ok("paused"), Fail(Status::kInvalid, "why").
  static OperationOutcome Ok(std::string message) {
    return {Status::kOk, std::move(message), "", {}};
  }
  static OperationOutcome Fail(Status status, std::string message) {
    return {status, std::move(message), "", {}};
  }
};

struct HistoryRequest {
  std::string service;
  int64_t before_id = 0;
  int limit = 100;
};

// The status page's operator side (`steerctl incident`, `steerctl maintenance`).
enum class StatusOp {
  kIncidentOpen,
  kIncidentUpdate,
  kIncidentResolve,
  kMaintenanceSchedule,
  kMaintenanceCancel
};
const char* StatusOpName(StatusOp op);  // "incident open", ...

struct StatusRequest {
  StatusOp op = StatusOp::kIncidentOpen;
  std::string who;
  int64_t id = 0;  // update, resolve, cancel: the incident or window
  // open: services, impact, status, message, title; update: status, impact, message;
  // resolve: message; schedule: services, start, end (RFC 3339), drain, message, title.
  nlohmann::json body = nlohmann::json::object();
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual nlohmann::json Status() = 0;
  // nullopt when no such service.
  virtual std::optional<nlohmann::json> Service(const std::string& name) = 0;
  virtual nlohmann::json History(const HistoryRequest& request) = 0;
  // False with a reason while the agent cannot do its job (e.g. state store unwritable).
  virtual bool Healthy(std::string* reason) = 0;
  virtual std::string Metrics() = 0;
  virtual OperationOutcome Operate(const OperationRequest& request) = 0;
  // Incidents and maintenance windows; detail.id names what was created.
  virtual OperationOutcome OperateStatus(const StatusRequest& request) {
    (void)request;
    return {OperationOutcome::Status::kNotFound, "this server keeps no status page", "", {}};
  }
};

}  // namespace steer::agent::api
