#include "agent_context.h"

#include <algorithm>

#include "etcd/etcd_client.h"
#include "etcd/etcd_coordinator.h"
#include "etcd/etcd_op_relay.h"
#include "etcd/etcd_shared_state.h"
#include "local_coordinator.h"
#include "local_shared_state.h"
#include "policy_clock.h"
#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/random.h"
#include "steer/base/secret.h"

namespace steer::agent {

policies::Time WallMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<policies::Time>(t.time_since_epoch());
}

policies::Time AgentContext::PolicyNow() const { return WallMs(policy_clock_->WallNow()); }

namespace {

etcd::ClientOptions EtcdOptions(const config::EtcdConfig& c, std::string password) {
  etcd::ClientOptions o;
  o.endpoints = c.endpoints;
  o.ca_file = c.tls.ca_file;
  o.cert_file = c.tls.cert_file;
  o.key_file = c.tls.key_file;
  o.username = c.username;
  o.password = std::move(password);
  // A member that hangs must cost less than the renew deadline (2/3 TTL), or one hung member
  // would end a healthy leader's term before the next endpoint is asked.
  o.request_timeout = std::clamp<std::chrono::milliseconds>(
      c.lease_ttl / 4, std::chrono::milliseconds(250), std::chrono::milliseconds(2000));
  return o;
}

}  // namespace

// etcd mode: an etcd session; etcd unreachable at start is not an error (the agent starts
// frozen and retries), a duplicate vantage name or a bad credential reference is.
Result<void> AgentContext::StartEtcd(const config::Policy& policy) {
  const config::EtcdConfig& ec = policy.coordination.etcd;
  std::string password;
  if (!ec.password.empty()) {
    auto secret = base::ResolveSecret(ec.password);
    if (!secret) return tl::unexpected(secret.error());
    password = *secret;
  }
  etcd_http_ = base::MakeCurlHttpClient();
  auto client = etcd::Client::Create(EtcdOptions(ec, std::move(password)), *etcd_http_);
  if (!client) return tl::unexpected(client.error());
  etcd_ = std::move(*client);
  etcd::CoordinatorOptions co;
  co.prefix = ec.prefix;
  co.vantage = vantage_;
  co.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(ec.lease_ttl);
  auto coordinator = etcd::EtcdCoordinator::Start(*etcd_, *policy_clock_, *random_, std::move(co));
  if (!coordinator) return tl::unexpected(coordinator.error());
  relay_ = std::make_unique<etcd::EtcdOpRelay>(*etcd_, **coordinator, *clock_, *random_, ec.prefix,
                                               vantage_);
  coordinator_ = std::move(*coordinator);
  auto shared = std::make_unique<etcd::EtcdSharedState>(*etcd_, ec.prefix);
  status_share_ = shared.get();
  shared_ = std::move(shared);
  return {};
}

Result<std::shared_ptr<AgentContext>> AgentContext::Create(const config::Policy& policy,
                                                           const std::string& state_dir,
                                                           const base::Clock* clock) {
  std::shared_ptr<AgentContext> c(new AgentContext());
  c->vantage_ = policy.agent.vantage.empty() ? "local" : policy.agent.vantage;
  auto store = StateStore::Open(state_dir);
  if (!store) return tl::unexpected(store.error());
  c->store_ = std::move(*store);
  if (clock == nullptr) {
    c->system_clock_ = std::make_unique<base::SystemClock>();
    clock = c->system_clock_.get();
  }
  c->clock_ = clock;
  auto boot_id = base::ReadBootId();
  if (!boot_id) base::Logger("agent")->warn("policy clock: {}", boot_id.error().message);
  c->policy_clock_ = StartPolicyClock(*c->store_, *clock, boot_id.value_or(""));
  c->random_ = std::make_unique<base::SystemRandom>();
  if (auto opened = c->OpenStatus(policy, state_dir); !opened) {
    return tl::unexpected(opened.error());
  }
  auto metrics = AgentMetrics::Create();
  if (!metrics) return tl::unexpected(metrics.error());
  c->metrics_ = std::move(*metrics);
  if (policy.coordination.mode == config::CoordinationMode::kEtcd) {
    if (auto started = c->StartEtcd(policy); !started) {
      return tl::unexpected(started.error());
    }
  } else {
    auto coordinator = LocalCoordinator::Start(*c->store_, c->vantage_);
    if (!coordinator) return tl::unexpected(coordinator.error());
    c->shared_ = std::make_unique<LocalSharedState>(*c->store_, **coordinator);
    c->coordinator_ = std::move(*coordinator);
  }
  c->metrics_->leader->Set({}, c->coordinator_->CurrentLeadership().is_leader ? 1 : 0);
  c->systemd_ = std::make_unique<SystemdNotifier>();
  c->querier_ = std::make_unique<dns::LdnsQuerier>();
  c->checker_ = std::make_unique<dns::PropagationChecker>(*c->querier_, *c->clock_);
  c->registry_ = dns::AllProviders();
  c->provider_deps_.http = std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient());
  c->provider_deps_.clock = c->clock_;
  c->provider_deps_.serve_dns = true;  // steerd answers for embedded providers
  return c;
}

Result<void> AgentContext::OpenStatus(const config::Policy& policy, const std::string& state_dir) {
  auto db = status::StatusDb::Open(state_dir);
  if (!db) return tl::unexpected(db.error());
  status_db_ = std::move(*db);
  status::UptimeOptions uo;
  uo.retention = policy.status.retention;
  uptime_ = std::make_unique<status::UptimeStore>(*status_db_, *clock_, uo);
  status::IncidentOptions io;
  io.public_regions = {policy.status.regions.begin(), policy.status.regions.end()};
  io.retention_ms = policy.status.retention.count();
  io.resolve_after_ms = policy.status.resolve_after.count();
  incidents_ = std::make_unique<status::IncidentBook>(*status_db_, io);
  return {};
}

AgentContext::~AgentContext() {
  checker_.reset();
  querier_.reset();
  relay_.reset();
  status_share_ = nullptr;
  shared_.reset();
  coordinator_.reset();  // etcd: resigns and joins its session thread
  etcd_.reset();
  etcd_http_.reset();
  incidents_.reset();
  uptime_.reset();  // flushes the current minute
  status_db_.reset();
  store_.reset();
}

Result<int64_t> AgentContext::CheckFence() const {
  int64_t token = coordinator_->CurrentLeadership().fencing_token;
  if (auto fence = coordinator_->CheckFence(token); !fence) return tl::unexpected(fence.error());
  return token;
}

std::string AgentContext::Actor() const {
  return "steerd@" + vantage_ + " token " +
         std::to_string(coordinator_->CurrentLeadership().fencing_token);
}

void AgentContext::Audit(AuditKind kind, const std::string& service, const std::string& what,
                         const std::string& why) const {
  base::Logger("agent")->info("{}{}{}: {} ({})", service, service.empty() ? "" : " ",
                              AuditKindName(kind), what, why);
  auto id = store_->Append(
      {0, std::chrono::system_clock::now(), kind, Actor(), service, what, why, true});
  if (!id) base::Logger("agent")->error("audit: {}", id.error().message);
}

}  // namespace steer::agent
