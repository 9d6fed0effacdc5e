#pragma once

// FaultProxy: a fault-injecting HTTP reverse proxy for tests, in front of a real provider API
// (PowerDNS). Each request is served on its own connection thread; the next fault scripted for
// its method is applied, else it is forwarded (base::SendHttp) and the upstream's answer
// returned. Faults:
//   kStatus     answer `status` (429, 5xx) with an optional Retry-After, not forwarded
//   kSlow       wait `delay`, then forward (a slow provider; past the client's timeout, the
//               request still reaches the upstream after the client gave up)
//   kLateAnswer forward, then wait `delay` before answering (applied, answered late: with a
//               delay past the client's timeout, the client sees a timeout for an applied write)
//   kReset      read the request, then reset the connection (RST), not forwarded
//   kResetAfter forward, then reset the connection (applied, the client sees a reset)
//   kGarbage    answer 200 with a body that is not JSON, not forwarded
//   kSwallow    answer 204 (PowerDNS's "accepted") without forwarding: a write that "succeeds"
//               and does not take effect
// Every request is logged with its arrival time (steady clock), the fault applied and whether
// it reached the upstream. Control endpoint (never forwarded), for driving it from a script:
//   POST /_fault/script {"method":"PATCH","faults":[{"kind":"status","status":429,
//        "retry_after":"2"},{"kind":"slow","delay_ms":300}]}   appends to that method's script
//   GET  /_fault/log      the log as JSON lines
// Test-only code (tests/fault). Thread-safe. Binds 127.0.0.1 on a free port.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "steer/base/error.h"

namespace steer::fault {

enum class FaultKind {
  kForward,
  kStatus,
  kSlow,
  kLateAnswer,
  kReset,
  kResetAfter,
  kGarbage,
  kSwallow
};

const char* FaultKindName(FaultKind kind);
Result<FaultKind> ParseFaultKind(const std::string& name);

struct ProxyFault {
  FaultKind kind = FaultKind::kForward;
  int status = 503;                    // kStatus
  std::string retry_after;             // kStatus: Retry-After value; "" = no header
  std::chrono::milliseconds delay{0};  // kSlow, kLateAnswer
};

struct ProxyLogEntry {
  std::string method;
  std::string target;  // path and query
  FaultKind fault = FaultKind::kForward;
  bool forwarded = false;   // reached the upstream
  int upstream_status = 0;  // its answer; 0 when not forwarded or unreachable
  std::chrono::steady_clock::time_point arrived;
  std::chrono::steady_clock::time_point answered;  // just before the answer or reset is sent
};

class FaultProxy {
 public:
  // `upstream`: "http://127.0.0.1:8081" (no trailing slash).
  static Result<std::unique_ptr<FaultProxy>> Start(std::string upstream);
  ~FaultProxy();  // Stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const;
  std::string url() const;  // http://127.0.0.1:PORT

  // Appends faults for the next requests of `method` ("GET", "PATCH", "*" = any method; a
  // method's own script goes first). Requests past the script are forwarded.
  void Script(const std::string& method, std::vector<ProxyFault> faults);
  std::vector<ProxyLogEntry> Log() const;
  // Requests of `method` seen; with forwarded_only, those that reached the upstream.
  int Count(const std::string& method, bool forwarded_only) const;
  // Stops accepting, waits for every connection thread. Idempotent.
  void Stop();

  struct State;

 private:
  explicit FaultProxy(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace steer::fault
