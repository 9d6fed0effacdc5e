#include "runtime_builder.h"

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

notify::Notification Event(const std::string& service, std::string text,
                           std::map<std::string, std::string> fields) {
  return {"dns_change", service, std::move(text), std::move(fields),
          std::chrono::system_clock::now()};
}

}  // namespace

Result<std::shared_ptr<Runtime>> RuntimeBuilder::Build(
    const config::Policy& policy, std::shared_ptr<const AgentContext> context) {
  RuntimeBuilder b(std::shared_ptr<Runtime>(new Runtime(policy, std::move(context))));
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
  const config::ProviderConfig* pc = rt_->policy_.FindProvider(sc.provider);
  auto stack = rt_->providers_.find(sc.provider);
  if (pc == nullptr || stack == rt_->providers_.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "service " + sc.name + ": no provider");
  }
  auto ns = dns::AuthoritativeServers(sc, *pc, context().checker(), kNameServerTimeout);
  if (!ns) {
    return MakeError(ns.error().code,
                     "service " + sc.name + ": nameservers to verify: " + ns.error().message);
  }
  ServiceRuntime& s = rt_->services_.emplace_back();
  s.config = &sc;
  s.provider = stack->second.provider.get();
  s.nameservers = *ns;
  s.local_server = pc->type == config::ProviderType::kEmbedded;
  ApplierDeps deps = MakeApplierDeps(sc);
  if (s.local_server) {
    // Fencing keeps an ex-leader off a shared provider; this server is this process's own.
    // The token is recorded when this agent leads, 0 when it follows.
    deps.fence = [ctx = rt_->context_]() -> Result<int64_t> {
      auto token = ctx->CheckFence();
      return token ? *token : 0;
    };
  }
  deps.writer = stack->second.writer.get();
  s.applier = std::make_unique<DnsApplier>(dns::CanonicalName(sc.zone), s.nameservers,
                                           sc.propagation_timeout, std::move(deps));
  return {};
}

// The applier's callbacks: the context, the notifier and the service's name, held by value.
ApplierDeps RuntimeBuilder::MakeApplierDeps(const config::ServiceConfig& sc) {
  ApplierDeps deps;
  deps.checker = &context().checker();
  deps.fence = [ctx = rt_->context_] { return ctx->CheckFence(); };
  // A failing change is announced once, when it starts failing (the applier retries every few
  // seconds), and again only after a change has gone through.
  auto failing = std::make_shared<std::atomic<bool>>(false);
  deps.on_error = [notifier = rt_->notifier_, name = sc.name, failing](const std::string& error) {
    if (failing->exchange(true)) return;
    notifier->Submit(
        Event(name, name + ": DNS change failing, retrying: " + error, {{"error", error}}));
  };
  deps.on_written = [ctx = rt_->context_, notifier = rt_->notifier_, name = sc.name, failing](
                        const std::string& region, const dns::WriteResult& w) {
    failing->store(false);
    auto set =
        ctx->store().SetAnswers({name, region, w.after.records, std::chrono::system_clock::now()});
    if (!set) base::Logger("agent")->error("state: {}", set.error().message);
    if (w.outcome != dns::ChangeOutcome::kApplied) return;
    // A follower's own embedded server following the leader: the leader announces the change.
    if (!ctx->coordinator().CurrentLeadership().is_leader) return;
    std::string after = dns::ToString(w.after);
    notifier->Submit(Event(name, name + ": DNS written for " + region + ": " + after,
                           {{"region", region},
                            {"before", w.before ? dns::ToString(*w.before) : "(none)"},
                            {"after", after},
                            {"change_id", w.receipt.change_id}}));
  };
  deps.on_propagated = [ctx = rt_->context_, notifier = rt_->notifier_, name = sc.name](
                           const std::string& region, std::chrono::milliseconds took) {
    ctx->metrics().propagation_duration->Observe({name}, static_cast<double>(took.count()) / 1000);
    // "verified REGION": the end of a failover for steerctl report uptime's time to fail over.
    ctx->Audit(AuditKind::kNotice, name, "verified " + region + " on every nameserver",
               "propagated in " + std::to_string(took.count()) + " ms");
    base::Logger("agent")->info("{}: every nameserver answers {} ({} ms)", name, region,
                                took.count());
    notifier->Submit(Event(name, name + ": every nameserver answers " + region,
                           {{"region", region}, {"propagation_ms", std::to_string(took.count())}}));
  };
  return deps;
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
