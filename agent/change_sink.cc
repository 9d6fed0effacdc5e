#include "change_sink.h"

#include "steer/base/log.h"
#include "steer/dns/rrset.h"

namespace steer::agent {

ChangeSink::ChangeSink(const config::Policy& policy, std::shared_ptr<const AgentContext> context)
    : context_(std::move(context)) {
  for (const auto& s : policy.services) service_of_.emplace(dns::CanonicalName(s.dns_name), s.name);
}

std::string ChangeSink::ServiceOf(const std::string& fqdn) const {
  auto it = service_of_.find(fqdn);
  return it == service_of_.end() ? fqdn : it->second;
}

void ChangeSink::Record(const dns::ChangeAudit& a) {
  if (a.outcome == dns::ChangeOutcome::kUnchanged) return;  // nothing was written
  bool ok = a.outcome == dns::ChangeOutcome::kApplied;
  std::string what = std::string(dns::ChangeOutcomeName(a.outcome)) + " " + a.zone + ": " +
                     (a.before ? dns::ToString(*a.before) : "(none)") + " -> " +
                     dns::ToString(a.after) + " via " + a.provider + " in " +
                     std::to_string(a.duration.count()) + "ms, " + std::to_string(a.attempts) +
                     " attempt(s)";
  std::string who = "steerd@" + context_->vantage() + " token " + std::to_string(a.fencing_token);
  auto id = context_->store().Append(
      {0, a.at, AuditKind::kDnsChange, who, ServiceOf(a.after.name), what, a.error, ok});
  if (!id) base::Logger("agent")->error("audit: {}", id.error().message);
  metrics::LabelValues labels = {a.after.name, a.provider};
  AgentMetrics& m = context_->metrics();
  if (ok) {
    m.dns_change_duration->Observe(labels, static_cast<double>(a.duration.count()) / 1000);
  } else {
    m.dns_change_errors->Inc(labels);
  }
}

}  // namespace steer::agent
