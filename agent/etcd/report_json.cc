#include "report_json.h"

#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"

namespace steer::agent::etcd {
namespace {

policies::Health ParseHealth(const std::string& s) {
  if (s == policies::HealthName(policies::Health::kHealthy)) return policies::Health::kHealthy;
  if (s == policies::HealthName(policies::Health::kUnhealthy)) return policies::Health::kUnhealthy;
  return policies::Health::kUnknown;
}

}  // namespace

std::string ReportToJson(const VantageReport& report) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : report.targets) {
    targets.push_back({{"r", t.region},
                       {"c", t.component},
                       {"p", t.probe},
                       {"s", policies::HealthName(t.state)},
                       {"ok", t.consecutive_ok},
                       {"fail", t.consecutive_fail},
                       {"age", t.age_ms},
                       {"err", t.error}});
  }
  return base::JsonText(
      nlohmann::json{{"v", report.vantage}, {"home", report.home_region}, {"t", targets}});
}

Result<VantageReport> ReportFromJson(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("v") || !j["v"].is_string() || !j.contains("t") ||
      !j["t"].is_array()) {
    return MakeError(ErrorCode::kInvalidArgument, "not a vantage report");
  }
  VantageReport r;
  try {  // value() throws on a field of the wrong type: a foreign or corrupt key
    r.vantage = j["v"].get<std::string>();
    r.home_region = j.value("home", "");
    for (const auto& t : j["t"]) {
      if (!t.is_object()) return MakeError(ErrorCode::kInvalidArgument, "not a vantage report");
      r.targets.push_back({t.value("r", ""), t.value("c", ""), t.value("p", ""),
                           ParseHealth(t.value("s", "")), t.value("ok", 0), t.value("fail", 0),
                           t.value("age", int64_t{0}), t.value("err", "")});
    }
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not a vantage report: ") + e.what());
  }
  return r;
}

}  // namespace steer::agent::etcd
