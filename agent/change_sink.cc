#include "change_sink.h"

#include <algorithm>

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

namespace {

std::string Change(const dns::ChangeAudit& a) {
  return a.zone + ": " + (a.before ? dns::ToString(*a.before) : "(none)") + " -> " +
         dns::ToString(a.after) + " via " + a.provider;
}

}  // namespace

Result<void> ChangeSink::RecordIntent(const dns::ChangeAudit& a) {
  auto id =
      context_->store().Append({0, a.at, AuditKind::kDnsIntent, "steerd@" + context_->vantage(),
                                ServiceOf(a.after.name), "intent " + Change(a), "", true});
  if (!id) return tl::unexpected(id.error());
  return {};
}

void ChangeSink::Record(const dns::ChangeAudit& a) {
  if (a.outcome == dns::ChangeOutcome::kUnchanged) return;  // nothing was written
  bool ok = a.outcome == dns::ChangeOutcome::kApplied;
  std::string what = std::string(dns::ChangeOutcomeName(a.outcome)) + " " + Change(a) + " in " +
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

// Scans back to the previous start: outcomes come after their intents, so newest first, an
// intent whose change no later outcome names was cut off by a stop.
std::set<std::string> AuditInterruptedChanges(const AgentContext& context) {
  std::set<std::string> services;
  std::vector<std::string> outcomes;
  int64_t before_id = 0;
  for (int page = 0; page < 20; ++page) {
    auto entries = context.store().History({"", before_id, 200});
    if (!entries || entries->empty()) return services;
    for (const AuditEntry& e : *entries) {
      before_id = e.id;
      if (e.kind == AuditKind::kNotice && e.what.rfind("started with ", 0) == 0) return services;
      if (e.kind == AuditKind::kDnsChange) outcomes.push_back(e.what);
      if (e.kind != AuditKind::kDnsIntent || e.what.rfind("intent ", 0) != 0) continue;
      std::string change = " " + e.what.substr(7) + " in ";
      bool done = std::any_of(outcomes.begin(), outcomes.end(), [&](const std::string& o) {
        return o.find(change) != std::string::npos;
      });
      if (done) continue;
      services.insert(e.service);
      context.Audit(AuditKind::kNotice, e.service, "interrupted: " + e.what.substr(7),
                    "steerd stopped before this change's outcome (intent #" + std::to_string(e.id) +
                        "); the provider may hold it: no write for this service until a "
                        "provider timeout has passed, and its records are read first");
    }
  }
  return services;
}

}  // namespace steer::agent
