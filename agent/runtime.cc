#include "runtime.h"

namespace steer::agent {

void Runtime::Start() {
  if (probes_ && !stopped_) probes_->Start();
}

void Runtime::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (probes_) probes_->Stop();  // first: no observation reaches the health book after this
  for (auto& s : services_) {
    if (s.applier) s.applier->Stop();  // joins: no write is in flight after this
  }
}

Runtime::~Runtime() {
  Stop();
  probes_.reset();
  for (auto& s : services_) s.applier.reset();
  for (auto& [name, stack] : providers_) {
    stack.writer.reset();  // before the provider, limiter and sink it references
    stack.limiter.reset();
    stack.provider.reset();
  }
  change_sink_.reset();
}

}  // namespace steer::agent
