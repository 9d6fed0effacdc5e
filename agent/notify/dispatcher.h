#pragma once

// Delivers notifications on one background thread with retries and exponential backoff, so
// Submit() never blocks the decision loop. Each notifier receives only the events it is
// configured for. A full queue drops the oldest job (counted), never blocks.
//
// Thread-safety: Submit(), WaitIdle() and stats() may be called from any thread.
// The destructor stops the worker; undelivered jobs are dropped and logged by count.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "notify/notifier.h"

namespace steer::agent::notify {

struct Route {
  std::unique_ptr<Notifier> notifier;
  std::vector<std::string> events;  // empty = every event
  int max_attempts = 5;
};

struct DispatcherOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  size_t max_queue = 1000;
};

struct DispatcherStats {
  uint64_t sent = 0;
  uint64_t retried = 0;
  uint64_t failed = 0;   // gave up after max_attempts or a permanent error
  uint64_t dropped = 0;  // queue overflow
};

class Dispatcher {
 public:
  // Called on the worker after each final outcome (for metrics).
  using ResultHook = std::function<void(const std::string& notifier, bool delivered)>;

  Dispatcher(std::vector<Route> routes, DispatcherOptions options, ResultHook hook = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Submit(const Notification& n);
  // True once no job is queued or in flight; false on timeout.
  bool WaitIdle(std::chrono::milliseconds timeout);
  DispatcherStats stats() const;

 private:
  struct Job {
    size_t route;
    std::shared_ptr<const Notification> notification;
    int attempt = 1;
    std::chrono::steady_clock::time_point due;
  };

  void Run();
  bool NextJob(std::unique_lock<std::mutex>& lock, Job* job);
  void Finish(const Job& job, const Result<void>& result);
  std::chrono::milliseconds Backoff(int attempt) const;

  std::vector<Route> routes_;
  const DispatcherOptions options_;
  ResultHook hook_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  int in_flight_ = 0;
  bool stop_ = false;
  DispatcherStats stats_;
  std::thread worker_;
};

}  // namespace steer::agent::notify
