#pragma once

// Asking ONE DNS server one question, the way a probe or a propagation check needs it:
// recursion not desired (RD=0), no cache, no search list, no retry on another server, and the
// raw rcode and answer section handed back whatever they are. Built on c-ares.
// DnsClient is not thread-safe (it lives on one io_context's thread); QueryDnsServer() is.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/probes/observation.h"

namespace steer::probes {

struct DnsRecord {
  std::string name;  // owner name, no trailing dot
  std::string type;  // "A", "AAAA", "CNAME", ... or "TYPE<n>"
  uint32_t ttl = 0;
  std::string data;  // presentation form: "192.0.2.1", "10 mx.example.", "v=spf1 ..."
};

struct DnsResponse {
  int rcode = 0;
  bool truncated = false;
  bool authoritative = false;
  std::vector<DnsRecord> answers;
};

// error == kNone when a response arrived (whatever its rcode); otherwise kTimeout or kDns.
struct DnsResult {
  ErrorClass error = ErrorClass::kNone;
  std::string message;
  DnsResponse response;
  std::chrono::microseconds elapsed{0};
};

const char* RcodeName(int rcode);                           // "NOERROR", "SERVFAIL", ...
std::optional<int> RcodeFromName(const std::string& name);  // case-insensitive
std::optional<int> QueryTypeFromName(const std::string& name);

class DnsClient {
 public:
  using Callback = std::function<void(DnsResult)>;

  // `server` is host:port (port defaults to 53; the host must be an IP address).
  static Result<std::unique_ptr<DnsClient>> Create(boost::asio::io_context& io,
                                                   const std::string& server,
                                                   std::chrono::milliseconds timeout);
  virtual ~DnsClient() = default;

  // Sends one query; `done` runs once on the io_context's thread, never inside Query(). A
  // client destroyed with queries in flight drops their callbacks.
  virtual void Query(const std::string& name, int type, Callback done) = 0;
};

// One query on a private event loop; blocks for at most about `timeout`.
DnsResult QueryDnsServer(const std::string& server, const std::string& name, int type,
                         std::chrono::milliseconds timeout);

// Answer data normalised for comparison: lower case, no trailing dot.
std::string NormalizeDnsData(std::string data);

}  // namespace steer::probes
