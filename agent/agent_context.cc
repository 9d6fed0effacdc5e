#include "agent_context.h"

#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/random.h"

namespace steer::agent {

policies::Time WallMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<policies::Time>(t.time_since_epoch());
}

Result<std::shared_ptr<AgentContext>> AgentContext::Create(const config::Policy& policy,
                                                           const std::string& state_dir) {
  std::shared_ptr<AgentContext> c(new AgentContext());
  c->vantage_ = policy.agent.vantage.empty() ? "local" : policy.agent.vantage;
  auto store = StateStore::Open(state_dir);
  if (!store) return tl::unexpected(store.error());
  c->store_ = std::move(*store);
  auto coordinator = LocalCoordinator::Start(*c->store_, c->vantage_);
  if (!coordinator) return tl::unexpected(coordinator.error());
  c->coordinator_ = std::move(*coordinator);
  auto metrics = AgentMetrics::Create();
  if (!metrics) return tl::unexpected(metrics.error());
  c->metrics_ = std::move(*metrics);
  c->metrics_->leader->Set({}, 1);
  c->systemd_ = std::make_unique<SystemdNotifier>();
  c->clock_ = std::make_unique<base::SystemClock>();
  c->random_ = std::make_unique<base::SystemRandom>();
  c->querier_ = std::make_unique<dns::LdnsQuerier>();
  c->checker_ = std::make_unique<dns::PropagationChecker>(*c->querier_, *c->clock_);
  c->registry_ = dns::AllProviders();
  c->provider_deps_.http = std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient());
  c->provider_deps_.clock = c->clock_.get();
  return c;
}

AgentContext::~AgentContext() {
  checker_.reset();
  querier_.reset();
  coordinator_.reset();
  store_.reset();
}

Result<void> AgentContext::CheckFence() const {
  return coordinator_->CheckFence(coordinator_->CurrentLeadership().fencing_token);
}

void AgentContext::Audit(AuditKind kind, const std::string& service, const std::string& what,
                         const std::string& why) const {
  base::Logger("agent")->info("{}{}{}: {} ({})", service, service.empty() ? "" : " ",
                              AuditKindName(kind), what, why);
  auto id = store_->Append(
      {0, std::chrono::system_clock::now(), kind, "steerd", service, what, why, true});
  if (!id) base::Logger("agent")->error("audit: {}", id.error().message);
}

}  // namespace steer::agent
