#include "probe_recorder.h"

namespace steer::agent {

Result<std::shared_ptr<ProbeRecorder>> ProbeRecorder::Create(
    const std::vector<probes::Target>& targets, const policies::Layout& layout,
    std::shared_ptr<HealthBook> health, std::shared_ptr<const AgentContext> context) {
  std::shared_ptr<ProbeRecorder> r(new ProbeRecorder(std::move(health), std::move(context)));
  for (const auto& t : targets) {
    int region = layout.FindRegion(t.region);
    int component = region < 0 ? -1 : layout.FindComponent(region, t.component);
    int target = component < 0 ? -1 : layout.FindTarget(region, component, t.probe.name);
    if (target < 0) {
      return MakeError(ErrorCode::kInternal, "probe " + t.DisplayName() + " not in the layout");
    }
    r->target_of_[t.id] = target;
    r->labels_[t.id] = {t.region, t.component, t.probe.name};
  }
  return r;
}

void ProbeRecorder::Record(const probes::Observation& o) const {
  auto it = target_of_.find(o.target_id);
  if (it == target_of_.end()) return;
  const metrics::LabelValues& labels = labels_.at(o.target_id);
  if (o.inconclusive) {
    // The prober was stalled, not necessarily the target: counted, but neither for nor against
    // the target's health (a target that only ever gets these goes stale instead).
    metrics::LabelValues with_result = labels;
    with_result.push_back("inconclusive");
    context_->metrics().probe_results->Inc(with_result);
    return;
  }
  std::string error = o.ok ? "" : std::string(probes::ErrorClassName(o.error)) + ": " + o.message;
  health_->Record(it->second, o.ok, WallMs(o.time), error,
                  std::chrono::duration<double>(o.phases.total).count());
  if (o.attempts > 1) context_->metrics().probe_retries->Inc(labels, o.attempts - 1);
  ObservePhases(o, labels);
}

void ProbeRecorder::ObservePhases(const probes::Observation& o, metrics::LabelValues labels) const {
  labels.push_back("");
  for (const auto& [phase, d] : {std::pair{"resolve", o.phases.resolve},
                                 {"connect", o.phases.connect},
                                 {"tls", o.phases.tls},
                                 {"first_byte", o.phases.first_byte}}) {
    if (d.count() == 0) continue;  // a phase the probe never reached
    labels.back() = phase;
    context_->metrics().probe_phase_duration->Observe(labels,
                                                      std::chrono::duration<double>(d).count());
  }
}

}  // namespace steer::agent
