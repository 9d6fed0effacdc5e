#include "testing/fixtures.h"

#include <algorithm>

namespace steer::policies::testing {

config::Policy ThreeRegions() {
  config::Policy p;
  p.agent.tick = Time(100);
  for (const char* name : {"us-east", "eu-west", "ap-south"}) {
    config::RegionConfig r;
    r.name = name;
    for (const char* comp : {"api", "auth", "metrics"}) {
      config::ComponentConfig c;
      c.name = comp;
      c.critical = std::string(comp) != "metrics";
      config::ProbeConfig probe;
      probe.name = std::string(comp) + "-check";
      probe.interval = Time(1000);
      probe.healthy_threshold = 2;
      probe.unhealthy_threshold = 3;
      c.probes.push_back(probe);
      r.components.push_back(c);
    }
    p.regions.push_back(r);
  }
  config::ServiceConfig s;
  s.name = "web";
  s.dns_name = "www.example.test.";
  s.regions = {{"us-east", {"192.0.2.1"}}, {"eu-west", {"192.0.2.2"}}, {"ap-south", {"192.0.2.3"}}};
  s.hold_down = Time(0);
  s.min_change_interval = Time(60000);
  s.block_after_failover = Time(600000);
  s.failback_after = Time(300000);
  p.services.push_back(s);
  return p;
}

TraceBuilder& TraceBuilder::Probe(const std::vector<std::string>& vantages,
                                  const std::string& region, const std::string& component, bool ok,
                                  long from_ms, long to_ms, const std::string& error,
                                  long every_ms) {
  for (long t = from_ms; t < to_ms; t += every_ms) {
    for (const auto& v : vantages) {
      rows_.push_back({t, std::to_string(t) + "," + v + "," + region + "," + component + "," +
                              (ok ? "1" : "0") + "," + error});
    }
  }
  return *this;
}

TraceBuilder& TraceBuilder::AllHealthy(const std::vector<std::string>& vantages, long from_ms,
                                       long to_ms) {
  for (const char* region : {"us-east", "eu-west", "ap-south"}) {
    for (const char* comp : {"api", "auth", "metrics"}) {
      Probe(vantages, region, comp, true, from_ms, to_ms);
    }
  }
  return *this;
}

TraceBuilder& TraceBuilder::Operator(long t_ms, const std::string& command,
                                     const std::string& region, const std::string& args) {
  rows_.push_back(
      {t_ms, std::to_string(t_ms) + ",@operator," + region + "," + command + "," + args});
  return *this;
}

std::string TraceBuilder::Build() const {
  auto rows = rows_;
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  std::string out = "t_ms,vantage,region,component,ok,error\n";
  for (const auto& r : rows) out += r.text + "\n";
  return out;
}

std::vector<std::string> Outline(const std::vector<SimulationEvent>& events,
                                 const std::string& service) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    const std::string t = std::to_string(e.t.count()) + " ";
    if (e.is_request) {
      out.push_back(t + e.command + " " +
                    (e.check.allowed
                         ? std::string("allowed")
                         : std::string("refused(") +
                               (e.check.refused_by ? RuleName(*e.check.refused_by) : "-") + ")"));
    } else if (e.service == service) {
      out.push_back(t + ActionName(e.decision.action) + " " + e.decision.from + "->" +
                    e.decision.to + " " + e.decision.cause);
    }
  }
  return out;
}

}  // namespace steer::policies::testing
