#include "op_relay.h"

#include <algorithm>
#include <iterator>

#include "steer/base/json_text.h"

namespace steer::agent {
namespace {

using nlohmann::json;
using Status = api::OperationOutcome::Status;

const std::pair<const char*, Status> kStatuses[] = {{"ok", Status::kOk},
                                                    {"refused", Status::kRefused},
                                                    {"not_found", Status::kNotFound},
                                                    {"invalid", Status::kInvalid},
                                                    {"failed", Status::kFailed}};

}  // namespace

json RequestToJson(const api::OperationRequest& r) {
  json j = {{"op", api::OpName(r.op)},  {"who", r.who}, {"service", r.service},
            {"region", r.region},       {"to", r.to},   {"force", r.force},
            {"overrides", r.overrides}, {"why", r.why}};
  if (r.duration) j["duration_ms"] = r.duration->count();
  return j;
}

Result<api::OperationRequest> RequestFromJson(const json& j) {
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "not an operation");
  try {
    auto op = api::ParseOp(j.value("op", ""));
    if (!op) return MakeError(ErrorCode::kInvalidArgument, "unknown operation");
    api::OperationRequest r;
    r.op = *op;
    r.who = j.value("who", "");
    r.service = j.value("service", "");
    r.region = j.value("region", "");
    r.to = j.value("to", "");
    r.force = j.value("force", false);
    r.overrides = j.value("overrides", std::vector<std::string>{});
    r.why = j.value("why", "");
    if (j.contains("duration_ms")) {
      if (!j["duration_ms"].is_number_integer()) {
        return MakeError(ErrorCode::kInvalidArgument, "not an operation: duration_ms " +
                                                          base::JsonText(j["duration_ms"]) +
                                                          " is not a whole number");
      }
      r.duration = std::chrono::milliseconds(j["duration_ms"].get<int64_t>());
    }
    return r;
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not an operation: ") + e.what());
  }
}

json OutcomeToJson(const api::OperationOutcome& o) {
  std::string status = "failed";
  for (const auto& [name, s] : kStatuses) {
    if (s == o.status) status = name;
  }
  return {{"status", status},
          {"message", o.message},
          {"refused_by", o.refused_by},
          {"detail", o.detail}};
}

Result<api::OperationOutcome> OutcomeFromJson(const json& j) {
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "not an outcome");
  try {
    api::OperationOutcome o;
    const std::string status = j.value("status", "");
    const auto* known = std::find_if(std::begin(kStatuses), std::end(kStatuses),
                                     [&](const auto& s) { return status == s.first; });
    if (known == std::end(kStatuses)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not an outcome: unknown status '" + status + "'");
    }
    o.status = known->second;
    o.message = j.value("message", "");
    o.refused_by = j.value("refused_by", "");
    if (j.contains("detail")) {
      if (!j["detail"].is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "not an outcome: detail is not an object");
      }
      o.detail = j["detail"];
    }
    return o;
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not an outcome: ") + e.what());
  }
}

}  // namespace steer::agent
