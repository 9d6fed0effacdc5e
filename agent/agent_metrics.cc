#include "agent_metrics.h"

namespace steer::agent {
namespace {

const std::vector<double> kProbeBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,   0.25,   0.5,   1,    2.5,   5};
const std::vector<double> kChangeBuckets = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                            1,    2.5,   5,    10,  30,   60};

template <typename T>
Result<void> Take(Result<T*> r, T** out) {
  if (!r) return tl::unexpected(r.error());
  *out = *r;
  return {};
}

}  // namespace

Result<std::unique_ptr<AgentMetrics>> AgentMetrics::Create() {
  auto m = std::make_unique<AgentMetrics>();
  auto& r = m->registry;
  const std::vector<std::string> probe = {"region", "component", "probe"};
  std::vector<Result<void>> results = {
      Take(r.AddHistogram("steer_probe_duration_seconds", "Probe duration.", probe, kProbeBuckets),
           &m->probe_duration),
      Take(r.AddHistogram("steer_probe_phase_duration_seconds",
                          "Duration of one phase of a probe (resolve, connect, tls, first_byte).",
                          {"region", "component", "probe", "phase"}, kProbeBuckets),
           &m->probe_phase_duration),
      Take(r.AddCounter("steer_probe_results_total", "Probe results by outcome.",
                        {"region", "component", "probe", "result"}),
           &m->probe_results),
      Take(r.AddCounter("steer_probe_retries_total",
                        "Attempts re-tried within their probe (probe.retries).", probe),
           &m->probe_retries),
      Take(r.AddGauge("steer_probe_up", "1 if the probe is up after hysteresis.", probe),
           &m->probe_up),
      Take(r.AddGauge("steer_region_healthy", "1 if the region is judged healthy.", {"region"}),
           &m->region_healthy),
      Take(r.AddGauge("steer_service_active_region",
                      "1 for the region whose answers the service serves, 0 for the others.",
                      {"service", "region"}),
           &m->active_region),
      Take(r.AddCounter("steer_decisions_total", "Policy decisions by action.",
                        {"service", "action"}),
           &m->decisions),
      Take(r.AddHistogram("steer_dns_change_duration_seconds",
                          "Time for the provider to accept a DNS change.", {"name", "provider"},
                          kChangeBuckets),
           &m->dns_change_duration),
      Take(r.AddCounter("steer_dns_change_errors_total", "Failed DNS changes (after retries).",
                        {"name", "provider"}),
           &m->dns_change_errors),
      Take(r.AddHistogram("steer_propagation_duration_seconds",
                          "Time from a DNS change to every nameserver answering it.", {"service"},
                          kChangeBuckets),
           &m->propagation_duration),
      Take(r.AddGauge("steer_dns_provider_serving",
                      "1 when every nameserver of the provider answers the service's decided "
                      "records (verified), 0 while writing, verifying or retrying.",
                      {"service", "provider"}),
           &m->provider_serving),
      Take(r.AddCounter("steer_dns_drift_corrections_total",
                        "Records found changed at a provider behind Steer's back and written "
                        "back (drift check).",
                        {"service", "provider"}),
           &m->drift_corrections),
      Take(r.AddCounter("steer_operations_total", "Operator operations through the API.",
                        {"operation", "result"}),
           &m->operations),
      Take(r.AddCounter("steer_notifications_total", "Notifications by final outcome.",
                        {"notifier", "result"}),
           &m->notifications),
      Take(r.AddGauge("steer_leader", "1 when this agent holds leadership and writes DNS.", {}),
           &m->leader),
      Take(r.AddGauge("steer_coordination_frozen",
                      "1 while no agent can be known to lead (etcd unreachable or no leader).", {}),
           &m->frozen),
      Take(r.AddGauge("steer_vantage_report_age_seconds",
                      "Age of the latest report received from each other vantage point.",
                      {"vantage"}),
           &m->vantage_report_age),
      Take(r.AddCounter("steer_coordination_publishes_total",
                        "This vantage point's reports written to etcd, by result.", {"result"}),
           &m->publishes),
      Take(r.AddGauge("steer_service_paused", "1 when automatic changes are paused.", {"service"}),
           &m->paused),
      Take(r.AddCounter("steer_config_reloads_total", "Policy reloads by outcome.", {"result"}),
           &m->reloads),
  };
  for (auto& res : results) {
    if (!res) return tl::unexpected(res.error());
  }
  return m;
}

}  // namespace steer::agent
