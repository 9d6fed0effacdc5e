#include "decision_loop.h"

#include <algorithm>

#include "active_overrides.h"
#include "engine_state_json.h"
#include "record_match.h"
#include "status/page_model.h"
#include "status_feed.h"
#include "steer/base/json_text.h"
#include "steer/base/log.h"
#include "steer/dns/rrset.h"

namespace steer::agent {
namespace {

bool IsChange(policies::Action a) {
  using policies::Action;
  return a == Action::kFailover || a == Action::kFailback || a == Action::kSwitchover ||
         a == Action::kForced || a == Action::kServeAll;
}

}  // namespace

DecisionLoop::DecisionLoop(const RuntimeSlot& slot, std::shared_ptr<const AgentContext> context)
    : slot_(slot), context_(std::move(context)) {
  if (StatusShare* share = context_->status_share()) {
    status_sync_ = std::make_unique<StatusSync>(*share, context_->incidents(), context_->uptime());
  }
}

DecisionLoop::~DecisionLoop() { Stop(); }

void DecisionLoop::Start() {
  thread_ = std::thread([this] { Run(); });  // joined by Stop(), before *this goes
}

void DecisionLoop::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

policies::ServiceState DecisionLoop::State(const std::string& service) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(service);
  return it == states_.end() ? policies::ServiceState{} : it->second;
}

std::vector<policies::ServiceState> DecisionLoop::States(const config::Policy& policy) const {
  std::vector<policies::ServiceState> out;
  for (const auto& sc : policy.services) out.push_back(State(sc.name));
  return out;
}

std::optional<policies::Decision> DecisionLoop::LastDecision(const std::string& service) const {
  std::lock_guard lock(mu_);
  auto it = last_.find(service);
  if (it == last_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, policies::RegionVerdict> DecisionLoop::RegionVerdicts() const {
  std::map<std::string, policies::RegionVerdict> verdicts;
  std::lock_guard lock(mu_);
  for (const auto& [name, d] : last_) {
    for (const auto& v : d.regions) verdicts[v.region] = v;
  }
  return verdicts;
}

void DecisionLoop::Acknowledge(const std::string& service) {
  std::lock_guard lock(mu_);
  acks_.insert(service);
}

void DecisionLoop::Run() {
  uint64_t seen = 0;
  while (!stop_) {
    std::shared_ptr<Runtime> rt = slot_.Get();
    rt->health().WaitForChange(seen, std::chrono::steady_clock::now() + rt->policy().agent.tick);
    seen = rt->health().version();
    Tick(*rt);
    context_->systemd().MaybePetWatchdog(std::chrono::steady_clock::now());
  }
}

void DecisionLoop::Tick(Runtime& rt) {
  Leadership lead = context_->coordinator().CurrentLeadership();
  if (!lead.is_leader) {
    // Stepped down: the minute counted so far is written, for the new leader's to replace.
    if (led_token_ != 0 && status_sync_) (void)context_->uptime().Flush();
    led_token_ = 0;
    Follow(rt, lead.frozen);
    return;
  }
  if (lead.fencing_token != led_token_ && !TakeOver(rt, lead.fencing_token)) return;
  if (status_sync_) {
    status_sync_->Publish(lead.fencing_token, status::EpochMs(context_->clock().WallNow()) -
                                                  rt.policy().status.retention.count());
  }
  for (auto& s : rt.services()) {
    if (!s.adopted) Adopt(s);
  }
  if (!rt.health().AllFresh()) return;  // no decision on remembered or missing health
  policies::Time now = context_->PolicyNow();
  std::optional<policies::Overrides> overrides = LoadOverrides(context_->shared(), now);
  if (!overrides) return;  // never decide without knowing the operators' overrides
  policies::HealthView view = rt.health().Snapshot();
  for (size_t i = 0; i < rt.services().size(); ++i) {
    ServiceRuntime& s = rt.services()[i];
    if (!s.adopted) continue;
    policies::ServiceState state = TakeState(s.config->name);
    Act(rt, s, rt.engine().Decide(static_cast<int>(i), view, state, *overrides, now),
        lead.fencing_token);
  }
  SampleComponents(rt, view, now);
}

// Components are judged apart from the decisions (a decision carries region verdicts only),
// and once a second rather than on every tick: the uptime history counts minutes.
void DecisionLoop::SampleComponents(Runtime& rt, const policies::HealthView& view,
                                    policies::Time now) {
  if (now < next_component_sample_) return;
  next_component_sample_ = now + std::chrono::seconds(1);
  for (size_t i = 0; i < rt.services().size(); ++i) {
    FeedComponents(*rt.services()[i].config,
                   rt.engine().AssessComponents(static_cast<int>(i), view, now),
                   context_->uptime());
  }
}

// A new term: continue from the shared state. In etcd mode a service the previous leader
// decided is not re-adopted from the provider: its decided answers are applied (an
// interrupted write is completed, once) and the engine goes on from its state.
bool DecisionLoop::TakeOver(Runtime& rt, int64_t token) {
  auto shared = context_->shared().EngineStates();
  if (!shared) {
    base::Logger("agent")->warn("shared state unreadable, not deciding yet: {}",
                                shared.error().message);
    return false;
  }
  {
    // What this agent evaluated as a follower was never announced: the term's first decision
    // of each service must be.
    std::lock_guard lock(mu_);
    last_.clear();
  }
  int continued = 0;
  const policies::Time now = context_->PolicyNow();
  for (auto& s : rt.services()) {
    const std::string& name = s.config->name;
    auto it = shared->find(name);
    policies::ServiceState st;
    if (it != shared->end()) {
      st = ServiceStateFromJson(nlohmann::json::parse(it->second, nullptr, false));
      policies::ClampToNow(st, now);  // stamped before a restart or by another agent's clock
      std::lock_guard lock(mu_);
      states_[name] = st;
    }
    if (!context_->etcd_mode()) continue;  // local: the provider's records are adopted
    s.adopted = it != shared->end() && st.initialized && !st.answers.empty();
    if (!s.adopted) continue;
    ++continued;
    const config::ServiceConfig& sc = *s.config;
    dns::RRset rrset{dns::CanonicalName(sc.dns_name), sc.record_type, sc.ttl, st.answers};
    s.applier->SetDesired(st.serving_all ? "*" : st.region, rrset.Normalized());
  }
  led_token_ = token;
  if (status_sync_) status_sync_->Reset();
  if (context_->etcd_mode()) {
    context_->Audit(
        AuditKind::kNotice, "", "took over as leader with token " + std::to_string(token),
        "continuing from the shared state of " + std::to_string(continued) + " service(s)");
  }
  return true;
}

// A follower decides nothing: it keeps the shared state in view (refreshed every second) and
// evaluates the policy on it for status only.
void DecisionLoop::Follow(Runtime& rt, bool frozen) {
  auto steady = std::chrono::steady_clock::now();
  // Frozen (etcd unreachable): no etcd round trip from this thread, whose ticks also pet the
  // systemd watchdog; the view stays the last one read.
  if (!frozen && steady >= next_refresh_) {
    next_refresh_ = steady + std::chrono::seconds(1);
    if (status_sync_) status_sync_->Import();
    if (auto shared = context_->shared().EngineStates()) {
      std::lock_guard lock(mu_);
      for (const auto& [name, json] : *shared) {
        states_[name] = ServiceStateFromJson(nlohmann::json::parse(json, nullptr, false));
      }
    }
    ServeShared(rt);
  }
  if (!rt.health().AllFresh()) return;
  policies::Time now = context_->PolicyNow();
  if (!frozen) {
    if (auto o = LoadOverrides(context_->shared(), now)) follower_overrides_ = std::move(*o);
  }
  const policies::Overrides& overrides = follower_overrides_;
  policies::HealthView view = rt.health().Snapshot();
  for (size_t i = 0; i < rt.services().size(); ++i) {
    const config::ServiceConfig& sc = *rt.services()[i].config;
    policies::Decision d =
        rt.engine().Decide(static_cast<int>(i), view, State(sc.name), overrides, now);
    SetMetrics(sc, d);
    // Incidents are the deciding leader's; with etcd its uptime minutes too (StatusSync), else
    // a follower keeps its own history.
    if (!status_sync_) {
      FeedStatus(sc, d, context_->uptime(), nullptr, status::EpochMs(context_->clock().WallNow()));
    }
    std::lock_guard lock(mu_);
    last_[sc.name] = d;
  }
  if (!status_sync_) SampleComponents(rt, view, now);
}

// A follower's own embedded server answers what the leader decided, as read from the shared
// state, so every agent serves the same records (within the one-second refresh).
void DecisionLoop::ServeShared(Runtime& rt) {
  for (auto& s : rt.services()) {
    if (!s.local_server) continue;
    const config::ServiceConfig& sc = *s.config;
    policies::ServiceState state = State(sc.name);
    if (!state.initialized || state.answers.empty()) continue;
    dns::RRset rrset{dns::CanonicalName(sc.dns_name), sc.record_type, sc.ttl, state.answers};
    s.applier->SetDesired(state.serving_all ? "*" : state.region, rrset.Normalized());
  }
}

policies::ServiceState DecisionLoop::TakeState(const std::string& service) {
  std::lock_guard lock(mu_);
  if (acks_.erase(service) > 0) policies::Acknowledge(states_[service]);
  return states_[service];
}

// Reads what the provider serves now and takes it as the service's current state.
void DecisionLoop::Adopt(ServiceRuntime& s) {
  const config::ServiceConfig& sc = *s.config;
  auto current = s.provider->Read(dns::CanonicalName(sc.zone), dns::CanonicalName(sc.dns_name),
                                  sc.record_type);
  if (!current) {
    base::Logger("agent")->warn("{}: cannot read current records yet: {}", sc.name,
                                current.error().message);
    return;
  }
  if (*current) {
    AdoptRecords(sc, **current);
  } else {
    std::lock_guard lock(mu_);
    states_[sc.name].initialized = false;  // nothing published: the engine starts afresh
  }
  s.adopted = true;
}

void DecisionLoop::AdoptRecords(const config::ServiceConfig& sc, const dns::RRset& current) {
  auto [region, serving_all] = MatchRegion(sc, current.records);
  if (region.empty() && !serving_all) {
    {
      std::lock_guard lock(mu_);
      states_[sc.name].initialized = false;
    }
    context_->Audit(AuditKind::kNotice, sc.name,
                    "records match no region: " + dns::ToString(current), "engine decides afresh");
    return;
  }
  {
    std::lock_guard lock(mu_);
    policies::ServiceState& st = states_[sc.name];
    if (st.region != region || st.serving_all != serving_all) st.tracks.clear();
    st.initialized = true;
    st.region = region;
    st.serving_all = serving_all;
    st.answers = current.records;
  }
  context_->Audit(AuditKind::kNotice, sc.name,
                  "adopted " + (serving_all ? std::string("all regions") : region) + ": " +
                      dns::ToString(current),
                  "records the provider serves at start");
}

std::string DecisionLoop::HeldWhy(const std::string& service) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(service);
  return it == held_.end() ? "" : it->second;
}

DecisionLoop::Kept DecisionLoop::Keep(const std::string& service, const policies::Decision& d,
                                      int64_t token) {
  nlohmann::json before, after;
  {
    std::lock_guard lock(mu_);
    before = ServiceStateToJson(states_[service]);
    after = ServiceStateToJson(d.next);
  }
  // Stored without holding mu_: a full or locked store can take seconds (SQLite's busy
  // timeout) and the API reads states_ meanwhile. Only this loop's thread writes states_.
  Result<void> put;
  if (before != after) {
    // Shared before DNS: a successor continues from what this leader is about to write.
    put = context_->shared().PutEngineState(service, base::JsonText(after), token);
  }
  std::lock_guard lock(mu_);
  if (!put) {
    std::string& held = held_[service];
    if (held != put.error().message) {  // once per cause, not once per tick
      base::Logger("agent")->error("{}: state not stored, not acting: {}", service,
                                   put.error().message);
    }
    held = put.error().message;
    return Kept{false, false};
  }
  if (auto it = held_.find(service); it != held_.end()) {
    base::Logger("agent")->warn("{}: state stored again, acting (was: {})", service, it->second);
    held_.erase(it);
  }
  auto& prev = last_[service];
  Kept kept{true, prev.action != d.action || prev.cause != d.cause || prev.to != d.to};
  states_[service] = d.next;
  prev = d;
  return kept;
}

void DecisionLoop::Act(Runtime& rt, ServiceRuntime& s, const policies::Decision& d, int64_t token) {
  const config::ServiceConfig& sc = *s.config;
  Kept kept = Keep(sc.name, d, token);
  if (!kept.stored) return;
  SetMetrics(sc, d);
  FeedStatus(sc, d, context_->uptime(), &context_->incidents(),
             status::EpochMs(context_->clock().WallNow()));
  if (!d.answers.empty()) {
    dns::RRset rrset{dns::CanonicalName(sc.dns_name), sc.record_type, sc.ttl, d.answers};
    s.applier->SetDesired(d.to, rrset.Normalized());
  }
  if (kept.announce && d.action != policies::Action::kNone) Announce(rt, sc, d);
}

void DecisionLoop::SetMetrics(const config::ServiceConfig& sc, const policies::Decision& d) {
  AgentMetrics& m = context_->metrics();
  for (const auto& v : d.regions) {
    m.region_healthy->Set({v.region}, v.verdict == policies::Health::kHealthy ? 1 : 0);
  }
  for (const auto& r : sc.regions) {
    m.active_region->Set({sc.name, r.region}, d.to == r.region || d.to == "*" ? 1 : 0);
  }
}

namespace {

// "; us-east down since 2026-11-30T18:00:00.000Z": when the quorum's verdict on the region a
// failover leaves turned down, kept in the decision's audit record (steerctl report uptime's
// time to detect).
std::string DownSince(const policies::Decision& d) {
  if (d.action != policies::Action::kFailover || d.cause != "down") return "";
  for (const auto& t : d.next.tracks) {
    if (t.region == d.from && t.verdict == policies::Health::kUnhealthy) {
      return "; " + d.from + " down since " + status::IsoTime(t.since.count());
    }
  }
  return "";
}

}  // namespace

void DecisionLoop::Announce(Runtime& rt, const config::ServiceConfig& sc,
                            const policies::Decision& d) {
  context_->metrics().decisions->Inc({sc.name, policies::ActionName(d.action)});
  std::string what = std::string(policies::ActionName(d.action)) + " " + d.from + " -> " + d.to +
                     " (" + d.cause + ")";
  context_->Audit(AuditKind::kDecision, sc.name, what, d.sentence + DownSince(d));
  if (IsChange(d.action)) context_->systemd().Status(sc.name + ": " + what);
  rt.notifier().Submit({"decision",
                        sc.name,
                        sc.name + ": " + what,
                        {{"from", d.from}, {"to", d.to}, {"cause", d.cause}, {"why", d.sentence}},
                        std::chrono::system_clock::now()});
}

}  // namespace steer::agent
