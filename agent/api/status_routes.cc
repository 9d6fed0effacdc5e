// The routes of the status page's operations (api::StatusOp) and how the audit names them.
#include "api/status_routes.h"

#include "steer/base/json_text.h"

namespace steer::agent::api {

using json = nlohmann::json;

// The route's operation and id; false for no such route.
bool ParseStatusRoute(const std::vector<std::string>& parts, StatusRequest* r) {
  const bool incident = parts[2] == "incidents";
  if (parts.size() == 3) {
    r->op = incident ? StatusOp::kIncidentOpen : StatusOp::kMaintenanceSchedule;
    return true;
  }
  if (parts.size() != 5) return false;
  try {
    size_t used = 0;
    r->id = std::stoll(parts[3], &used);
    if (used != parts[3].size() || r->id <= 0) return false;
  } catch (const std::exception&) {
    return false;
  }
  const std::string& verb = parts[4];
  if (incident && verb == "update") {
    r->op = StatusOp::kIncidentUpdate;
  } else if (incident && verb == "resolve") {
    r->op = StatusOp::kIncidentResolve;
  } else if (!incident && verb == "cancel") {
    r->op = StatusOp::kMaintenanceCancel;
  } else {
    return false;
  }
  return true;
}

// "incident open login api --impact major", "maintenance cancel #3": the audit's what.
std::string DescribeStatus(const StatusRequest& r) {
  std::string s = StatusOpName(r.op);
  if (r.id > 0) s += " #" + std::to_string(r.id);
  const json& b = r.body;
  if (b.contains("services") && b["services"].is_array()) {
    for (const auto& v : b["services"])
      s += " " + (v.is_string() ? v.get<std::string>() : base::JsonText(v));
  }
  for (const char* key : {"impact", "status", "start", "end", "drain"}) {
    if (b.contains(key) && b[key].is_string())
      s += std::string(" --") + key + " " + b[key].get<std::string>();
  }
  return s;
}

const char* StatusOpName(StatusOp op) {
  switch (op) {
    case StatusOp::kIncidentOpen:
      return "incident open";
    case StatusOp::kIncidentUpdate:
      return "incident update";
    case StatusOp::kIncidentResolve:
      return "incident resolve";
    case StatusOp::kMaintenanceSchedule:
      return "maintenance schedule";
    case StatusOp::kMaintenanceCancel:
      return "maintenance cancel";
  }
  return "unknown";
}

}  // namespace steer::agent::api
