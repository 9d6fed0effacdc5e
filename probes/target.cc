#include "steer/probes/target.h"

namespace steer::probes {

std::string Target::DisplayName() const {
  if (region.empty()) return probe.name;
  return region + "/" + component + "/" + probe.name;
}

std::vector<Target> TargetsFromRegions(const std::vector<config::RegionConfig>& regions) {
  std::vector<Target> out;
  uint64_t next_id = 1;
  for (const auto& region : regions) {
    for (const auto& component : region.components) {
      for (const auto& probe : component.probes) {
        out.push_back(Target{next_id++, region.name, component.name, probe});
      }
    }
  }
  return out;
}

}  // namespace steer::probes

namespace steer::probes {
namespace {

Result<Target> Invalid(const std::string& url, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "'" + url + "': " + why);
}

// dns://server[:port]/name[?type=T]
Result<Target> DnsTarget(const std::string& url, std::string_view rest, Target t) {
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
    return Invalid(url, "expected dns://server/name?type=A");
  }
  t.probe.type = config::ProbeType::kDns;
  t.probe.address = std::string(rest.substr(0, slash));
  std::string_view name = rest.substr(slash + 1);
  size_t query = name.find('?');
  if (query != std::string_view::npos) {
    std::string_view q = name.substr(query + 1);
    name = name.substr(0, query);
    if (q.rfind("type=", 0) != 0 || q.size() == 5) return Invalid(url, "expected ?type=TYPE");
    t.probe.query_type = std::string(q.substr(5));
  }
  t.probe.query_name = std::string(name);
  return t;
}

}  // namespace

Result<Target> TargetFromUrl(const std::string& url) {
  Target t;
  t.id = 1;
  t.probe.name = url;
  size_t sep = url.find("://");
  if (sep == std::string::npos) return Invalid(url, "missing scheme");
  std::string scheme = url.substr(0, sep);
  std::string_view rest = std::string_view(url).substr(sep + 3);
  if (rest.empty()) return Invalid(url, "missing host");
  if (scheme == "http" || scheme == "https") {
    t.probe.type = config::ProbeType::kHttp;
    t.probe.url = url;
    return t;
  }
  if (scheme == "dns") return DnsTarget(url, rest, std::move(t));
  if (scheme != "tcp" && scheme != "tls") return Invalid(url, "unknown scheme " + scheme);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return Invalid(url, "unexpected path");
  t.probe.type = scheme == "tcp" ? config::ProbeType::kTcp : config::ProbeType::kTls;
  t.probe.address = std::string(rest);
  return t;
}

}  // namespace steer::probes
