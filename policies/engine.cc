#include "steer/policies/engine.h"

#include <algorithm>

#include "addresses.h"
#include "plan.h"
#include "quorum.h"

namespace steer::policies {
namespace {

constexpr Time kHour{3600 * 1000};

// `answers`: per service region, the answers it would serve now (addresses out excluded).
std::vector<std::string> AllAnswers(const config::ServiceConfig& svc, const AddressPool& pool,
                                    const std::vector<bool>& drained) {
  const bool all_drained = std::all_of(drained.begin(), drained.end(), [](bool d) { return d; });
  std::vector<std::string> out;
  for (size_t i = 0; i < svc.regions.size(); ++i) {
    if (drained[i] && !all_drained) continue;
    for (const auto& a : pool.Answers(svc, i)) {
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
  }
  return out;
}

int RegionIndex(const config::ServiceConfig& svc, const std::string& name) {
  for (size_t i = 0; i < svc.regions.size(); ++i) {
    if (svc.regions[i].region == name) return static_cast<int>(i);
  }
  return -1;
}

// Initialises a fresh state, follows the policy's current answers, moves the verdict clocks
// and forgets changes older than an hour and block windows that have passed.
ServiceState Prepare(const config::ServiceConfig& svc, const AddressPool& pool,
                     const ServiceState& in, const std::vector<RegionVerdict>& verdicts,
                     const std::vector<bool>& drained, Time now) {
  ServiceState st = in;
  if (!st.initialized || (!st.serving_all && RegionIndex(svc, st.region) < 0)) {
    st.initialized = true;
    st.serving_all = false;
    st.region = svc.regions.front().region;
  }
  st.answers = st.serving_all ? AllAnswers(svc, pool, drained)
                              : pool.Answers(svc, static_cast<size_t>(RegionIndex(svc, st.region)));
  // Usually the tracks line up with the policy already; rebuild only after a reload.
  bool aligned = st.tracks.size() == svc.regions.size();
  for (size_t i = 0; aligned && i < svc.regions.size(); ++i) {
    aligned = st.tracks[i].region == svc.regions[i].region;
  }
  std::vector<RegionTrack> tracks;
  if (aligned) {
    tracks = std::move(st.tracks);
  } else {
    for (const auto& sr : svc.regions) {
      auto old = std::find_if(in.tracks.begin(), in.tracks.end(),
                              [&](const RegionTrack& t) { return t.region == sr.region; });
      tracks.push_back(old != in.tracks.end() ? *old
                                              : RegionTrack{sr.region, Health::kUnknown, now});
    }
  }
  for (size_t i = 0; i < tracks.size(); ++i) {
    if (tracks[i].verdict != verdicts[i].verdict)
      tracks[i] = {tracks[i].region, verdicts[i].verdict, now};
  }
  st.tracks = std::move(tracks);
  std::erase_if(st.changes, [&](Time t) { return t <= now - kHour; });
  if (st.blocked_until && *st.blocked_until <= now) st.blocked_until.reset();
  return st;
}

// Moves the state to the plan's target and books the change for the rate rules.
void Apply(const config::ServiceConfig& svc, const AddressPool& pool, const Plan& plan,
           const std::vector<bool>& drained, Time now, ServiceState& st) {
  if (plan.serve_all) {
    st.serving_all = true;
    st.region.clear();
    st.answers = AllAnswers(svc, pool, drained);
  } else {
    st.serving_all = false;
    st.region = svc.regions[static_cast<size_t>(plan.target)].region;
    st.answers = pool.Answers(svc, static_cast<size_t>(plan.target));
  }
  st.last_change = now;
  st.changes.push_back(now);
  // Only a failover away from trouble opens the window; leaving fail-open does not.
  if (plan.action == Action::kFailover && plan.cause != "recovered" &&
      svc.block_after_failover > Time(0)) {
    st.blocked_until = now + svc.block_after_failover;
  }
}

std::string Label(const ServiceState& st) { return st.serving_all ? "*" : st.region; }

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

}  // namespace

Engine::Engine(config::Policy policy, Layout layout)
    : policy_(std::move(policy)), layout_(std::move(layout)) {
  for (const auto& svc : policy_.services) {
    address_targets_.push_back(AddressTargets(layout_, svc));
    std::vector<int> regions;
    for (const auto& sr : svc.regions) regions.push_back(layout_.FindRegion(sr.region));
    service_regions_.push_back(std::move(regions));
  }
  region_users_.assign(layout_.regions().size(), 0);
  for (const auto& regions : service_regions_) {
    for (int r : regions) ++region_users_[static_cast<size_t>(r)];
  }
}

Result<Engine> Engine::Create(config::Policy policy) {
  auto layout = Layout::Build(policy);
  if (!layout) return tl::unexpected(layout.error());
  for (const auto& svc : policy.services) {
    if (svc.regions.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "service " + svc.name + " has no regions");
    }
    for (const auto& sr : svc.regions) {
      if (layout->FindRegion(sr.region) < 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "service " + svc.name + ": unknown region " + sr.region);
      }
      if (sr.answers.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "service " + svc.name + ": region " + sr.region + " has no answers");
      }
    }
  }
  return Engine(std::move(policy), std::move(*layout));
}

std::vector<RegionVerdict> Engine::AssessRegions(int service, const HealthView& view,
                                                 Time now) const {
  const auto& svc = policy_.services[static_cast<size_t>(service)];
  std::vector<RegionVerdict> out;
  out.reserve(svc.regions.size());
  for (int r : service_regions_[static_cast<size_t>(service)]) {
    out.push_back(AssessRegion(layout_, r, svc.quorum, view, now));
  }
  AssessAddresses(layout_, svc, address_targets_[static_cast<size_t>(service)], view, now, out);
  return out;
}

std::vector<ComponentVerdict> Engine::AssessComponents(int service, const HealthView& view,
                                                       Time now) const {
  const auto& svc = policy_.services[static_cast<size_t>(service)];
  std::vector<ComponentVerdict> out;
  for (int r : service_regions_[static_cast<size_t>(service)]) {
    const auto& components = layout_.regions()[static_cast<size_t>(r)].components;
    for (size_t c = 0; c < components.size(); ++c) {
      out.push_back(AssessComponent(layout_, r, static_cast<int>(c), svc.quorum, view, now));
    }
  }
  return out;
}

Decision Engine::Decide(int service, const HealthView& view, const ServiceState& state,
                        const Overrides& overrides, Time now) const {
  const auto& svc = policy_.services[static_cast<size_t>(service)];
  std::vector<RegionVerdict> verdicts;
  for (int r : service_regions_[static_cast<size_t>(service)]) {
    verdicts.push_back(AssessRegion(layout_, r, svc.quorum, view, now));
  }
  return DecideWith(service, std::move(verdicts), view, state, overrides, now);
}

Decision Engine::DecideWith(int service, std::vector<RegionVerdict> verdicts,
                            const HealthView& view, const ServiceState& state,
                            const Overrides& overrides, Time now) const {
  const auto& svc = policy_.services[static_cast<size_t>(service)];
  Decision d;
  d.service = svc.name;
  const AddressPool pool = AssessAddresses(
      layout_, svc, address_targets_[static_cast<size_t>(service)], view, now, verdicts);
  d.regions = std::move(verdicts);
  std::vector<bool> drained;
  for (const auto& sr : svc.regions) drained.push_back(IsDrained(overrides, sr.region, now));
  ServiceState st = Prepare(svc, pool, state, d.regions, drained, now);
  const int current = st.serving_all ? -1 : RegionIndex(svc, st.region);
  Context ctx{svc, d.regions, drained, st, current, now};

  Plan plan = PlanPinned(ctx, FindPin(overrides, svc.name, now), svc.safety.at_least_one_serving);
  if (!plan.decided) plan = PlanAutomatic(ctx, std::move(plan.reasons));
  Gate(ctx, IsPaused(overrides, svc.name, now), plan);

  d.from = Label(st);
  if (plan.change) Apply(svc, pool, plan, drained, now, st);
  d.to = Label(st);
  d.action = plan.action;
  d.cause = std::move(plan.cause);
  d.answers = st.answers;
  d.reasons = std::move(plan.reasons);
  const int served = st.serving_all ? -1 : RegionIndex(svc, st.region);
  if (served >= 0 && !pool.notes.empty() && !pool.notes[static_cast<size_t>(served)].empty()) {
    d.reasons.push_back(pool.notes[static_cast<size_t>(served)]);
  }
  if (plan.change) {
    d.reasons.push_back(std::string(ActionName(d.action)) + " " + d.from + " \xE2\x86\x92 " + d.to);
  } else if (d.action == Action::kNone && d.cause == "healthy") {
    d.reasons.push_back("serving " + d.to);
  }
  d.sentence = Join(d.reasons);
  d.next = std::move(st);
  return d;
}

std::vector<Decision> Engine::Evaluate(const HealthView& view,
                                       const std::vector<ServiceState>& states,
                                       const Overrides& overrides, Time now) const {
  // Services that share a region and quorum settings share its verdict: assess each once.
  struct Cached {
    int count;
    double stale_after;
    RegionVerdict verdict;
  };
  std::vector<std::vector<Cached>> cache(layout_.regions().size());
  std::vector<Decision> out;
  out.reserve(policy_.services.size());
  const ServiceState fresh;
  for (size_t i = 0; i < policy_.services.size(); ++i) {
    const auto& q = policy_.services[i].quorum;
    std::vector<RegionVerdict> verdicts;
    verdicts.reserve(service_regions_[i].size());
    for (int r : service_regions_[i]) {
      if (region_users_[static_cast<size_t>(r)] == 1) {
        verdicts.push_back(AssessRegion(layout_, r, q, view, now));
        continue;
      }
      auto& slot = cache[static_cast<size_t>(r)];
      auto hit = std::find_if(slot.begin(), slot.end(), [&](const Cached& c) {
        return c.count == q.count && c.stale_after == q.stale_after;
      });
      if (hit == slot.end()) {
        slot.push_back({q.count, q.stale_after, AssessRegion(layout_, r, q, view, now)});
        hit = slot.end() - 1;
      }
      verdicts.push_back(hit->verdict);
    }
    const ServiceState& st = i < states.size() ? states[i] : fresh;
    out.push_back(DecideWith(static_cast<int>(i), std::move(verdicts), view, st, overrides, now));
  }
  return out;
}

}  // namespace steer::policies
