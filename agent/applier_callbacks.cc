// RuntimeBuilder::MakeApplierDeps: what one (service, provider) applier reports — the answers
// stored, the notifications, the audit entries, the metrics — held by value or shared_ptr.
#include <atomic>
#include <memory>

#include "runtime_builder.h"
#include "steer/base/log.h"
#include "steer/dns/rrset.h"

namespace steer::agent {
namespace {

notify::Notification Event(const std::string& service, std::string text,
                           std::map<std::string, std::string> fields) {
  return {"dns_change", service, std::move(text), std::move(fields),
          std::chrono::system_clock::now()};
}

struct Who {
  std::string service;
  std::string provider;
  std::string via;  // " via PROVIDER" when the service has several providers, else ""
};

// A failing change is announced once, when it starts failing (the applier retries every few
// seconds), and again only after a change has gone through.
void OnError(const std::shared_ptr<const AgentContext>& ctx,
             const std::shared_ptr<notify::Dispatcher>& notifier, const Who& who,
             const std::shared_ptr<std::atomic<bool>>& failing, const std::string& error) {
  ctx->metrics().provider_serving->Set({who.service, who.provider}, 0);
  if (failing->exchange(true)) return;
  notifier->Submit(Event(who.service,
                         who.service + ": DNS change" + who.via + " failing, retrying: " + error,
                         {{"error", error}, {"provider", who.provider}}));
}

void OnWritten(const std::shared_ptr<const AgentContext>& ctx,
               const std::shared_ptr<notify::Dispatcher>& notifier, const Who& who,
               const std::string& region, const dns::WriteResult& w) {
  auto set = ctx->store().SetAnswers(
      {who.service, region, w.after.records, std::chrono::system_clock::now()});
  if (!set) base::Logger("agent")->error("state: {}", set.error().message);
  if (w.outcome != dns::ChangeOutcome::kApplied) return;
  // A follower's own embedded server following the leader: the leader announces the change.
  if (!ctx->coordinator().CurrentLeadership().is_leader) return;
  std::string after = dns::ToString(w.after);
  notifier->Submit(Event(who.service,
                         who.service + ": DNS written" + who.via + " for " + region + ": " + after,
                         {{"region", region},
                          {"provider", who.provider},
                          {"before", w.before ? dns::ToString(*w.before) : "(none)"},
                          {"after", after},
                          {"change_id", w.receipt.change_id}}));
}

void OnPropagated(const std::shared_ptr<const AgentContext>& ctx,
                  const std::shared_ptr<notify::Dispatcher>& notifier, const Who& who,
                  const std::string& region, std::chrono::milliseconds took, int nameservers) {
  ctx->metrics().propagation_duration->Observe({who.service},
                                               static_cast<double>(took.count()) / 1000);
  ctx->metrics().provider_serving->Set({who.service, who.provider}, 1);
  std::string of = who.via.empty() ? "" : " of " + who.provider;
  // "verified REGION": the end of a failover for steerctl report uptime's time to fail over.
  ctx->Audit(AuditKind::kNotice, who.service, "verified " + region + " on every nameserver" + of,
             "propagated in " + std::to_string(took.count()) + " ms");
  base::Logger("agent")->info("{}: every nameserver{} answers {} ({} ms)", who.service, of, region,
                              took.count());
  if (!ctx->coordinator().CurrentLeadership().is_leader) return;  // as in OnWritten
  if (who.via.empty()) {  // one provider: its nameservers are the service's (the status page)
    auto noted = ctx->incidents().NoteVerified(who.service, region, nameservers,
                                               status::EpochMs(ctx->clock().WallNow()));
    if (!noted) {
      base::Logger("agent")->warn("{}: status page: {}", who.service, noted.error().message);
    }
  }
  notifier->Submit(Event(who.service,
                         who.service + ": every nameserver" + of + " answers " + region,
                         {{"region", region},
                          {"provider", who.provider},
                          {"propagation_ms", std::to_string(took.count())}}));
}

// A recheck found the provider serving something else than the decision and wrote it back.
void OnDrift(const std::shared_ptr<const AgentContext>& ctx, const Who& who,
             const std::string& region, const dns::WriteResult& w) {
  ctx->metrics().drift_corrections->Inc({who.service, who.provider});
  ctx->metrics().provider_serving->Set({who.service, who.provider}, 0);
  std::string found = w.before ? dns::ToString(*w.before) : "(none)";
  ctx->Audit(AuditKind::kNotice, who.service,
             "drift corrected on " + who.provider + ": found " + found + ", wrote " +
                 dns::ToString(w.after),
             "the provider served something else than the decision (" + region + ")");
}

}  // namespace

ApplierDeps RuntimeBuilder::MakeApplierDeps(const config::ServiceConfig& sc,
                                            const std::string& provider, bool several) {
  ApplierDeps deps;
  deps.provider = provider;
  deps.checker = &context().checker();
  deps.fence = [ctx = rt_->context_] { return ctx->CheckFence(); };
  deps.recheck_interval = sc.drift_check_interval;
  Who who{sc.name, provider, several ? " via " + provider : ""};
  auto failing = std::make_shared<std::atomic<bool>>(false);
  auto ctx = rt_->context_;
  auto notifier = rt_->notifier_;
  deps.on_error = [ctx, notifier, who, failing](const std::string& error) {
    OnError(ctx, notifier, who, failing, error);
  };
  deps.on_written = [ctx, notifier, who, failing](const std::string& region,
                                                  const dns::WriteResult& w) {
    failing->store(false);
    OnWritten(ctx, notifier, who, region, w);
  };
  deps.on_propagated = [ctx, notifier, who](const std::string& region,
                                            std::chrono::milliseconds took, int nameservers) {
    OnPropagated(ctx, notifier, who, region, took, nameservers);
  };
  deps.on_new_desired = [ctx, who] {
    ctx->metrics().provider_serving->Set({who.service, who.provider}, 0);
  };
  deps.on_drift = [ctx, who](const std::string& region, const dns::WriteResult& w) {
    OnDrift(ctx, who, region, w);
  };
  return deps;
}

}  // namespace steer::agent
