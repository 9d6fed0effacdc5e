#include "steer/probes/engine.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "event_loop.h"
#include "stall_log.h"
#include "steer/base/clock.h"
#include "steer/base/random.h"
#include "steer/probes/prober.h"

namespace steer::probes {

namespace asio = boost::asio;
using std::chrono::microseconds;

// One thread, one event loop, one shard of the targets.
class Engine::Worker {
 public:
  Worker(const std::string& vantage, const ObservationSink& sink, const base::Clock& clock,
         base::Random& random, int max_in_flight)
      : vantage_(vantage),
        sink_(sink),
        clock_(clock),
        random_(random),
        max_in_flight_(std::max(1, max_in_flight)) {}
  ~Worker() { Stop(); }

  Result<void> Add(Target target, microseconds offset);
  void Start();
  void Stop();
  void AddStats(EngineStats& into) const;

 private:
  struct Slot {
    Target target;
    std::unique_ptr<Prober> prober;
    std::unique_ptr<asio::steady_timer> timer;
    microseconds interval{0};
    SteadyTime due;      // grid slot
    SteadyTime planned;  // due + jitter
    bool in_flight = false;
    int attempts = 0;          // of the probe in flight
    SteadyTime attempt_start;  // of the attempt in flight
  };
  // While probes are in flight the loop checks on itself this often: a check that runs late is
  // a stall, during which the probes in flight were not served on time either.
  static constexpr std::chrono::milliseconds kBeat{25};

  void Arm(Slot& s);
  void OnTick(Slot& s);
  void StartAttempt(Slot& s, Observation::TimePoint wall);
  bool ShouldRetry(const Slot& s, const Observation& obs) const;
  void OnDone(Slot& s, Observation obs);
  void ArmBeat(SteadyTime now);
  bool Stalled(const Slot& s, const Observation& obs);

  const std::string& vantage_;
  const ObservationSink& sink_;
  const base::Clock& clock_;
  base::Random& random_;
  int max_in_flight_;
  int in_flight_ = 0;  // loop thread only
  StallLog stalls_;    // loop thread only
  bool beating_ = false;
  SteadyTime beat_due_;
  microseconds max_timeout_{0};
  // loop_ before slots_ and beat_: they (probers, timers) are destroyed first, the loop last.
  EventLoop loop_;
  std::vector<std::unique_ptr<Slot>> slots_;
  asio::steady_timer beat_{loop_.io()};
  std::vector<microseconds> offsets_;
  std::optional<std::thread> thread_;

  mutable std::mutex mu_;
  EngineStats stats_;  // guarded by mu_
};

Result<void> Engine::Worker::Add(Target target, microseconds offset) {
  auto slot = std::make_unique<Slot>();
  slot->target = std::move(target);
  auto prober = MakeProber(slot->target, loop_);
  if (!prober) {
    return MakeError(ErrorCode::kInvalidArgument,
                     slot->target.DisplayName() + ": " + prober.error().message);
  }
  slot->prober = std::move(*prober);
  slot->timer = std::make_unique<asio::steady_timer>(loop_.io());
  slot->interval = std::max(microseconds(1000), microseconds(slot->target.probe.interval));
  max_timeout_ = std::max(max_timeout_, microseconds(slot->target.probe.timeout));
  slots_.push_back(std::move(slot));
  offsets_.push_back(offset);
  return {};
}

void Engine::Worker::Start() {
  SteadyTime now = clock_.SteadyNow();
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i]->due = now + offsets_[i];
    Arm(*slots_[i]);
  }
  thread_.emplace([this] {
    auto guard = asio::make_work_guard(loop_.io());
    loop_.io().run();
  });
}

void Engine::Worker::Stop() {
  if (!thread_) return;
  loop_.io().stop();
  thread_->join();
  thread_.reset();
}

void Engine::Worker::Arm(Slot& s) {
  auto jitter = microseconds(s.target.probe.jitter);
  s.planned = s.due + microseconds(static_cast<int64_t>(random_.Below(
                          static_cast<uint64_t>(std::max<int64_t>(0, jitter.count())))));
  s.timer->expires_at(s.planned);
  s.timer->async_wait([this, &s](const boost::system::error_code& ec) {
    if (!ec) OnTick(s);
  });
}

void Engine::Worker::OnTick(Slot& s) {
  SteadyTime now = clock_.SteadyNow();
  stalls_.Record(s.planned, now);
  bool start = !s.in_flight && in_flight_ < max_in_flight_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.start_lateness.Record(std::chrono::duration_cast<microseconds>(now - s.planned));
    if (start) {
      ++stats_.started;
      stats_.max_in_flight = std::max(stats_.max_in_flight, in_flight_ + 1);
    } else {
      ++stats_.skipped_late;
      if (!s.in_flight) ++stats_.skipped_full;
    }
  }
  if (start) {
    s.in_flight = true;
    s.attempts = 0;
    ++in_flight_;
    if (!beating_) ArmBeat(now);
    StartAttempt(s, clock_.WallNow());
  }
  NextSlot next = NextDue(s.due, clock_.SteadyNow(), s.interval);
  if (next.skipped > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.skipped_late += next.skipped;
  }
  s.due = next.due;
  Arm(s);
}

void Engine::Worker::StartAttempt(Slot& s, Observation::TimePoint wall) {
  ++s.attempts;
  s.attempt_start = clock_.SteadyNow();
  s.prober->Start([this, &s, wall](Observation obs) {
    obs.time = wall;
    obs.attempts = s.attempts;
    OnDone(s, std::move(obs));
  });
}

// A failure that came back fast (refused, 5xx, wrong body) is cheap to confirm, and a single
// one is often noise. A timeout is not re-tried: it already took the whole timeout, and
// re-trying it would delay the verdict on a hung backend by as much again. A re-try must end
// before the target's next slot (OnTick already moved `due` there), so probes never overlap.
bool Engine::Worker::ShouldRetry(const Slot& s, const Observation& obs) const {
  if (obs.ok || s.attempts > s.target.probe.retries) return false;
  if (obs.error == ErrorClass::kTimeout || obs.error == ErrorClass::kLatency ||
      obs.error == ErrorClass::kInternal) {
    return false;
  }
  return clock_.SteadyNow() + microseconds(s.target.probe.timeout) <= s.due;
}

void Engine::Worker::ArmBeat(SteadyTime now) {
  beating_ = true;
  beat_due_ = now + kBeat;
  beat_.expires_at(beat_due_);
  beat_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const SteadyTime ran = clock_.SteadyNow();
    stalls_.Record(beat_due_, ran);
    stalls_.Prune(ran - 2 * max_timeout_ - kBeat);
    beating_ = false;
    if (in_flight_ > 0) ArmBeat(ran);
  });
}

// Whether the loop stalled enough while this attempt ran to make its failure inconclusive. A
// beat overdue now is a stall in progress: its handler may run only after this one.
bool Engine::Worker::Stalled(const Slot& s, const Observation& obs) {
  if (!StallCouldExplain(obs)) return false;
  const SteadyTime now = clock_.SteadyNow();
  if (beating_) stalls_.Record(beat_due_, now);
  return Inconclusive(obs, stalls_.StalledWithin(s.attempt_start, now),
                      microseconds(s.target.probe.timeout));
}

void Engine::Worker::OnDone(Slot& s, Observation obs) {
  obs.inconclusive = Stalled(s, obs);
  if (ShouldRetry(s, obs)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.retried;
    }
    StartAttempt(s, obs.time);
    return;
  }
  s.in_flight = false;
  --in_flight_;
  obs.target_id = s.target.id;
  obs.vantage = vantage_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.completed;
    if (obs.inconclusive) {
      ++stats_.inconclusive;
    } else if (!obs.ok) {
      ++stats_.failed;
    }
  }
  if (sink_) sink_(obs);
}

void Engine::Worker::AddStats(EngineStats& into) const {
  std::lock_guard<std::mutex> lock(mu_);
  into.started += stats_.started;
  into.completed += stats_.completed;
  into.failed += stats_.failed;
  into.skipped_late += stats_.skipped_late;
  into.skipped_full += stats_.skipped_full;
  into.max_in_flight = std::max(into.max_in_flight, stats_.max_in_flight);
  into.retried += stats_.retried;
  into.inconclusive += stats_.inconclusive;
  into.start_lateness.Merge(stats_.start_lateness);
}

Result<std::unique_ptr<Engine>> Engine::Create(EngineOptions options, std::vector<Target> targets,
                                               ObservationSink sink, const base::Clock& clock,
                                               base::Random& random) {
  int n = options.workers > 0 ? options.workers
                              : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::unique_ptr<Engine> engine(new Engine());
  engine->vantage_ = std::move(options.vantage);
  engine->sink_ = std::move(sink);
  for (int i = 0; i < n; ++i) {
    engine->workers_.push_back(std::make_unique<Worker>(engine->vantage_, engine->sink_, clock,
                                                        random, options.max_in_flight_per_worker));
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    auto offset = StaggerOffset(i, targets.size(), microseconds(targets[i].probe.interval));
    auto added = engine->workers_[i % static_cast<size_t>(n)]->Add(std::move(targets[i]), offset);
    if (!added) return tl::unexpected(added.error());
  }
  return engine;
}

Engine::~Engine() { Stop(); }

void Engine::Start() {
  if (running_) return;
  running_ = true;
  for (auto& w : workers_) w->Start();
}

void Engine::Stop() {
  for (auto& w : workers_) w->Stop();
  running_ = false;
}

EngineStats Engine::Stats() const {
  EngineStats out;
  for (const auto& w : workers_) w->AddStats(out);
  return out;
}

int Engine::workers() const { return static_cast<int>(workers_.size()); }

}  // namespace steer::probes
