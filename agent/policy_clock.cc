#include "policy_clock.h"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "steer/base/json_text.h"
#include "steer/base/log.h"

namespace steer::agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

std::optional<base::PolicyClockAnchor> ReadAnchor(StateStore& store) {
  auto blob = store.GetBlob(kPolicyClockBlob);
  if (!blob) {
    base::Logger("agent")->warn("policy clock: anchor unreadable, starting at the wall clock: {}",
                                blob.error().message);
    return std::nullopt;
  }
  if (!*blob) return std::nullopt;
  auto j = nlohmann::json::parse(**blob, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.value("boot_id", nlohmann::json()).is_string() ||
      !j.value("steady_ns", nlohmann::json()).is_number_integer() ||
      !j.value("policy_ns", nlohmann::json()).is_number_integer()) {
    base::Logger("agent")->warn("policy clock: anchor malformed, starting at the wall clock");
    return std::nullopt;
  }
  base::PolicyClockAnchor a;
  a.boot_id = j["boot_id"].get<std::string>();
  a.steady = base::Clock::SteadyTime(nanoseconds(j["steady_ns"].get<int64_t>()));
  a.policy = base::Clock::WallTime(
      duration_cast<base::Clock::WallTime::duration>(nanoseconds(j["policy_ns"].get<int64_t>())));
  return a;
}

void WriteAnchor(StateStore& store, const base::PolicyClockAnchor& a) {
  nlohmann::json j = {
      {"boot_id", a.boot_id},
      {"steady_ns", duration_cast<nanoseconds>(a.steady.time_since_epoch()).count()},
      {"policy_ns", duration_cast<nanoseconds>(a.policy.time_since_epoch()).count()}};
  if (auto put = store.PutBlob(kPolicyClockBlob, base::JsonText(j)); !put) {
    base::Logger("agent")->warn(
        "policy clock: anchor not stored, the next start begins at "
        "the wall clock: {}",
        put.error().message);
  }
}

}  // namespace

std::unique_ptr<base::SteadyWallClock> StartPolicyClock(StateStore& store, const base::Clock& clock,
                                                        const std::string& boot_id) {
  const auto start = base::ResumePolicyTime(ReadAnchor(store), boot_id, clock);
  auto policy = std::make_unique<base::SteadyWallClock>(clock, start);
  if (!boot_id.empty()) WriteAnchor(store, {boot_id, clock.SteadyNow(), policy->WallNow()});
  const auto skew = duration_cast<milliseconds>(policy->Skew());
  if (skew >= std::chrono::seconds(1) || skew <= -std::chrono::seconds(1)) {
    base::Logger("agent")->warn(
        "policy clock: continues this boot's line, {} ms {} the wall clock (the wall clock was "
        "stepped since steerd first started in this boot); windows and pauses keep their length",
        skew.count() < 0 ? -skew.count() : skew.count(), skew.count() > 0 ? "behind" : "ahead of");
  }
  return policy;
}

}  // namespace steer::agent
