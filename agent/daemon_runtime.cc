// Daemon::BuildRuntime: everything built from one policy, all or nothing.
#include "daemon_runtime.h"

#include "daemon.h"
#include "notify/factory.h"
#include "steer/base/log.h"
#include "steer/dns/service_plan.h"
#include "steer/probes/target.h"

namespace steer::agent {
namespace {

// SafeWriter's audit of every change: the audit log, metrics and notifications.
class ChangeSink : public dns::AuditSink {
 public:
  ChangeSink(StateStore& store, AgentMetrics& metrics, ServiceOf service_of)
      : store_(store), metrics_(metrics), service_of_(std::move(service_of)) {}
  void Record(const dns::ChangeAudit& a) override {
    if (a.outcome == dns::ChangeOutcome::kUnchanged) return;  // nothing was written
    bool ok =
        a.outcome == dns::ChangeOutcome::kApplied || a.outcome == dns::ChangeOutcome::kUnchanged;
    std::string what = std::string(dns::ChangeOutcomeName(a.outcome)) + " " + a.zone + ": " +
                       (a.before ? dns::ToString(*a.before) : "(none)") + " -> " +
                       dns::ToString(a.after) + " via " + a.provider + " in " +
                       std::to_string(a.duration.count()) + "ms, " + std::to_string(a.attempts) +
                       " attempt(s)";
    auto id = store_.Append(
        {0, a.at, AuditKind::kDnsChange, "steerd", service_of_(a.after.name), what, a.error, ok});
    if (!id) base::Logger("agent")->error("audit: {}", id.error().message);
    metrics::LabelValues labels = {a.after.name, a.provider};
    if (a.outcome == dns::ChangeOutcome::kApplied) {
      metrics_.dns_change_duration->Observe(labels, static_cast<double>(a.duration.count()) / 1000);
    } else if (!ok) {
      metrics_.dns_change_errors->Inc(labels);
    }
  }

 private:
  StateStore& store_;
  AgentMetrics& metrics_;
  ServiceOf service_of_;
};

}  // namespace

std::unique_ptr<dns::AuditSink> MakeChangeSink(StateStore& store, AgentMetrics& metrics,
                                               ServiceOf service_of) {
  return std::make_unique<ChangeSink>(store, metrics, std::move(service_of));
}

Result<std::shared_ptr<Runtime>> Daemon::BuildRuntime(const config::Policy& policy) {
  auto rt = std::make_shared<Runtime>();
  rt->policy = policy;
  auto engine = policies::Engine::Create(policy);
  if (!engine) return tl::unexpected(engine.error());
  rt->engine.emplace(std::move(*engine));
  rt->health = std::make_unique<HealthBook>(rt->engine->layout(),
                                            policies::VantagePoint{vantage_, ""}, metrics_.get());
  auto routes = notify::BuildRoutes(policy.notifications);
  if (!routes) return tl::unexpected(routes.error());
  notify::DispatcherOptions nopts;
  rt->notifier = std::make_unique<notify::Dispatcher>(
      std::move(*routes), nopts, [m = metrics_.get()](const std::string& name, bool ok) {
        m->notifications->Inc({name, ok ? "delivered" : "failed"});
      });
  for (const auto& pc : rt->policy.providers) {
    auto provider = dns::MakeProvider(pc, registry_, provider_deps_);
    if (!provider) return tl::unexpected(provider.error());
    double rate = pc.rate_per_second > 0 ? pc.rate_per_second : dns::DefaultRatePerSecond(pc.type);
    auto limiter = std::make_unique<dns::RateLimiter>(rate, dns::DefaultBurst(pc.type), dns_clock_);
    dns::SafeWriterOptions wopts;
    wopts.retry.max_attempts = pc.max_attempts;
    // steerd writes only the answer sets of the validated policy; the policy engine's safety
    // rules bound how often. A share refusal here would be a failover that never happens.
    wopts.guard.check_share = false;
    rt->writers[pc.name] = std::make_unique<dns::SafeWriter>(
        **provider, *limiter, dns_clock_, dns_random_, change_sink_.get(), wopts);
    rt->limiters[pc.name] = std::move(limiter);
    rt->providers[pc.name] = std::move(*provider);
  }
  for (const auto& sc : rt->policy.services) {
    ServiceRuntime s;
    s.config = &sc;
    const config::ProviderConfig* pc = rt->policy.FindProvider(sc.provider);
    if (!pc) return MakeError(ErrorCode::kInvalidArgument, "service " + sc.name + ": no provider");
    s.provider = rt->providers[sc.provider].get();
    auto ns = dns::AuthoritativeServers(sc, *pc, *checker_, std::chrono::milliseconds(2000));
    if (!ns) {
      return MakeError(ns.error().code,
                       "service " + sc.name + ": nameservers to verify: " + ns.error().message);
    }
    s.nameservers = *ns;
    ApplierDeps deps;
    deps.writer = rt->writers[sc.provider].get();
    deps.checker = checker_.get();
    deps.check_fence = [this] {
      return coordinator_->CheckFence(coordinator_->CurrentLeadership().fencing_token);
    };
    const std::string name = sc.name;
    // The appliers are destroyed before the notifier (Runtime's member order), so `raw` is
    // valid whenever these callbacks run.
    Runtime* raw = rt.get();
    deps.on_written = [this, raw, name](const std::string& region, const dns::WriteResult& w) {
      auto set =
          store_->SetAnswers({name, region, w.after.records, std::chrono::system_clock::now()});
      if (!set) base::Logger("agent")->error("state: {}", set.error().message);
      if (w.outcome != dns::ChangeOutcome::kApplied) return;
      std::string before = w.before ? dns::ToString(*w.before) : "(none)";
      raw->notifier->Submit({"dns_change",
                             name,
                             name + ": DNS written for " + region + ": " + dns::ToString(w.after),
                             {{"region", region},
                              {"before", before},
                              {"after", dns::ToString(w.after)},
                              {"change_id", w.receipt.change_id}},
                             std::chrono::system_clock::now()});
    };
    deps.on_propagated = [this, raw, name](const std::string& region,
                                           std::chrono::milliseconds took) {
      metrics_->propagation_duration->Observe({name}, static_cast<double>(took.count()) / 1000);
      base::Logger("agent")->info("{}: every nameserver answers {} ({} ms)", name, region,
                                  took.count());
      raw->notifier->Submit({"dns_change",
                             name,
                             name + ": every nameserver answers " + region,
                             {{"region", region}, {"propagation_ms", std::to_string(took.count())}},
                             std::chrono::system_clock::now()});
    };
    s.applier = std::make_unique<DnsApplier>(dns::CanonicalName(sc.zone), s.nameservers,
                                             sc.propagation_timeout, std::move(deps));
    rt->services.push_back(std::move(s));
  }
  std::vector<probes::Target> targets = probes::TargetsFromRegions(rt->policy.regions);
  const policies::Layout& layout = rt->engine->layout();
  for (const auto& t : targets) {
    int region = layout.FindRegion(t.region);
    int component = region < 0 ? -1 : layout.FindComponent(region, t.component);
    int target = component < 0 ? -1 : layout.FindTarget(region, component, t.probe.name);
    if (target < 0) {
      return MakeError(ErrorCode::kInternal, "probe " + t.DisplayName() + " not in the layout");
    }
    rt->probe_to_target[t.id] = target;
    rt->probe_labels[t.id] = {t.region, t.component, t.probe.name};
  }
  Runtime* raw = rt.get();
  AgentMetrics* m = metrics_.get();
  auto probes = probes::Engine::Create(
      probes::EngineOptions{0, vantage_}, std::move(targets),
      [raw, m](const probes::Observation& o) {
        auto it = raw->probe_to_target.find(o.target_id);
        if (it == raw->probe_to_target.end()) return;
        std::string error =
            o.ok ? "" : std::string(probes::ErrorClassName(o.error)) + ": " + o.message;
        raw->health->Record(it->second, o.ok, WallMs(o.time), error,
                            std::chrono::duration<double>(o.phases.total).count());
        metrics::LabelValues labels = raw->probe_labels.at(o.target_id);  // read-only here
        if (o.attempts > 1) m->probe_retries->Inc(labels, o.attempts - 1);
        labels.push_back("");
        for (const auto& [phase, d] : {std::pair{"resolve", o.phases.resolve},
                                       {"connect", o.phases.connect},
                                       {"tls", o.phases.tls},
                                       {"first_byte", o.phases.first_byte}}) {
          if (d.count() == 0) continue;  // a phase the probe never reached
          labels.back() = phase;
          m->probe_phase_duration->Observe(labels, std::chrono::duration<double>(d).count());
        }
      },
      probe_clock_, probe_random_);
  if (!probes) return tl::unexpected(probes.error());
  rt->probes = std::move(*probes);
  return rt;
}

}  // namespace steer::agent
