#include "runtime_builder.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "change_sink.h"
#include "notify/factory.h"
#include "probe_recorder.h"
#include "steer/base/log.h"
#include "steer/dns/factory.h"
#include "steer/dns/rrset.h"
#include "steer/dns/service_plan.h"
#include "steer/probes/target.h"

namespace steer::agent {
namespace {

constexpr std::chrono::milliseconds kNameServerTimeout{2000};

}  // namespace

Result<std::shared_ptr<Runtime>> RuntimeBuilder::Build(const config::Policy& policy,
                                                       std::shared_ptr<const AgentContext> context,
                                                       const InFlightHold& hold) {
  RuntimeBuilder b(std::shared_ptr<Runtime>(new Runtime(policy, std::move(context))));
  b.hold_ = hold;
  if (auto ok = b.BuildCore(); !ok) return tl::unexpected(ok.error());
  if (auto ok = b.BuildProviders(); !ok) return tl::unexpected(ok.error());
  for (const auto& sc : b.rt_->policy_.services) {
    if (auto ok = b.BuildService(sc); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = b.BuildProbes(); !ok) return tl::unexpected(ok.error());
  return std::move(b.rt_);
}

// The policy engine, the health book and the notifier.
Result<void> RuntimeBuilder::BuildCore() {
  auto engine = policies::Engine::Create(rt_->policy_);
  if (!engine) return tl::unexpected(engine.error());
  rt_->engine_.emplace(std::move(*engine));
  rt_->health_ = std::make_shared<HealthBook>(rt_->engine_->layout(),
                                              policies::VantagePoint{context().vantage(), ""},
                                              &context().metrics());
  auto routes = notify::BuildRoutes(rt_->policy_.notifications);
  if (!routes) return tl::unexpected(routes.error());
  rt_->notifier_ = std::make_shared<notify::Dispatcher>(
      std::move(*routes), notify::DispatcherOptions{},
      [ctx = rt_->context_](const std::string& name, bool ok) {
        ctx->metrics().notifications->Inc({name, ok ? "delivered" : "failed"});
      });
  rt_->change_sink_ = std::make_unique<ChangeSink>(rt_->policy_, rt_->context_);
  return {};
}

// Each provider with its rate limiter and SafeWriter.
Result<void> RuntimeBuilder::BuildProviders() {
  for (const auto& pc : rt_->policy_.providers) {
    auto provider = dns::MakeProvider(pc, context().registry(), context().provider_deps());
    if (!provider) return tl::unexpected(provider.error());
    Runtime::ProviderStack stack;
    stack.provider = std::move(*provider);
    stack.limiter = dns::MakeRateLimiter(pc, context().clock());
    stack.writer = std::make_unique<dns::SafeWriter>(
        *stack.provider, *stack.limiter, context().clock(), context().random(),
        rt_->change_sink_.get(), dns::SafeWriterOptionsFor(pc));
    rt_->providers_[pc.name] = std::move(stack);
  }
  return {};
}

Result<void> RuntimeBuilder::BuildService(const config::ServiceConfig& sc) {
  ServiceRuntime& s = rt_->services_.emplace_back();
  s.config = &sc;
  const std::vector<std::string> names = sc.ProviderNames();
  std::vector<ServiceApplier::Target> targets;
  for (const std::string& name : names) {
    const config::ProviderConfig* pc = rt_->policy_.FindProvider(name);
    auto stack = rt_->providers_.find(name);
    if (pc == nullptr || stack == rt_->providers_.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "service " + sc.name + ": no provider '" + name + "'");
    }
    auto ns = dns::AuthoritativeServers(sc, *pc, context().checker(), kNameServerTimeout);
    if (!ns) {
      return MakeError(ns.error().code, "service " + sc.name + ": nameservers of " + name +
                                            " to verify: " + ns.error().message);
    }
    if (targets.empty()) {
      s.provider = stack->second.provider.get();
      s.nameservers = *ns;
    }
    ApplierDeps deps = MakeApplierDeps(sc, name, names.size() > 1);
    if (pc->type == config::ProviderType::kEmbedded) {
      // Fencing keeps an ex-leader off a shared provider; this server is this process's own.
      // The token is recorded when this agent leads, 0 when it follows.
      deps.fence = [ctx = rt_->context_]() -> Result<int64_t> {
        auto token = ctx->CheckFence();
        return token ? *token : 0;
      };
    }
    deps.writer = stack->second.writer.get();
    if (hold_.services.count(sc.name) > 0) deps.not_before = hold_.since + pc->timeout;
    targets.push_back(
        {name, std::make_unique<DnsApplier>(dns::CanonicalName(sc.zone), *ns,
                                            sc.propagation_timeout, std::move(deps))});
  }
  if (targets.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "service " + sc.name + ": no provider");
  }
  s.local_server = std::all_of(names.begin(), names.end(), [&](const std::string& name) {
    return rt_->policy_.FindProvider(name)->type == config::ProviderType::kEmbedded;
  });
  s.applier = std::make_unique<ServiceApplier>(std::move(targets));
  return {};
}

Result<void> RuntimeBuilder::BuildProbes() {
  std::vector<probes::Target> targets = probes::TargetsFromRegions(rt_->policy_.regions);
  auto recorder =
      ProbeRecorder::Create(targets, rt_->engine_->layout(), rt_->health_, rt_->context_);
  if (!recorder) return tl::unexpected(recorder.error());
  auto probes = probes::Engine::Create(
      probes::EngineOptions{0, context().vantage()}, std::move(targets),
      [recorder = *recorder](const probes::Observation& o) { recorder->Record(o); },
      context().policy_clock(), context().random());  // results on policy time
  if (!probes) return tl::unexpected(probes.error());
  rt_->probes_ = std::move(*probes);
  return {};
}

}  // namespace steer::agent
