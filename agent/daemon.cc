#include "daemon.h"

#include <algorithm>

#include "daemon_runtime.h"
#include "engine_state_json.h"
#include "steer/base/log.h"
#include "steer/config/loader.h"
#include "steer/dns/cloudflare_provider.h"
#include "steer/dns/route53_provider.h"
#include "steer/dns/rrset.h"

namespace steer::agent {
namespace {

bool IsChange(policies::Action a) {
  using policies::Action;
  return a == Action::kFailover || a == Action::kFailback || a == Action::kSwitchover ||
         a == Action::kForced || a == Action::kServeAll;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

policies::Time WallMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<policies::Time>(t.time_since_epoch());
}

Result<std::unique_ptr<Daemon>> Daemon::Start(const DaemonOptions& options) {
  auto policy = config::LoadPolicyFile(options.config_path);
  if (!policy) {
    std::string msg = "invalid policy " + options.config_path + ":";
    for (const auto& d : policy.error()) msg += "\n  " + d.ToString();
    return MakeError(ErrorCode::kInvalidArgument, msg);
  }
  if (policy->coordination.mode != config::CoordinationMode::kLocal) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "coordination mode etcd is not implemented yet; use mode: local");
  }
  std::unique_ptr<Daemon> d(new Daemon());
  d->options_ = options;
  d->started_at_ = std::chrono::system_clock::now();
  d->vantage_ = policy->agent.vantage.empty() ? "local" : policy->agent.vantage;
  std::string state_dir = options.state_dir.empty() ? policy->agent.state_dir : options.state_dir;
  auto store = StateStore::Open(state_dir);
  if (!store) return tl::unexpected(store.error());
  d->store_ = std::move(*store);
  auto coord = LocalCoordinator::Start(*d->store_, d->vantage_);
  if (!coord) return tl::unexpected(coord.error());
  d->coordinator_ = std::move(*coord);
  auto metrics = AgentMetrics::Create();
  if (!metrics) return tl::unexpected(metrics.error());
  d->metrics_ = std::move(*metrics);
  d->metrics_->leader->Set({}, 1);
  d->change_sink_ =
      MakeChangeSink(*d->store_, *d->metrics_, [raw = d.get()](const std::string& fqdn) {
        std::shared_ptr<Runtime> rt = raw->runtime();
        if (rt) {
          for (const auto& s : rt->policy.services) {
            if (dns::CanonicalName(s.dns_name) == fqdn) return s.name;
          }
        }
        return fqdn;
      });
  d->checker_ = std::make_unique<dns::PropagationChecker>(d->querier_, d->dns_clock_);
  dns::AddBuiltinProviders(d->registry_);
  dns::AddRoute53Provider(d->registry_);
  dns::AddCloudflareProvider(d->registry_);
  d->provider_deps_.http = std::shared_ptr<base::HttpClient>(base::MakeCurlHttpClient());
  d->provider_deps_.clock = &d->dns_clock_;
  auto tokens = d->LoadTokens(*policy);
  if (!tokens) return tl::unexpected(tokens.error());
  d->tokens_.Set(std::move(*tokens));
  auto rt = d->BuildRuntime(*policy);
  if (!rt) return tl::unexpected(rt.error());
  d->runtime_ = *rt;
  for (const auto& sc : policy->services) {
    auto blob = d->store_->GetBlob("engine/" + sc.name);
    if (blob && *blob) {
      d->states_[sc.name] = ServiceStateFromJson(nlohmann::json::parse(**blob, nullptr, false));
    }
  }
  d->router_ = std::make_unique<api::Router>(*d, d->tokens_, *d->store_, d->metrics_.get());
  auto server = api::ApiServer::Start(
      options.listen.empty() ? policy->agent.listen : options.listen, *d->router_);
  if (!server) return tl::unexpected(server.error());
  d->server_ = std::move(*server);
  d->runtime_->probes->Start();
  d->loop_ = std::thread([raw = d.get()] { raw->Loop(); });
  d->AuditEvent(
      AuditKind::kNotice, "steerd", "", "started with " + options.config_path,
      "fencing token " + std::to_string(d->coordinator_->CurrentLeadership().fencing_token), true);
  d->systemd_.Ready("serving API on " + d->server_->address() + "; waiting for probe results");
  return d;
}

Daemon::~Daemon() {
  Stop();
  if (loop_.joinable()) loop_.join();
  server_.reset();  // no API calls into a half-destroyed daemon
  std::shared_ptr<Runtime> rt;
  {
    std::lock_guard lock(mu_);
    rt = std::move(runtime_);
  }
  rt.reset();  // outside mu_: the appliers' threads take it while they finish
}

void Daemon::Stop() {
  if (!stop_.exchange(true)) systemd_.Stopping();
}

void Daemon::Wait() {
  while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

std::shared_ptr<Runtime> Daemon::runtime() const {
  std::lock_guard lock(mu_);
  return runtime_;
}

void Daemon::Loop() {
  uint64_t seen = 0;
  while (!stop_) {
    std::shared_ptr<Runtime> rt = runtime();
    auto tick = rt->policy.agent.tick;
    rt->health->WaitForChange(seen, std::chrono::steady_clock::now() + tick);
    seen = rt->health->version();
    Tick(*rt);
    systemd_.MaybePetWatchdog(std::chrono::steady_clock::now());
  }
}

// Reads what the provider serves now and takes it as the service's current state.
void Daemon::Adopt(Runtime& rt, size_t i) {
  ServiceRuntime& s = rt.services[i];
  const config::ServiceConfig& sc = *s.config;
  auto current = s.provider->Read(dns::CanonicalName(sc.zone), dns::CanonicalName(sc.dns_name),
                                  sc.record_type);
  if (!current) {
    base::Logger("agent")->warn("{}: cannot read current records yet: {}", sc.name,
                                current.error().message);
    return;
  }
  std::lock_guard lock(mu_);
  policies::ServiceState& st = states_[sc.name];
  s.adopted = true;
  if (!*current) {
    st.initialized = false;  // nothing published: the engine starts on the preferred region
    return;
  }
  std::vector<std::string> records = Sorted((*current)->records);
  std::vector<std::string> all;
  std::string region;
  for (const auto& r : sc.regions) {
    if (Sorted(r.answers) == records) region = r.region;
    all.insert(all.end(), r.answers.begin(), r.answers.end());
  }
  bool serving_all = region.empty() && Sorted(all) == records;
  if (region.empty() && !serving_all) {
    AuditEvent(AuditKind::kNotice, "steerd", sc.name,
               "records match no region: " + dns::ToString(**current), "engine decides afresh",
               true);
    st.initialized = false;
    return;
  }
  if (st.region != region || st.serving_all != serving_all) st.tracks.clear();
  st.initialized = true;
  st.region = region;
  st.serving_all = serving_all;
  st.answers = (*current)->records;
  AuditEvent(AuditKind::kNotice, "steerd", sc.name,
             "adopted " + (serving_all ? std::string("all regions") : region) + ": " +
                 dns::ToString(**current),
             "records the provider serves at start", true);
}

void Daemon::Tick(Runtime& rt) {
  for (size_t i = 0; i < rt.services.size(); ++i) {
    if (!rt.services[i].adopted) Adopt(rt, i);
  }
  if (!rt.health->AllFresh()) return;  // no decision on remembered or missing health
  policies::Time now = WallMs(std::chrono::system_clock::now());
  policies::Overrides overrides = LoadOverrides(now);
  policies::HealthView view = rt.health->Snapshot();
  for (size_t i = 0; i < rt.services.size(); ++i) {
    if (!rt.services[i].adopted) continue;
    const std::string& name = rt.services[i].config->name;
    policies::ServiceState state;
    {
      std::lock_guard lock(mu_);
      // Applied here, under the same lock as the copy, so a tick in flight cannot undo it.
      if (acks_.erase(name) > 0) policies::Acknowledge(states_[name]);
      state = states_[name];
    }
    policies::Decision d = rt.engine->Decide(static_cast<int>(i), view, state, overrides, now);
    Act(rt, i, d);
  }
}

void Daemon::Act(Runtime& rt, size_t i, const policies::Decision& d) {
  ServiceRuntime& s = rt.services[i];
  const config::ServiceConfig& sc = *s.config;
  bool announce;
  {
    std::lock_guard lock(mu_);
    auto& prev = last_[sc.name];
    announce = prev.action != d.action || prev.cause != d.cause || prev.to != d.to;
    nlohmann::json before = ServiceStateToJson(states_[sc.name]);
    states_[sc.name] = d.next;
    nlohmann::json after = ServiceStateToJson(d.next);
    if (before != after) {
      auto put = store_->PutBlob("engine/" + sc.name, after.dump());
      if (!put) base::Logger("agent")->error("state: {}", put.error().message);
    }
    prev = d;
  }
  for (const auto& v : d.regions) {
    metrics_->region_healthy->Set({v.region}, v.verdict == policies::Health::kHealthy ? 1 : 0);
  }
  for (const auto& r : sc.regions) {
    metrics_->active_region->Set({sc.name, r.region}, d.to == r.region || d.to == "*" ? 1 : 0);
  }
  if (!d.answers.empty()) {
    dns::RRset rrset{dns::CanonicalName(sc.dns_name), sc.record_type, sc.ttl, d.answers};
    s.applier->SetDesired(d.to, rrset.Normalized());
  }
  if (!announce || d.action == policies::Action::kNone) return;
  metrics_->decisions->Inc({sc.name, policies::ActionName(d.action)});
  std::string what = std::string(policies::ActionName(d.action)) + " " + d.from + " -> " + d.to +
                     " (" + d.cause + ")";
  AuditEvent(AuditKind::kDecision, "steerd", sc.name, what, d.sentence, true);
  if (IsChange(d.action)) systemd_.Status(sc.name + ": " + what);
  notify::Notification n{"decision",
                         sc.name,
                         sc.name + ": " + what,
                         {{"from", d.from}, {"to", d.to}, {"cause", d.cause}, {"why", d.sentence}},
                         std::chrono::system_clock::now()};
  rt.notifier->Submit(n);
}

void Daemon::AuditEvent(AuditKind kind, const std::string& who, const std::string& service,
                        const std::string& what, const std::string& why, bool ok) {
  base::Logger("agent")->info("{}{}{}: {} ({})", service, service.empty() ? "" : " ",
                              AuditKindName(kind), what, why);
  auto id =
      store_->Append({0, std::chrono::system_clock::now(), kind, who, service, what, why, ok});
  if (!id) base::Logger("agent")->error("audit: {}", id.error().message);
}

Result<api::TokenAuth> Daemon::LoadTokens(const config::Policy& policy) const {
  if (!options_.token_file.empty()) return api::TokenAuth::FromFile(options_.token_file);
  if (!policy.agent.api_token.empty()) return api::TokenAuth::FromSecret(policy.agent.api_token);
  base::Logger("agent")->warn("no API token configured: every operation will be refused");
  return api::TokenAuth{};
}

namespace {

// "2 API tokens (alice, bob)": names only, never a token.
std::string DescribeTokens(const api::TokenAuth& tokens) {
  std::vector<std::string> names = tokens.names();
  std::string s = std::to_string(names.size()) + " API token" + (names.size() == 1 ? "" : "s");
  for (size_t i = 0; i < names.size(); ++i) s += (i == 0 ? " (" : ", ") + names[i];
  return names.empty() ? s + " (every operation refused)" : s + ")";
}

}  // namespace

Result<std::string> Daemon::Reload(std::vector<std::string>* diagnostics) {
  std::lock_guard reload_lock(reload_mu_);
  auto policy = config::LoadPolicyFile(options_.config_path);
  if (!policy) {
    for (const auto& d : policy.error()) diagnostics->push_back(d.ToString());
    metrics_->reloads->Inc({"refused"});
    return MakeError(ErrorCode::kInvalidArgument,
                     "policy invalid; the running policy stays (API tokens unchanged)");
  }
  // Tokens before the runtime: a refused token source must not cost a runtime build.
  auto tokens = LoadTokens(*policy);
  if (!tokens) {
    diagnostics->push_back("API tokens: " + tokens.error().message);
    metrics_->reloads->Inc({"refused"});
    return MakeError(tokens.error().code,
                     "API tokens unreadable or invalid; the running policy and API tokens stay");
  }
  auto rt = BuildRuntime(*policy);
  if (!rt) {
    diagnostics->push_back(rt.error().message);
    metrics_->reloads->Inc({"refused"});
    return MakeError(rt.error().code,
                     "policy cannot run; the running policy stays (API tokens unchanged)");
  }
  std::shared_ptr<Runtime> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(runtime_);
    runtime_ = *rt;
  }
  old.reset();  // stops the old probes and appliers (the loop may still hold it a moment)
  (*rt)->probes->Start();
  std::string tokens_note = "API tokens reloaded: " + DescribeTokens(*tokens);
  tokens_.Set(std::move(*tokens));
  metrics_->reloads->Inc({"ok"});
  AuditEvent(AuditKind::kNotice, "steerd", "", "reloaded " + options_.config_path, tokens_note,
             true);
  return "reloaded " + options_.config_path + "; " + tokens_note;
}

}  // namespace steer::agent
