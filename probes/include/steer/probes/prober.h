#pragma once

// A Prober runs the check of one target, one probe at a time, on one worker's event loop.
// There is one class per probe kind (HttpProber, TcpProber, DnsProber, TlsProber); MakeProber()
// picks it from the target's type. Not thread-safe: a prober lives on its loop's thread and is
// destroyed only after that loop stopped running. The Target must outlive its prober.

#include <functional>
#include <memory>

#include "steer/base/error.h"
#include "steer/probes/observation.h"
#include "steer/probes/target.h"

namespace steer::probes {

class EventLoop;  // one Asio io_context + one libcurl multi handle (event_loop.h)

using ProbeDone = std::function<void(Observation)>;

class Prober {
 public:
  virtual ~Prober() = default;
  // Starts one probe bounded by the target's timeout. `done` runs exactly once, on the loop's
  // thread, never inside Start(). Start() must not be called again before `done` ran. The
  // prober fills ok, phases, status/rcode, error and message; the caller stamps id and time.
  virtual void Start(ProbeDone done) = 0;
};

// The prober for target.probe.type. Fails (kInvalidArgument) on a configuration that cannot
// run, e.g. a malformed URL, address or regex.
Result<std::unique_ptr<Prober>> MakeProber(const Target& target, EventLoop& loop);

// Runs one probe of `target` on a private event loop and returns its observation. Blocks the
// calling thread for at most about the target's timeout. Thread-safe (no shared state).
Observation ProbeOnce(const Target& target, const std::string& vantage = "");

}  // namespace steer::probes
