#pragma once

// RuntimeSlot: the Runtime in force, swapped as a whole on reload. A reader takes a
// shared_ptr copy for one tick or one API call; a runtime swapped out lives until its last
// reader drops it (it is stopped by whoever swapped it out, not by that last reader).
//
// Thread-safety: Get() and Swap() from any thread; one mutex.

#include <memory>
#include <mutex>

#include "runtime.h"

namespace steer::agent {

class RuntimeSlot {
 public:
  std::shared_ptr<Runtime> Get() const {
    std::lock_guard lock(mu_);
    return runtime_;
  }
  // Puts `next` in force; returns the runtime it replaces (null the first time).
  std::shared_ptr<Runtime> Swap(std::shared_ptr<Runtime> next) {
    std::lock_guard lock(mu_);
    runtime_.swap(next);
    return next;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<Runtime> runtime_;
};

}  // namespace steer::agent
