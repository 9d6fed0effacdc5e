// Cross-field rules of the `status` section.
#include "text_checks.h"
#include "validate.h"

namespace steer::config {
namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMaxRetentionDays = 3650;
constexpr int64_t kMaxResolveAfterMs = 7 * kDayMs;

template <typename Known>
void CheckNames(Reader& r, const std::vector<std::string>& names, const std::string& key,
                const std::string& section, Known known) {
  for (size_t i = 0; i < names.size(); ++i) {
    std::string item = "status." + key + "[" + std::to_string(i) + "]";
    if (!known(names[i])) {
      r.ErrorAtPath(item, "unknown " + key.substr(0, key.size() - 1) + " '" + names[i] +
                              "' (not a key of " + section + ")");
    }
    for (size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) r.ErrorAtPath(item, "'" + names[i] + "' is listed twice");
    }
  }
}

}  // namespace

void ValidateStatus(Reader& r, const Policy& p) {
  const StatusConfig& s = p.status;
  CheckNames(r, s.services, "services", "services",
             [&](const std::string& n) { return p.FindService(n) != nullptr; });
  CheckNames(r, s.regions, "regions", "regions",
             [&](const std::string& n) { return p.FindRegion(n) != nullptr; });
  const int64_t ms = s.retention.count();
  if (r.Has("status.retention") && !r.HasErrorAt("status.retention") &&
      (ms % kDayMs != 0 || ms > kMaxRetentionDays * kDayMs)) {
    r.ErrorAtPath("status.retention", "must be a whole number of days, 1d to 3650d (e.g. 90d)");
  }
  const int64_t resolve_ms = s.resolve_after.count();
  if (r.Has("status.resolve_after") && !r.HasErrorAt("status.resolve_after") &&
      (resolve_ms % 1000 != 0 || resolve_ms > kMaxResolveAfterMs)) {
    r.ErrorAtPath("status.resolve_after", "must be whole seconds, 10s to 7d (e.g. 5m)");
  }
  if (!s.export_dir.empty() && s.export_dir[0] != '/') {
    r.ErrorAtPath("status.export_dir", "must be an absolute path");
  }
  // Port 0 takes a free port (steerd prints the address): for tests and demos.
  const bool port_zero = s.listen.size() > 2 && s.listen.compare(s.listen.size() - 2, 2, ":0") == 0;
  const std::string checked = port_zero ? s.listen.substr(0, s.listen.size() - 1) + "1" : s.listen;
  if (!s.listen.empty() && !IsHostPort(checked)) {
    r.ErrorAtPath("status.listen", "expected host:port, e.g. 0.0.0.0:8080");
  }
  if (!s.listen.empty() && s.listen == p.agent.listen) {
    r.ErrorAtPath("status.listen", "the public listener must not share agent.listen (" +
                                       p.agent.listen + "): the operator API is never public");
  }
  if (s.title.empty() && r.Has("status.title")) r.ErrorAtPath("status.title", "must not be empty");
}

}  // namespace steer::config
