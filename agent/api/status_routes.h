#pragma once

// Router's half for the status page's operations: POST /api/v1/incidents,
// /api/v1/incidents/{id}/{update|resolve}, /api/v1/maintenance, /api/v1/maintenance/{id}/cancel.

#include <string>
#include <vector>

#include "api/backend.h"

namespace steer::agent::api {

// The route's operation and id (a positive integer) from the path's parts ("api", "v1",
// "incidents" or "maintenance", ...); false for no such route.
bool ParseStatusRoute(const std::vector<std::string>& parts, StatusRequest* r);
// "incident open login api --impact major", "maintenance cancel #3": the audit's what.
std::string DescribeStatus(const StatusRequest& r);

}  // namespace steer::agent::api
