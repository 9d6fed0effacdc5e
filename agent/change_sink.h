#pragma once

// ChangeSink: SafeWriter's audit of every DNS change it attempts, into the audit log (under
// the service's name) and the DNS metrics. One per Runtime: the service of a name comes from
// that runtime's policy, copied in at construction.
//
// The intent goes to the audit log only (durable: synchronous SQLite), so a store that cannot
// be written refuses the change.
//
// Thread-safety: RecordIntent() and Record() from any thread (the appliers' threads).

#include <map>
#include <memory>
#include <set>
#include <string>

#include "agent_context.h"
#include "steer/config/policy.h"
#include "steer/dns/audit.h"

namespace steer::agent {

class ChangeSink : public dns::AuditSink {
 public:
  ChangeSink(const config::Policy& policy, std::shared_ptr<const AgentContext> context);
  Result<void> RecordIntent(const dns::ChangeAudit& intent) override;
  void Record(const dns::ChangeAudit& audit) override;

 private:
  std::string ServiceOf(const std::string& fqdn) const;

  const std::shared_ptr<const AgentContext> context_;
  std::map<std::string, std::string> service_of_;  // canonical dns_name -> service
};

// Appends a notice for every DNS change whose intent is in the audit log since the previous
// start but whose outcome is not (the process died in between), and returns their services:
// the request of such a change may still be in flight (RuntimeBuilder holds those services'
// writes for a provider timeout). Call before deciding starts.
std::set<std::string> AuditInterruptedChanges(const AgentContext& context);

}  // namespace steer::agent
