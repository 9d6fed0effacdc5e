#pragma once

// A Target is one configured probe placed in the topology: which region and component it
// checks, plus a numeric id that Observations carry. Plain data, safe to share read-only.

#include <cstdint>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/config/policy.h"

namespace steer::probes {

struct Target {
  uint64_t id = 0;
  std::string region;
  std::string component;
  config::ProbeConfig probe;

  // "region/component/probe" (or the bare probe name when region is empty).
  std::string DisplayName() const;
};

// Every probe of every component of every region, numbered 1..N in policy order.
std::vector<Target> TargetsFromRegions(const std::vector<config::RegionConfig>& regions);

// An ad-hoc target from a URL (steerctl probe URL): http(s)://..., tcp://host:port,
// tls://host:port (SNI = host), dns://server[:port]/name?type=A. Other fields keep their
// ProbeConfig defaults; the probe's name is the URL. kInvalidArgument on anything else.
Result<Target> TargetFromUrl(const std::string& url);

}  // namespace steer::probes
