#include "runnable.h"

#include "steer/dns/factory.h"
#include "steer/dns/service_plan.h"
#include "steer/policies/engine.h"

namespace steer::agent {
namespace {

config::Diagnostic At(const config::Location& where, const std::string& path,
                      const std::string& message) {
  return {where, path, message};
}

void CheckProviders(const config::Policy& policy, config::Diagnostics& out) {
  dns::ProviderRegistry registry = dns::AllProviders();
  for (const auto& p : policy.providers) {
    if (registry.count(p.type) == 0) {
      out.push_back(At(p.location, "providers." + p.name + ".type",
                       "provider kind '" + config::ProviderTypeName(p.type) +
                           "' is not built into this binary"));
    }
  }
}

void CheckServices(const config::Policy& policy, config::Diagnostics& out) {
  for (const auto& s : policy.services) {
    std::string path = "services." + s.name;
    for (const std::string& name : s.ProviderNames()) {
      const config::ProviderConfig* p = policy.FindProvider(name);
      if (p == nullptr) {
        out.push_back(At(s.location, path + ".provider", "no provider '" + name + "'"));
      } else if (auto source = dns::FindNameServerSource(s, *p); !source) {
        out.push_back(At(s.location, path + ".nameservers", source.error().message));
      }
    }
    // With local coordination this agent is the only vantage point: a fixed quorum above 1
    // could never be met, every region would stay unknown and nothing would ever fail over.
    if (policy.coordination.mode == config::CoordinationMode::kLocal && s.quorum.count > 1) {
      out.push_back(At(s.location, path + ".quorum",
                       "quorum " + std::to_string(s.quorum.count) +
                           " needs that many vantage points, but coordination mode local has "
                           "one (this agent); use quorum: majority or 1"));
    }
  }
}

}  // namespace

config::Diagnostics CheckRunnable(const config::Policy& policy) {
  config::Diagnostics out;
  config::Location file{policy.source, 0, 0};
  if (auto engine = policies::Engine::Create(policy); !engine) {
    out.push_back(At(file, "", engine.error().message));
  }
  CheckProviders(policy, out);
  CheckServices(policy, out);
  return out;
}

tl::expected<config::Policy, config::Diagnostics> LoadRunnablePolicy(const std::string& path) {
  auto policy = config::LoadPolicyFile(path);
  if (!policy) return policy;
  config::Diagnostics problems = CheckRunnable(*policy);
  if (!problems.empty()) return tl::unexpected(std::move(problems));
  return policy;
}

}  // namespace steer::agent
