#include "etcd_op_relay.h"

#include <cstdio>

#include "steer/base/json_text.h"

namespace steer::agent::etcd {

using std::chrono::milliseconds;

std::string EtcdOpRelay::NewId() {
  char id[32];
  std::snprintf(id, sizeof id, "%08llx%08llx",
                static_cast<unsigned long long>(random_.Below(uint64_t{1} << 32)),
                static_cast<unsigned long long>(random_.Below(uint64_t{1} << 32)));
  return vantage_ + "-" + id;
}

Result<api::OperationOutcome> EtcdOpRelay::Forward(const api::OperationRequest& request,
                                                   milliseconds timeout) {
  const int64_t lease = coordinator_.lease();
  if (lease == 0) return MakeError(ErrorCode::kUnavailable, "no etcd session: cannot relay");
  const std::string id = NewId();
  nlohmann::json body = {{"from", vantage_}, {"request", RequestToJson(request)}};
  if (auto put = client_.Put(keys_.Op(id), base::JsonText(body), lease); !put) {
    return tl::unexpected(put.error());
  }
  const auto deadline = clock_.SteadyNow() + timeout;
  while (clock_.SteadyNow() < deadline) {
    clock_.SleepFor(milliseconds(50));
    auto done = client_.Range(keys_.OpDone(id));
    if (!done || done->kvs.empty()) continue;
    (void)client_.DeleteRange(keys_.OpDone(id));
    return OutcomeFromJson(nlohmann::json::parse(done->kvs.front().value, nullptr, false));
  }
  (void)client_.DeleteRange(keys_.Op(id));
  return MakeError(ErrorCode::kDeadlineExceeded,
                   "the leader did not answer within " + std::to_string(timeout.count()) +
                       " ms; the request was withdrawn (it may have been applied: see status)");
}

Result<std::vector<OpRelay::Pending>> EtcdOpRelay::Waiting() {
  auto range = client_.Range(keys_.Ops(), PrefixEnd(keys_.Ops()));
  if (!range) return tl::unexpected(range.error());
  std::vector<Pending> out;
  for (const auto& kv : range->kvs) {
    auto j = nlohmann::json::parse(kv.value, nullptr, false);
    if (!j.is_object() || !j.contains("request")) continue;
    auto request = RequestFromJson(j["request"]);
    if (!request) continue;
    out.push_back({kv.key.substr(keys_.Ops().size()), j.value("from", std::string("?")),
                   std::move(*request)});
  }
  return out;
}

Result<void> EtcdOpRelay::Complete(const std::string& id, const api::OperationOutcome& outcome,
                                   int64_t token) {
  // Only a request still waiting is answered: an answer to a withdrawn one would stay on the
  // leader's lease, unread, as long as the leader lives.
  auto txn = client_.Txn(
      {{keys_.Leader(), Compare::Target::kCreate, Compare::Result::kEqual, token, ""},
       {keys_.Op(id), Compare::Target::kVersion, Compare::Result::kGreater, 0, ""}},
      // On the leader's lease: an answer nobody reads goes with the leader's session.
      {Op::Put(keys_.OpDone(id), base::JsonText(OutcomeToJson(outcome)), coordinator_.lease()),
       Op::Delete(keys_.Op(id))},
      {Op::Get(keys_.Leader())});
  if (!txn) return tl::unexpected(txn.error());
  if (txn->succeeded) return {};
  const bool leads =
      !txn->ranges.empty() && !txn->ranges[0].empty() && txn->ranges[0][0].create_revision == token;
  if (!leads) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "fencing token " + std::to_string(token) + " is stale: not answered");
  }
  return MakeError(ErrorCode::kNotFound,
                   "operation " + id + " is no longer waiting (withdrawn): not answered");
}

}  // namespace steer::agent::etcd
