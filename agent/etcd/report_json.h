#pragma once

// The JSON a vantage point publishes in etcd (P/vantages/<vantage>), kept compact: 50
// vantage points x 20 regions x a few probes are read by every agent several times a second.
//   {"v":"eu-west","home":"","t":[{"r":"a","c":"app","p":"healthz","s":"healthy",
//    "ok":3,"fail":0,"age":120,"err":""}]}
// Pure functions; thread-safe.

#include <string>

#include "steer/agent/coordinator.h"
#include "steer/base/error.h"

namespace steer::agent::etcd {

std::string ReportToJson(const VantageReport& report);
// kInvalidArgument for anything that is not a report (received_ms is left 0).
Result<VantageReport> ReportFromJson(const std::string& json);

}  // namespace steer::agent::etcd
