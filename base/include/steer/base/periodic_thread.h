#pragma once

// PeriodicThread: calls a round on a thread of its own, every `every` counted from the start of
// the previous round (a round that takes longer is followed at once by the next), until Stop().
// The one loop of the background pollers (auth-core's revocation mirror, the SQLite log
// checkpointer). Thread-safety: Start() and Stop() from any thread; Stop() is idempotent and
// joins; Start() after Stop() does nothing. A round must not call Stop().

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace steer::base {

class PeriodicThread {
 public:
  using Clock = std::chrono::steady_clock;
  // `round` gets the time it started at.
  PeriodicThread(Clock::duration every, std::function<void(Clock::time_point)> round)
      : every_(every), round_(std::move(round)) {}
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  void Start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto started = Clock::now();
      round_(started);
      lock.lock();
      cv_.wait_until(lock, started + every_, [&] { return stopping_; });
    }
  }

  const Clock::duration every_;
  const std::function<void(Clock::time_point)> round_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace steer::base
