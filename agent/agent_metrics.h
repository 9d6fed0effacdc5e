#pragma once

// The steerd metric set, registered once at start. Label sets are fixed here so every caller
// reports the same series. Thread-safe (see metrics.h).

#include <memory>

#include "steer/agent/metrics.h"

namespace steer::agent {

struct AgentMetrics {
  metrics::Registry registry;
  // {region, component, probe}
  metrics::Histogram* probe_duration = nullptr;  // steer_probe_duration_seconds
  // {region, component, probe, phase}: resolve, connect, tls, first_byte
  metrics::Histogram* probe_phase_duration = nullptr;  // steer_probe_phase_duration_seconds
  // {region, component, probe, result}: success|failure
  metrics::Counter* probe_results = nullptr;  // steer_probe_results_total
  metrics::Counter* probe_retries = nullptr;  // steer_probe_retries_total
  // {region, component, probe}: 1 up / 0 down after hysteresis
  metrics::Gauge* probe_up = nullptr;        // steer_probe_up
  metrics::Gauge* region_healthy = nullptr;  // steer_region_healthy {region}
  // {service, region}: 1 for the region answering, 0 for the others
  metrics::Gauge* active_region = nullptr;             // steer_service_active_region
  metrics::Counter* decisions = nullptr;               // steer_decisions_total {service, action}
  metrics::Histogram* dns_change_duration = nullptr;   // steer_dns_change_duration_seconds
  metrics::Counter* dns_change_errors = nullptr;       // steer_dns_change_errors_total
  metrics::Histogram* propagation_duration = nullptr;  // steer_propagation_duration_seconds
  metrics::Gauge* provider_serving = nullptr;     // steer_dns_provider_serving {service, provider}
  metrics::Counter* drift_corrections = nullptr;  // steer_dns_drift_corrections_total
  metrics::Counter* operations = nullptr;         // steer_operations_total {operation, result}
  metrics::Counter* notifications = nullptr;      // steer_notifications_total {notifier, result}
  metrics::Gauge* leader = nullptr;               // steer_leader (1 when this agent writes DNS)
  metrics::Gauge* frozen = nullptr;               // steer_coordination_frozen
  metrics::Gauge* vantage_report_age = nullptr;   // steer_vantage_report_age_seconds {vantage}
  metrics::Counter* publishes = nullptr;          // steer_coordination_publishes_total {result}
  metrics::Gauge* paused = nullptr;               // steer_service_paused {service}
  metrics::Counter* reloads = nullptr;            // steer_config_reloads_total {result}

  static Result<std::unique_ptr<AgentMetrics>> Create();
};

}  // namespace steer::agent
