#pragma once

// dig, the DNS client of BIND (Debian bind9-dnsutils), as tests ask a server on loopback.
// Thread-safety: a free function; each call runs its own dig process.

#include <cstdint>
#include <string>

namespace steer::testsupport {

// `dig @127.0.0.1 -p PORT +norec +time=TIME_S +tries=1 ARGS`: no recursion and one try, so a
// server that does not answer costs TIME_S seconds; what dig printed (stdout and stderr). With
// "+short NAME TYPE" as ARGS: the answer's record data, one per line.
std::string Dig(uint16_t port, const std::string& args, int time_s = 1);

}  // namespace steer::testsupport
