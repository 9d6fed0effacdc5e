#pragma once

// The result of one probe of one target: plain data, safe to copy and to read from any thread.
// Expected failures of the outside world (refused, 5xx, SERVFAIL, expired certificate) are an
// Observation with ok == false and an ErrorClass, never a steer::Error.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace steer::probes {

// Why a probe failed. The first failing stage decides the class.
enum class ErrorClass {
  kNone,            // the probe passed
  kDns,             // name resolution failed, or the DNS server could not be asked
  kConnect,         // TCP connect refused/unreachable, or the connection broke mid-exchange
  kTls,             // handshake, chain or hostname verification failed
  kTimeout,         // the probe's timeout expired
  kHttpStatus,      // the status code is outside the expected ranges
  kBodyMismatch,    // body substring, regex or JSON-path condition failed
  kHeaderMismatch,  // an expected response header is missing or does not match
  kLatency,         // the probe passed but took longer than max_latency
  kCertExpiry,      // the certificate expires in fewer than min_days_left days
  kReplyMismatch,   // tcp: the reply did not contain the expected text
  kDnsRcode,        // dns: the answer's rcode is not the expected one
  kDnsAnswer,       // dns: an expected answer is missing
  kInternal,        // a bug, or a probe that cannot run as configured
};

// "dns", "connect", ... ("" for kNone): the stable names used in logs, JSON and the API.
const char* ErrorClassName(ErrorClass c);

// Durations of the phases of one probe. A phase the probe never reached is zero. For HTTP the
// phases follow blackbox_exporter: connect excludes resolve, tls excludes connect, first_byte
// is from "connection ready" to the first response byte; total covers everything.
struct Phases {
  std::chrono::microseconds resolve{0};
  std::chrono::microseconds connect{0};
  std::chrono::microseconds tls{0};
  std::chrono::microseconds first_byte{0};
  std::chrono::microseconds total{0};
};

struct Observation {
  using TimePoint = std::chrono::system_clock::time_point;

  uint64_t target_id = 0;
  std::string vantage;
  TimePoint time;  // when the probe started (wall clock)
  bool ok = false;
  Phases phases;
  int http_status = 0;                // http: the response status, 0 if none arrived
  int dns_rcode = -1;                 // dns: the response rcode, -1 if none arrived
  std::optional<int> cert_days_left;  // tls/https (when checked): days until notAfter
  ErrorClass error = ErrorClass::kNone;
  std::string message;  // the underlying reason, for humans; never holds secrets
  int attempts = 1;     // attempts this probe took (> 1 with probe.retries); phases: the last
  // A time-out (or max_latency) while the prober itself was stalled (engine.h): the result says
  // nothing about the target, and the agent does not count it for or against its health.
  bool inconclusive = false;
};

}  // namespace steer::probes
