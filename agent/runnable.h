#pragma once

// Whether a policy can run in steerd: the one decision `steerctl validate`, steerd's start
// and steerd's reload share, so a policy that validates starts and one that steerd would
// refuse does not validate.
//
// CheckRunnable looks only at what the policy itself decides, without side effects or I/O:
//  - the coordination mode is implemented (etcd is not yet);
//  - the policy engine builds from it (layout, rules);
//  - every provider's kind is built into this binary (dns::AllProviders());
//  - every service's servers to verify can be found (dns::FindNameServerSource, the check
//    dns::AuthoritativeServers makes first when steerd builds the service);
//  - every service's quorum can be met by the vantage points the coordination mode has (one
//    with local coordination).
// Secrets stay references (nothing is read), nothing is asked over the network: a missing
// secret, an unreachable provider or a port in use are the environment's failures, reported
// when steerd starts.
//
// Thread-safety: pure functions (LoadRunnablePolicy reads the one file).

#include <string>

#include "steer/config/loader.h"
#include "steer/config/policy.h"

namespace steer::agent {

// Empty when the (already valid) policy can run; else one diagnostic per problem, located
// at the key it concerns.
config::Diagnostics CheckRunnable(const config::Policy& policy);

// config::LoadPolicyFile, then CheckRunnable: the policy, or the diagnostics of either.
tl::expected<config::Policy, config::Diagnostics> LoadRunnablePolicy(const std::string& path);

}  // namespace steer::agent
