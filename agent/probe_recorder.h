#pragma once

// ProbeRecorder: the probe engine's observation sink. Maps each observation to its layout
// target, records it in the health book and the probe metrics. Owns copies of the id maps
// and shares the health book and the context, so the probe engine's workers may call it for
// as long as they hold it.
//
// Thread-safety: Record() from any thread (probe workers); nothing in it changes after
// construction except through the thread-safe HealthBook and metrics.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent_context.h"
#include "health_book.h"
#include "steer/policies/health.h"
#include "steer/probes/engine.h"
#include "steer/probes/target.h"

namespace steer::agent {

class ProbeRecorder {
 public:
  // Fails (kInternal) when a target is not in `layout`.
  static Result<std::shared_ptr<ProbeRecorder>> Create(const std::vector<probes::Target>& targets,
                                                       const policies::Layout& layout,
                                                       std::shared_ptr<HealthBook> health,
                                                       std::shared_ptr<const AgentContext> context);

  void Record(const probes::Observation& o) const;

 private:
  ProbeRecorder(std::shared_ptr<HealthBook> health, std::shared_ptr<const AgentContext> context)
      : health_(std::move(health)), context_(std::move(context)) {}
  void ObservePhases(const probes::Observation& o, metrics::LabelValues labels) const;

  const std::shared_ptr<HealthBook> health_;
  const std::shared_ptr<const AgentContext> context_;
  std::map<uint64_t, int> target_of_;                    // probes::Target::id -> layout target
  std::map<uint64_t, std::vector<std::string>> labels_;  // id -> {region, component, probe}
};

}  // namespace steer::agent
