#pragma once

// Batcher: group commit for PostgresStore (private to auth-core). Threads that each want one
// operation done (a refresh rotation) Submit() it; one of them, the leader, runs every operation
// waiting at that moment as one batch (one statement, one round trip, one commit) and hands each
// waiting thread its own outcome. It is leveldb's write batching: a thread that arrives while
// fewer than `max_in_flight` batches run leads at once, so with no concurrency a batch is one
// operation and adds no latency; under load the others queue behind the running batches and the
// next leader takes them all (up to `max_batch`).
//
// A batch's `run` gets the inputs in arrival order and returns one outcome per input, in the same
// order, or one error for the whole batch (every member gets it). It must give each input the
// outcome it would have had alone, run in that order (PostgresStore's batch function does).
//
// Thread-safety: Submit() from any number of threads; `run` is called without the lock, from at
// most `max_in_flight` threads at once.

#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "steer/base/error.h"

namespace steer::auth::pg {

template <typename In, typename Out>
class Batcher {
 public:
  using RunFn = std::function<Result<std::vector<Out>>(const std::vector<In>&)>;

  Batcher(size_t max_batch, int max_in_flight)
      : max_batch_(max_batch), max_in_flight_(max_in_flight) {
    assert(max_batch_ > 0 && max_in_flight_ > 0);
  }
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Blocks until `in` has been run, as part of a batch led by this thread (with `run`) or by
  // another (with that thread's `run`: every caller passes an equivalent function).
  Result<Out> Submit(In in, const RunFn& run);

  // Operations queued behind the running batches (for tests and metrics).
  size_t pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
  }

 private:
  struct Waiter {
    explicit Waiter(In input) : in(std::move(input)) {}
    In in;
    std::optional<Result<Out>> out;  // set by the leader of its batch
    std::condition_variable cv;
  };

  bool MayLead(const Waiter& w) const {
    return in_flight_ < max_in_flight_ && !pending_.empty() && pending_.front() == &w;
  }
  void Lead(std::unique_lock<std::mutex>& lock, const RunFn& run);

  const size_t max_batch_;
  const int max_in_flight_;
  mutable std::mutex mu_;
  std::deque<Waiter*> pending_;  // guarded by mu_; each Waiter lives on its Submit()'s stack
  int in_flight_ = 0;            // guarded by mu_
};

template <typename In, typename Out>
Result<Out> Batcher<In, Out>::Submit(In in, const RunFn& run) {
  Waiter self(std::move(in));
  std::unique_lock lock(mu_);
  pending_.push_back(&self);
  self.cv.wait(lock, [&] { return self.out.has_value() || MayLead(self); });
  if (!self.out) Lead(lock, run);
  return std::move(*self.out);
}

// Called with the lock held by the thread at the front of pending_; returns with it held, once
// that thread's batch (which includes it) is done.
template <typename In, typename Out>
void Batcher<In, Out>::Lead(std::unique_lock<std::mutex>& lock, const RunFn& run) {
  std::vector<Waiter*> batch;
  while (!pending_.empty() && batch.size() < max_batch_) {
    batch.push_back(pending_.front());
    pending_.pop_front();
  }
  ++in_flight_;
  // Another batch may start beside this one: the new front leads it.
  if (!pending_.empty() && in_flight_ < max_in_flight_) pending_.front()->cv.notify_one();
  std::vector<In> inputs;
  inputs.reserve(batch.size());
  for (Waiter* w : batch) inputs.push_back(w->in);
  lock.unlock();
  Result<std::vector<Out>> outs = run(inputs);
  if (outs && outs->size() != inputs.size()) {
    outs = MakeError(ErrorCode::kInternal, "batch: wrong number of outcomes");
  }
  lock.lock();
  --in_flight_;
  // Waiters read `out` only under the lock, so none returns (and frees its Waiter) before the
  // notify below.
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->out = outs ? Result<Out>((*outs)[i]) : Result<Out>(tl::unexpected(outs.error()));
    batch[i]->cv.notify_one();
  }
  if (!pending_.empty()) pending_.front()->cv.notify_one();
}

}  // namespace steer::auth::pg
