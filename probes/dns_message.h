#pragma once

// Parsing a raw DNS response into DnsResponse (header flags, rcode, answer section rendered in
// presentation form). Thread-safe (pure functions).

#include <cstddef>

#include "steer/probes/dns_query.h"

namespace steer::probes {

Result<DnsResponse> ParseDnsResponse(const unsigned char* msg, size_t len);

}  // namespace steer::probes
