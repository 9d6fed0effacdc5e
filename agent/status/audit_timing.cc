// The uptime report's figures from the audit log: failovers with their time to detect and to
// fail over, and the minutes each service answered from each region (uptime_report.h).
#include <algorithm>

#include "incident_book.h"
#include "uptime_report.h"

namespace steer::status {
namespace {

// "failover us-east -> eu-west (down)" -> action, from, to, cause; false for another shape.
bool ParseDecision(const std::string& what, std::string* action, std::string* from, std::string* to,
                   std::string* cause) {
  size_t sp = what.find(' ');
  size_t arrow = what.find(" -> ");
  size_t paren = what.rfind(" (");
  if (sp == std::string::npos || arrow == std::string::npos || paren == std::string::npos ||
      arrow < sp || paren < arrow || what.back() != ')') {
    return false;
  }
  *action = what.substr(0, sp);
  *from = what.substr(sp + 1, arrow - sp - 1);
  *to = what.substr(arrow + 4, paren - arrow - 4);
  *cause = what.substr(paren + 2, what.size() - paren - 3);
  return true;
}

// "...; us-east down since 2026-11-30T18:00:00.000Z" in a decision's why.
std::optional<int64_t> DownSince(const std::string& why, const std::string& region) {
  const std::string key = region + " down since ";
  size_t at = why.rfind(key);
  if (at == std::string::npos) return std::nullopt;
  std::string stamp = why.substr(at + key.size());
  stamp = stamp.substr(0, stamp.find_first_of(" ;)"));
  auto ms = ParseRfc3339(stamp);
  if (!ms) return std::nullopt;
  return *ms;
}

}  // namespace

Spread SpreadOf(std::vector<int64_t> values) {
  Spread s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.p50_ms = values[(values.size() - 1) / 2];
  s.max_ms = values.back();
  return s;
}

std::vector<FailoverTiming> Failovers(const std::vector<AuditFact>& log, const ReportRange& range) {
  std::vector<FailoverTiming> out;
  for (size_t i = 0; i < log.size(); ++i) {
    const AuditFact& e = log[i];
    std::string action, from, to, cause;
    if (e.kind != "decision" || e.at_ms < range.from_ms || e.at_ms >= range.to_ms ||
        !ParseDecision(e.what, &action, &from, &to, &cause) || action != "failover" ||
        cause != "down") {
      continue;
    }
    FailoverTiming f{e.at_ms, e.service, from, to, std::nullopt, std::nullopt};
    if (auto since = DownSince(e.why, from); since && *since <= e.at_ms) {
      f.detect_ms = e.at_ms - *since;
    }
    for (size_t k = i + 1; k < log.size(); ++k) {
      const AuditFact& n = log[k];
      if (n.service != e.service) continue;
      if (n.kind == "decision") break;  // a later decision superseded it before it was verified
      if (n.kind == "notice" && n.what.rfind("verified " + to + " ", 0) == 0) {
        f.verify_ms = n.at_ms - e.at_ms;
        break;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::map<std::string, std::map<std::string, int64_t>> ServedMinutes(
    const std::vector<AuditFact>& log, const ReportRange& range, int64_t now_ms) {
  struct Serving {
    std::string region;
    int64_t since_ms;
  };
  std::map<std::string, Serving> current;
  std::map<std::string, std::map<std::string, int64_t>> ms;
  const int64_t end = std::min(range.to_ms, now_ms);
  auto close = [&](const std::string& service, int64_t at) {
    auto it = current.find(service);
    if (it == current.end()) return;
    const int64_t from = std::max(it->second.since_ms, range.from_ms);
    const int64_t to = std::min(at, end);
    if (to > from) ms[service][it->second.region] += to - from;
  };
  for (const AuditFact& e : log) {
    std::string region, action, from, to, cause;
    if (e.kind == "decision" && ParseDecision(e.what, &action, &from, &to, &cause)) {
      region = to;
    } else if (e.kind == "notice" && e.what.rfind("adopted ", 0) == 0) {
      region = e.what.substr(8, e.what.find(':') - 8);
    }
    if (region.empty() || e.service.empty()) continue;
    close(e.service, e.at_ms);
    current[e.service] = {region, e.at_ms};
  }
  for (const auto& [service, s] : current) close(service, end);
  std::map<std::string, std::map<std::string, int64_t>> minutes;
  for (const auto& [service, regions] : ms) {
    for (const auto& [region, total] : regions) minutes[service][region] = total / kMinuteMs;
  }
  return minutes;
}

}  // namespace steer::status
