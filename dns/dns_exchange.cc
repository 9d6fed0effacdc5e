#include "dns_exchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace steer::dns::internal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::pair<sockaddr_storage, socklen_t>> Address(const NameServer& server) {
  sockaddr_storage addr{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, server.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(server.port);
    return std::make_pair(addr, static_cast<socklen_t>(sizeof(sockaddr_in)));
  }
  if (inet_pton(AF_INET6, server.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(server.port);
    return std::make_pair(addr, static_cast<socklen_t>(sizeof(sockaddr_in6)));
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "name server '" + server.host + "' is not an IP address");
}

// Waits for `events` on fd until the deadline; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the read/write report the error
  }
}

Error SocketError(const NameServer& server, const char* what, int err) {
  ErrorCode code = ErrorCode::kUnavailable;
  return Error(code, server.ToString() + ": " + what + ": " + std::strerror(err));
}

Error Timeout(const NameServer& server) {
  return Error(ErrorCode::kDeadlineExceeded, server.ToString() + ": no answer (timeout)");
}

bool ReadFull(int fd, uint8_t* buf, size_t n, Clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    if (!WaitFor(fd, POLLIN, deadline)) return false;
    ssize_t r = recv(fd, buf + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

Result<std::vector<uint8_t>> ExchangeTcp(const NameServer& server, const sockaddr_storage& addr,
                                         socklen_t len, const std::vector<uint8_t>& query,
                                         Clock::time_point deadline) {
  Fd fd(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return tl::unexpected(SocketError(server, "socket", errno));
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0 &&
      errno != EINPROGRESS) {
    return tl::unexpected(SocketError(server, "connect", errno));
  }
  if (!WaitFor(fd.get(), POLLOUT, deadline)) return tl::unexpected(Timeout(server));
  int err = 0;
  socklen_t err_len = sizeof(err);
  getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len);
  if (err != 0) return tl::unexpected(SocketError(server, "connect", err));
  std::vector<uint8_t> framed = {static_cast<uint8_t>(query.size() >> 8),
                                 static_cast<uint8_t>(query.size() & 0xff)};
  framed.insert(framed.end(), query.begin(), query.end());
  if (send(fd.get(), framed.data(), framed.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(framed.size())) {
    return tl::unexpected(SocketError(server, "send", errno));
  }
  uint8_t size[2];
  if (!ReadFull(fd.get(), size, 2, deadline)) return tl::unexpected(Timeout(server));
  std::vector<uint8_t> reply(static_cast<size_t>(size[0]) << 8 | size[1]);
  if (!ReadFull(fd.get(), reply.data(), reply.size(), deadline)) {
    return tl::unexpected(Timeout(server));
  }
  return reply;
}

}  // namespace

Result<std::vector<uint8_t>> Exchange(const NameServer& server, const std::vector<uint8_t>& query,
                                      milliseconds timeout) {
  auto addr = Address(server);
  if (!addr) return tl::unexpected(addr.error());
  Clock::time_point deadline = Clock::now() + timeout;
  Fd fd(socket(addr->first.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return tl::unexpected(SocketError(server, "socket", errno));
  // Connected, so an ICMP port-unreachable surfaces as ECONNREFUSED.
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr->first), addr->second) != 0) {
    return tl::unexpected(SocketError(server, "connect", errno));
  }
  if (send(fd.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
    return tl::unexpected(SocketError(server, "send", errno));
  }
  std::vector<uint8_t> reply(65535);
  while (true) {
    if (!WaitFor(fd.get(), POLLIN, deadline)) return tl::unexpected(Timeout(server));
    ssize_t n = recv(fd.get(), reply.data(), reply.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return tl::unexpected(SocketError(server, "receive", errno));
    }
    // A stray or late datagram with another id is ignored.
    if (n < 12 || reply[0] != query[0] || reply[1] != query[1]) continue;
    reply.resize(static_cast<size_t>(n));
    break;
  }
  if ((reply[2] & 0x02) != 0) {  // TC: the answer did not fit in UDP
    return ExchangeTcp(server, addr->first, addr->second, query, deadline);
  }
  return reply;
}

Result<std::vector<uint8_t>> ToWire(const ldns_pkt* pkt) {
  uint8_t* data = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&data, pkt, &size) != LDNS_STATUS_OK) {
    return MakeError(ErrorCode::kInternal, "cannot encode DNS message");
  }
  std::vector<uint8_t> out(data, data + size);
  free(data);
  return out;
}

Result<PktPtr> FromWire(const std::vector<uint8_t>& wire) {
  ldns_pkt* pkt = nullptr;
  ldns_status status = ldns_wire2pkt(&pkt, wire.data(), wire.size());
  if (status != LDNS_STATUS_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string("malformed DNS reply: ") + ldns_get_errorstr_by_id(status));
  }
  return PktPtr(pkt);
}

std::string RcodeName(int rcode) {
  ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
  if (entry != nullptr) return entry->name;
  return "RCODE" + std::to_string(rcode);
}

std::string RdataText(const ldns_rr* rr) {
  std::string out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    char* text = ldns_rdf2str(ldns_rr_rdf(rr, i));
    if (text == nullptr) continue;
    out += (i ? " " : "") + std::string(text);
    free(text);
  }
  return out;
}

std::optional<RRset> AnswerRRset(const ldns_pkt* pkt, const std::string& name,
                                 const std::string& type) {
  RRset want = RRset{name, type, 0, {}}.Normalized();
  ldns_rr_type rr_type = ldns_get_rr_type_by_name(want.type.c_str());
  RdfPtr owner(ldns_dname_new_frm_str(want.name.c_str()));
  ldns_rr_list* answer = ldns_pkt_answer(pkt);
  std::optional<RRset> out;
  for (size_t i = 0; answer != nullptr && i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) != rr_type || owner == nullptr ||
        ldns_dname_compare(ldns_rr_owner(rr), owner.get()) != 0) {
      continue;
    }
    if (!out) out = RRset{want.name, want.type, static_cast<int>(ldns_rr_ttl(rr)), {}};
    out->records.push_back(RdataText(rr));
  }
  if (out) *out = out->Normalized();
  return out;
}

Result<PktPtr> MakeQuery(const std::string& name, const std::string& type, bool recursion_desired) {
  RRset want = RRset{name, type, 0, {}}.Normalized();
  ldns_rr_type rr_type = ldns_get_rr_type_by_name(want.type.c_str());
  if (rr_type == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "unknown record type " + want.type);
  }
  ldns_rdf* owner = ldns_dname_new_frm_str(want.name.c_str());
  if (owner == nullptr) return MakeError(ErrorCode::kInvalidArgument, "bad name " + want.name);
  PktPtr pkt(ldns_pkt_query_new(owner, rr_type, LDNS_RR_CLASS_IN, 0));  // takes owner
  if (!pkt) return MakeError(ErrorCode::kInternal, "cannot build query");
  ldns_pkt_set_random_id(pkt.get());
  ldns_pkt_set_rd(pkt.get(), recursion_desired);
  return pkt;
}

}  // namespace steer::dns::internal
