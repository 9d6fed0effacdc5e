#pragma once

// Sockets passed by socket activation to a process that serves several listeners: steerd's
// API (steerd.socket) and its embedded DNS server's UDP and TCP sockets (steerd-dns.socket),
// so that a restart refuses no connection and drops no query: while the process restarts,
// systemd holds the sockets and the kernel queues what arrives.
//
// AdoptInheritedSockets() takes every passed descriptor once at start (systemd's protocol,
// with the checks of InheritedListenSocket() in http_server.h). Each listener then claims its
// own by type and bound address before it would bind; the caller reports what nobody claimed.
//
// Thread-safety: every function may be called from any thread (one process-wide set, one
// mutex): the passed descriptors are a property of the process.

#include <cstdint>
#include <string>
#include <vector>

#include "steer/base/error.h"

namespace steer::base {

// Adopts the descriptors passed in LISTEN_FDS (unsetting LISTEN_PID/LISTEN_FDS; they become
// close-on-exec). Returns how many; 0 without socket activation. Errors as
// InheritedListenSocket(): LISTEN_FDS set but nothing for this process.
Result<size_t> AdoptInheritedSockets();

// Adds descriptors the process already holds to the set (what AdoptInheritedSockets does
// with the passed ones; tests pass their own sockets).
void AdoptSockets(const std::vector<int>& fds);

// The adopted socket of `type` (SOCK_STREAM: listening only; SOCK_DGRAM) bound to exactly
// host:port (an IP literal), removed from the set; -1 when there is none.
int TakeInheritedSocket(int type, const std::string& host, uint16_t port);

// Every adopted socket of `type` not claimed yet, removed from the set.
std::vector<int> TakeRemainingSockets(int type);

// "udp 127.0.0.1:53" / "tcp [::]:9053": how a socket is named in errors.
std::string DescribeSocket(int fd);

}  // namespace steer::base
