#pragma once

// `steerctl drain REGION --wait` and `undrain REGION --wait`: follow steerd's status until the
// region is out of service (or back in it), printing progress.
//
// Drained: every service that lists the region no longer answers the region's records, every
// nameserver steerd checks answers the new records, and the records' TTL has passed since the
// last of them did (so no cache still hands out the drained region).
// Undrained: the region is not drained and healthy, and every service whose policy brings
// traffic back to it (failback: auto, and it is the first healthy, undrained region in the
// service's list) answers it on every nameserver. A service with failback: manual is named,
// not waited for.
//
// Single-threaded; the clock is injected so tests never sleep.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "steer/base/clock.h"

namespace steer::agent::cli {

enum class RegionWaitKind { kDrain, kUndrain };

struct RegionWait {
  RegionWaitKind kind = RegionWaitKind::kDrain;
  std::string region;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{std::chrono::milliseconds(500)};
};

// One look at GET /api/v1/status. `lines` are progress, one per service (and the region).
struct RegionCheck {
  bool done = false;
  std::vector<std::pair<std::string, std::string>> lines;  // key, line
  std::string waiting_for;  // what is not there yet (the first one), when !done
};

RegionCheck CheckDrained(const nlohmann::json& status, const std::string& region);
RegionCheck CheckUndrained(const nlohmann::json& status, const std::string& region);

using ApiGet = std::function<Result<ApiResponse>(const std::string& path)>;

// Polls until done or `timeout`; progress lines to `progress`. Returns kExitOk, kExitTimedOut
// (what it still waits for printed) or kExitApiError (steerd did not answer at the end).
int WaitForRegion(const ApiGet& get, const base::Clock& clock, const RegionWait& wait,
                  std::ostream& progress);

}  // namespace steer::agent::cli
