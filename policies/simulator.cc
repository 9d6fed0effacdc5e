#include "steer/policies/simulator.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "trace.h"

namespace steer::policies {
namespace {

// A vantage point named after a region ("us-east" or "us-east/2") runs inside that region.
std::string HomeRegion(const Layout& layout, const std::string& vantage) {
  for (const auto& r : layout.regions()) {
    if (vantage == r.name || vantage.starts_with(r.name + "/")) return r.name;
  }
  return "";
}

class Replay {
 public:
  Replay(const Engine& engine, const SimulationOptions& options)
      : engine_(engine),
        options_(options),
        view_(engine.layout()),
        states_(engine.policy().services.size()),
        last_(engine.policy().services.size()) {}

  Result<void> Apply(const TraceRow& row);
  void Tick(Time now);
  std::optional<Time> end() const { return end_; }
  std::vector<SimulationEvent> TakeEvents() { return std::move(events_); }

 private:
  Result<void> Operator(const TraceRow& row);
  Result<void> Ask(const TraceRow& row, std::optional<Time> until);
  Result<int> Service(const TraceRow& row, bool required) const;
  Result<OperatorRequest> Request(const TraceRow& row, RequestKind kind) const;
  void Report(const TraceRow& row, const std::string& service, RequestCheck check);

  const Engine& engine_;
  const SimulationOptions& options_;
  HealthView view_;
  std::vector<ServiceState> states_;
  Overrides overrides_;
  std::vector<std::optional<Decision>> last_;
  std::vector<SimulationEvent> events_;
  std::optional<Time> end_;
};

Result<void> Replay::Apply(const TraceRow& row) {
  if (row.is_operator) return Operator(row);
  const int vp = view_.AddVantage({row.vantage, HomeRegion(engine_.layout(), row.vantage)});
  const auto& comp = engine_.layout()
                         .regions()[static_cast<size_t>(row.region)]
                         .components[static_cast<size_t>(row.component)];
  for (int t = comp.first_target; t < comp.first_target + comp.probe_count; ++t) {
    TargetHealth th = view_.Get(vp, t);
    Observe(th, engine_.layout().targets()[static_cast<size_t>(t)], row.ok, row.t, row.error);
    view_.Set(vp, t, th);
  }
  return {};
}

Result<int> Replay::Service(const TraceRow& row, bool required) const {
  auto it = row.args.find("service");
  if (it == row.args.end() || it->second.empty() || it->second == "*") {
    if (required) return TraceLineError(row.line, row.command + " needs service=NAME");
    return -1;
  }
  const auto& s = engine_.policy().services;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i].name == it->second) return static_cast<int>(i);
  }
  return TraceLineError(row.line, "unknown service '" + it->second + "'");
}

Result<OperatorRequest> Replay::Request(const TraceRow& row, RequestKind kind) const {
  OperatorRequest req;
  req.kind = kind;
  req.region = row.region_name;
  if (req.region.empty()) return TraceLineError(row.line, row.command + " needs a region");
  if (kind != RequestKind::kDrain) {
    auto s = Service(row, true);
    if (!s) return tl::unexpected(s.error());
    req.service = engine_.policy().services[static_cast<size_t>(*s)].name;
  }
  auto bypass = row.args.find("bypass");
  std::string_view rest = bypass == row.args.end() ? std::string_view() : bypass->second;
  while (!rest.empty()) {
    const auto bar = rest.find('|');
    const auto name = rest.substr(0, bar);
    auto rule = ParseRule(name);
    if (!rule) return TraceLineError(row.line, "unknown rule '" + std::string(name) + "'");
    req.bypass.push_back(*rule);
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  return req;
}

void Replay::Report(const TraceRow& row, const std::string& service, RequestCheck check) {
  SimulationEvent e;
  e.t = row.t;
  e.service = service;
  e.is_request = true;
  e.command = row.command + (row.region_name.empty() ? "" : " " + row.region_name);
  e.check = std::move(check);
  events_.push_back(std::move(e));
}

Result<void> Replay::Operator(const TraceRow& row) {
  std::optional<Time> until;
  if (auto it = row.args.find("until"); it != row.args.end()) {
    long long v = 0;
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || p != it->second.data() + it->second.size()) {
      return TraceLineError(row.line, "until '" + it->second + "' is not a time in ms");
    }
    until = Time(v);
  }
  const std::string& cmd = row.command;
  const bool needs_service = cmd == "ack" || cmd == "clear";
  auto s = Service(row, needs_service);
  if (!s) return tl::unexpected(s.error());
  const std::string name = *s < 0 ? "*" : engine_.policy().services[static_cast<size_t>(*s)].name;
  const std::string svc = *s < 0 ? "" : name;
  if (cmd == "end") {
    end_ = row.t;
  } else if (cmd == "pause") {
    overrides_.pauses.push_back({svc, until});
    Report(row, name, {true, std::nullopt, "paused " + name});
  } else if (cmd == "resume") {
    std::erase_if(overrides_.pauses,
                  [&](const Pause& p) { return svc.empty() || p.service == svc; });
    Report(row, name, {true, std::nullopt, "resumed " + name});
  } else if (cmd == "undrain") {
    std::erase_if(overrides_.drains, [&](const Drain& d) { return d.region == row.region_name; });
    Report(row, "*", {true, std::nullopt, "undrained " + row.region_name});
  } else if (cmd == "clear") {
    std::erase_if(overrides_.pins, [&](const Pin& p) { return p.service == svc; });
    Report(row, name, {true, std::nullopt, "cleared pins of " + name});
  } else if (cmd == "ack") {
    Acknowledge(states_[static_cast<size_t>(*s)]);
    Report(row, name, {true, std::nullopt, "acknowledged; automatic changes resume"});
  } else if (cmd == "drain" || cmd == "force" || cmd == "switchover") {
    return Ask(row, until);
  } else {
    return TraceLineError(row.line,
                          "unknown operator command '" + cmd +
                              "' (pause, resume, drain, undrain, force, switchover, clear, "
                              "ack, end)");
  }
  return {};
}

// drain, force and switchover: checked by the engine first; applied only when allowed.
Result<void> Replay::Ask(const TraceRow& row, std::optional<Time> until) {
  const RequestKind kind = row.command == "drain"   ? RequestKind::kDrain
                           : row.command == "force" ? RequestKind::kForce
                                                    : RequestKind::kSwitchover;
  auto req = Request(row, kind);
  if (!req) return tl::unexpected(req.error());
  RequestCheck check = engine_.Check(*req, view_, states_, overrides_, row.t);
  if (check.allowed && kind == RequestKind::kDrain) {
    overrides_.drains.push_back({req->region, until});
  } else if (check.allowed) {
    const PinKind pin = kind == RequestKind::kForce ? PinKind::kForce : PinKind::kSwitchover;
    overrides_.pins.push_back({pin, req->service, req->region, req->bypass, until, "operator"});
  }
  Report(row, kind == RequestKind::kDrain ? "*" : req->service, std::move(check));
  return {};
}

bool SameOutcome(const Decision& a, const Decision& b) {
  // Answers change on their own when an address goes out of or back into rotation (§11).
  return a.action == b.action && a.from == b.from && a.to == b.to && a.cause == b.cause &&
         a.answers == b.answers;
}

void Replay::Tick(Time now) {
  auto decisions = engine_.Evaluate(view_, states_, overrides_, now);
  for (size_t i = 0; i < decisions.size(); ++i) {
    Decision& d = decisions[i];
    if (options_.on_tick) options_.on_tick(now, d);
    states_[i] = d.next;
    if (last_[i] && SameOutcome(*last_[i], d)) continue;
    last_[i] = d;
    SimulationEvent e;
    e.t = now;
    e.service = d.service;
    e.decision = std::move(d);
    events_.push_back(std::move(e));
  }
}

// The tick after `now`: the next multiple of `step`, or the next row's time when sooner; none
// once past `end`. Written so that no sum exceeds `end` (a huge --step cannot overflow).
std::optional<Time> NextTick(Time now, Time step, Time end, std::optional<Time> next_row) {
  const Time to_step = step - now % step;
  std::optional<Time> next;
  if (to_step <= end - now) next = now + to_step;
  if (next_row && (!next || *next_row < *next)) next = next_row;
  return next;
}

tl::unexpected<Error> TooLong(Time span, Time step) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "trace spans " + std::to_string(span.count()) + " ms: at a step of " +
                       std::to_string(step.count()) + " ms that is more than " +
                       std::to_string(kMaxSimulationTicks) +
                       " ticks; replay it with a larger --step or in parts");
}

}  // namespace

Result<std::vector<SimulationEvent>> Simulate(const Engine& engine, std::string_view trace,
                                              const SimulationOptions& options) {
  auto rows = ParseTrace(trace, engine.layout());
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::vector<SimulationEvent>{};
  Time step = options.step > Time(0) ? options.step : engine.policy().agent.tick;
  if (step <= Time(0)) step = Time(1000);
  const Time span = rows->back().t - rows->front().t;
  if (span / step + static_cast<long long>(rows->size()) > kMaxSimulationTicks) {
    return TooLong(span, step);
  }
  Replay replay(engine, options);
  size_t i = 0;
  Time now = rows->front().t;
  while (true) {
    for (; i < rows->size() && (*rows)[i].t <= now; ++i) {
      auto applied = replay.Apply((*rows)[i]);
      if (!applied) return tl::unexpected(applied.error());
    }
    replay.Tick(now);
    const Time end = std::max(rows->back().t, replay.end().value_or(Time(0)));
    auto next = NextTick(now, step, end,
                         i < rows->size() ? std::optional<Time>((*rows)[i].t) : std::nullopt);
    if (!next) break;
    now = *next;
  }
  return replay.TakeEvents();
}

}  // namespace steer::policies
