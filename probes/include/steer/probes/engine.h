#pragma once

// The probe engine: N worker threads, each running one event loop (Asio io_context driving
// libcurl multi and c-ares) for its shard of the targets. Each target is probed on a fixed
// grid of its interval, first starts staggered deterministically over the interval
// (i/N * interval) plus an optional random jitter; never two probes of one target in flight:
// a slot that comes while the previous probe still runs, or that has already passed, is
// skipped and counted, never queued. A probe with `retries` re-tries a fast failure at once
// when the attempt fits before the next slot; the sink sees one observation per probe.
// A probe that timed out (or exceeded max_latency) while its worker's loop was stalled for a
// tenth of the timeout or more is marked inconclusive (Observation::inconclusive): the prober,
// not the target, may have been slow. Stalls are seen by a timer that checks the loop every
// 25 ms while probes are in flight, and by slots that start late.
// Thread-safety: Start/Stop from one controlling thread; Stats() from any thread. The sink is
// called on the worker thread that owns the target (so concurrently for different targets)
// and must not block.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "steer/base/clock.h"
#include "steer/base/error.h"
#include "steer/base/random.h"
#include "steer/probes/observation.h"
#include "steer/probes/schedule.h"
#include "steer/probes/target.h"

namespace steer::probes {

struct EngineOptions {
  int workers = 0;      // 0 = one per hardware core
  std::string vantage;  // stamped on every Observation
  // Back-pressure: a worker never has more probes in flight; a slot that finds the worker
  // full is skipped and counted like a late one. Bounds memory when targets hang en masse.
  int max_in_flight_per_worker = 1000;
};

struct EngineStats {
  uint64_t started = 0;
  uint64_t completed = 0;
  uint64_t failed = 0;              // completed with ok == false, not inconclusive
  uint64_t inconclusive = 0;        // completed on time-outs while the worker was stalled
  uint64_t skipped_late = 0;        // slots skipped: previous in flight, worker behind or full
  uint64_t skipped_full = 0;        // of skipped_late: the worker had max_in_flight in flight
  int max_in_flight = 0;            // most probes one worker had in flight at once
  uint64_t retried = 0;             // attempts re-tried within their slot (probe.retries)
  LatencyHistogram start_lateness;  // actual start - planned start
};

using ObservationSink = std::function<void(const Observation&)>;

class Engine {
 public:
  // Builds a prober per target; fails (kInvalidArgument, naming the target) if one cannot run.
  // `clock` and `random` must outlive the engine.
  static Result<std::unique_ptr<Engine>> Create(EngineOptions options, std::vector<Target> targets,
                                                ObservationSink sink, const base::Clock& clock,
                                                base::Random& random);
  ~Engine();  // stops
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Start();
  // Stops the workers; probes in flight are abandoned without an observation.
  void Stop();
  EngineStats Stats() const;
  int workers() const;

 private:
  class Worker;
  Engine() = default;
  std::string vantage_;
  ObservationSink sink_;
  std::vector<std::unique_ptr<Worker>> workers_;  // after vantage_/sink_: they refer to them
  bool running_ = false;
};

}  // namespace steer::probes
