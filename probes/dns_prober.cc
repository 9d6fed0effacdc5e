#include "dns_prober.h"

#include <algorithm>

#include "event_loop.h"

namespace steer::probes {

Result<std::unique_ptr<Prober>> DnsProber::Create(const Target& target, EventLoop& loop) {
  const auto& cfg = target.probe;
  auto type = QueryTypeFromName(cfg.query_type);
  if (!type) return MakeError(ErrorCode::kInvalidArgument, "unknown query_type " + cfg.query_type);
  auto rcode = RcodeFromName(cfg.dns_expect.rcode);
  if (!rcode) {
    return MakeError(ErrorCode::kInvalidArgument, "unknown rcode " + cfg.dns_expect.rcode);
  }
  if (cfg.query_name.empty()) return MakeError(ErrorCode::kInvalidArgument, "query_name missing");
  auto client = DnsClient::Create(loop.io(), cfg.address, cfg.timeout);
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<Prober>(new DnsProber(target, std::move(*client), *type, *rcode));
}

DnsProber::DnsProber(const Target& target, std::unique_ptr<DnsClient> client, int type, int rcode)
    : cfg_(target.probe), client_(std::move(client)), type_(type), want_rcode_(rcode) {}

void DnsProber::Start(ProbeDone done) {
  client_->Query(cfg_.query_name, type_,
                 [this, done = std::move(done)](DnsResult r) { done(Judge(r)); });
}

Observation DnsProber::Judge(const DnsResult& r) const {
  Observation obs;
  obs.phases.total = r.elapsed;
  if (r.error != ErrorClass::kNone) {
    obs.error = r.error;
    obs.message = r.message;
    return obs;
  }
  obs.dns_rcode = r.response.rcode;
  if (r.response.rcode != want_rcode_) {
    obs.error = ErrorClass::kDnsRcode;
    obs.message =
        std::string("rcode ") + RcodeName(r.response.rcode) + ", want " + RcodeName(want_rcode_);
    return obs;
  }
  for (const auto& want : cfg_.dns_expect.answers) {
    std::string norm = NormalizeDnsData(want);
    bool found =
        std::any_of(r.response.answers.begin(), r.response.answers.end(),
                    [&](const DnsRecord& rr) { return NormalizeDnsData(rr.data) == norm; });
    if (!found) {
      obs.error = ErrorClass::kDnsAnswer;
      obs.message = "answer '" + want + "' missing (" + std::to_string(r.response.answers.size()) +
                    " answers" + (r.response.truncated ? ", truncated" : "") + ")";
      return obs;
    }
  }
  obs.ok = true;
  return obs;
}

}  // namespace steer::probes
