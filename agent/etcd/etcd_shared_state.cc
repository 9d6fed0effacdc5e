#include "etcd_shared_state.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"

namespace steer::agent::etcd {
namespace {

int64_t Ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime FromMs(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

}  // namespace

std::string OverrideToJson(const Override& o) {
  nlohmann::json j{{"kind", OverrideKindName(o.kind)},
                   {"target", o.target},
                   {"value", o.value},
                   {"who", o.who},
                   {"why", o.why},
                   {"created_ms", Ms(o.created)},
                   {"rules", o.rules}};
  if (o.expires) j["expires_ms"] = Ms(*o.expires);
  return base::JsonText(j);
}

Result<Override> OverrideFromJson(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "not an override");
  try {
    Override o;
    o.kind = ParseOverrideKind(j.value("kind", ""));
    o.target = j.value("target", "");
    o.value = j.value("value", "");
    o.who = j.value("who", "");
    o.why = j.value("why", "");
    o.created = FromMs(j.value("created_ms", int64_t{0}));
    if (j.contains("expires_ms")) o.expires = FromMs(j["expires_ms"].get<int64_t>());
    o.rules = j.value("rules", std::vector<std::string>{});
    return o;
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("not an override: ") + e.what());
  }
}

Result<TxnResult> EtcdSharedState::Fenced(int64_t token, const std::vector<Op>& ops) {
  auto txn = client_.Txn(
      {{keys_.Leader(), Compare::Target::kCreate, Compare::Result::kEqual, token, ""}}, ops, {});
  if (!txn) return tl::unexpected(txn.error());
  if (!txn->succeeded) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "fencing token " + std::to_string(token) +
                         " is no longer the leader's: shared state not written");
  }
  return txn;
}

Result<std::map<std::string, std::string>> EtcdSharedState::EngineStates() {
  auto range = client_.Range(keys_.Engines(), PrefixEnd(keys_.Engines()));
  if (!range) return tl::unexpected(range.error());
  std::map<std::string, std::string> out;
  for (const auto& kv : range->kvs) out[kv.key.substr(keys_.Engines().size())] = kv.value;
  return out;
}

Result<void> EtcdSharedState::PutEngineState(const std::string& service, const std::string& json,
                                             int64_t token) {
  auto txn = Fenced(token, {Op::Put(keys_.Engine(service), json)});
  if (!txn) return tl::unexpected(txn.error());
  return {};
}

Result<void> EtcdSharedState::PutOverride(const Override& o, int64_t token) {
  auto txn = Fenced(
      token, {Op::Put(keys_.Override(OverrideKindName(o.kind), o.target), OverrideToJson(o))});
  if (!txn) return tl::unexpected(txn.error());
  return {};
}

Result<bool> EtcdSharedState::RemoveOverride(OverrideKind kind, const std::string& target,
                                             int64_t token) {
  const std::string key = keys_.Override(OverrideKindName(kind), target);
  auto existing = client_.Range(key);
  if (!existing) return tl::unexpected(existing.error());
  auto txn = Fenced(token, {Op::Delete(key)});
  if (!txn) return tl::unexpected(txn.error());
  return !existing->kvs.empty();
}

Result<std::vector<Override>> EtcdSharedState::ActiveOverrides(WallTime now) {
  auto range = client_.Range(keys_.Overrides(), PrefixEnd(keys_.Overrides()));
  if (!range) return tl::unexpected(range.error());
  std::vector<Override> out;
  for (const auto& kv : range->kvs) {
    auto o = OverrideFromJson(kv.value);
    if (!o || (o->expires && *o->expires <= now)) continue;
    out.push_back(std::move(*o));
  }
  return out;
}

Result<void> EtcdSharedState::PutStatusRecords(const std::string& json, int64_t token) {
  auto txn = Fenced(token, {Op::Put(keys_.StatusRecords(), json)});
  if (!txn) return tl::unexpected(txn.error());
  return {};
}

Result<std::optional<SharedDocument>> EtcdSharedState::StatusRecords() {
  auto range = client_.Range(keys_.StatusRecords());
  if (!range) return tl::unexpected(range.error());
  if (range->kvs.empty()) return std::optional<SharedDocument>();
  return std::optional<SharedDocument>(
      SharedDocument{std::move(range->kvs.front().value), range->kvs.front().mod_revision});
}

Result<void> EtcdSharedState::PutUptimeMinute(int64_t minute_ms, const std::string& json,
                                              int64_t keep_from_ms, int64_t token) {
  Op trim = Op::Delete(keys_.UptimeMinutes());
  trim.range_end = keys_.UptimeMinute(keep_from_ms);
  auto txn = Fenced(token, {Op::Put(keys_.UptimeMinute(minute_ms), json), trim});
  if (!txn) return tl::unexpected(txn.error());
  return {};
}

Result<std::vector<std::pair<int64_t, std::string>>> EtcdSharedState::UptimeMinutesAfter(
    int64_t after_ms) {
  auto range = client_.Range(keys_.UptimeMinute(after_ms + 1), PrefixEnd(keys_.UptimeMinutes()));
  if (!range) return tl::unexpected(range.error());
  std::vector<std::pair<int64_t, std::string>> out;
  for (auto& kv : range->kvs) {
    const std::string digits = kv.key.substr(keys_.UptimeMinutes().size());
    char* end = nullptr;
    const long long start = std::strtoll(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0') continue;  // not a minute's key
    out.emplace_back(start, std::move(kv.value));
  }
  return out;
}

}  // namespace steer::agent::etcd
