#include "notify/dispatcher.h"

#include <algorithm>

#include "steer/base/log.h"

namespace steer::agent::notify {

Dispatcher::Dispatcher(std::vector<Route> routes, DispatcherOptions options, ResultHook hook)
    : routes_(std::move(routes)), options_(options), hook_(std::move(hook)) {
  worker_ = std::thread([this] { Run(); });
}

Dispatcher::~Dispatcher() {
  size_t pending;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    pending = queue_.size();
  }
  cv_.notify_all();
  worker_.join();
  if (pending > 0) {
    base::Logger("agent")->warn("notifications: {} undelivered at shutdown", pending);
  }
}

void Dispatcher::Submit(const Notification& n) {
  auto shared = std::make_shared<const Notification>(n);
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < routes_.size(); ++i) {
      const auto& events = routes_[i].events;
      if (!events.empty() && std::find(events.begin(), events.end(), n.event) == events.end()) {
        continue;
      }
      if (queue_.size() >= options_.max_queue) {
        queue_.pop_front();
        ++stats_.dropped;
      }
      queue_.push_back(Job{i, shared, 1, std::chrono::steady_clock::now()});
    }
  }
  cv_.notify_all();
}

bool Dispatcher::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && in_flight_ == 0; });
}

DispatcherStats Dispatcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::chrono::milliseconds Dispatcher::Backoff(int attempt) const {
  auto d = options_.initial_backoff;
  for (int i = 1; i < attempt && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, options_.max_backoff);
}

// Waits for the earliest due job; false when stopping.
bool Dispatcher::NextJob(std::unique_lock<std::mutex>& lock, Job* job) {
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto it = std::min_element(queue_.begin(), queue_.end(),
                               [](const Job& a, const Job& b) { return a.due < b.due; });
    if (it->due <= std::chrono::steady_clock::now()) {
      *job = *it;
      queue_.erase(it);
      ++in_flight_;
      return true;
    }
    cv_.wait_until(lock, it->due);
  }
  return false;
}

void Dispatcher::Run() {
  std::unique_lock lock(mu_);
  Job job;
  while (NextJob(lock, &job)) {
    lock.unlock();
    Result<void> result = routes_[job.route].notifier->Send(*job.notification);
    lock.lock();
    Finish(job, result);
    --in_flight_;
    cv_.notify_all();
  }
}

void Dispatcher::Finish(const Job& job, const Result<void>& result) {
  const Route& route = routes_[job.route];
  bool delivered = result.has_value();
  if (!delivered) {
    ErrorCode code = result.error().code;
    bool permanent = code == ErrorCode::kInvalidArgument || code == ErrorCode::kPermissionDenied;
    if (!permanent && job.attempt < route.max_attempts) {
      ++stats_.retried;
      Job retry = job;
      retry.attempt++;
      retry.due = std::chrono::steady_clock::now() + Backoff(job.attempt);
      queue_.push_back(retry);
      base::Logger("agent")->warn("{} (attempt {}/{}, retrying)", result.error().message,
                                  job.attempt, route.max_attempts);
      return;
    }
    ++stats_.failed;
    base::Logger("agent")->error("{} (giving up after attempt {})", result.error().message,
                                 job.attempt);
  } else {
    ++stats_.sent;
  }
  if (hook_) hook_(route.notifier->name(), delivered);
}

}  // namespace steer::agent::notify
