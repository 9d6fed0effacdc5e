// DnsClient on c-ares: the channel's sockets are watched with Asio stream_descriptors through
// ARES_OPT_SOCK_STATE_CB and c-ares' timeouts with one steady_timer (c-ares 1.18 has no
// ares_process_fds(), so ares_process_fd() is called per ready socket).

#include <ares.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <unordered_map>

#include "dns_message.h"
#include "host_port.h"
#include "steer/probes/dns_query.h"

namespace steer::probes {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

class AresClient final : public DnsClient {
 public:
  AresClient(asio::io_context& io, std::chrono::milliseconds timeout)
      : io_(io), timeout_(timeout), timer_(io) {}
  ~AresClient() override;

  Result<void> Init(const std::string& server);
  void Query(const std::string& name, int type, Callback done) override;

 private:
  struct Watch {
    Watch(asio::io_context& io, int fd) : desc(io, fd) {}
    asio::posix::stream_descriptor desc;
    bool want_read = false, want_write = false, read_armed = false, write_armed = false;
    bool gone = false;
  };
  struct Pending {
    AresClient* self;
    Callback done;
    std::chrono::steady_clock::time_point start;
  };

  static void OnSockState(void* data, ares_socket_t fd, int readable, int writable);
  static void OnAnswer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  void Arm(int fd, const std::shared_ptr<Watch>& w, bool read);
  void RearmTimer();

  asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  asio::steady_timer timer_;
  ares_channel channel_ = nullptr;
  std::unordered_map<int, std::shared_ptr<Watch>> watches_;
  bool destroying_ = false;
};

AresClient::~AresClient() {
  destroying_ = true;
  if (channel_ != nullptr) ares_destroy(channel_);  // calls OnAnswer(ARES_EDESTRUCTION)
  for (auto& [fd, w] : watches_) {
    w->gone = true;
    w->desc.release();
  }
}

Result<void> AresClient::Init(const std::string& server) {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  auto hp = ParseHostPort(server, 53);
  if (!hp) return tl::unexpected(hp.error());
  ares_options opts = {};
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
  opts.timeout = static_cast<int>(std::max<int64_t>(1, timeout_.count()));
  opts.tries = 1;
  opts.sock_state_cb = &AresClient::OnSockState;
  opts.sock_state_cb_data = this;
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
  if (int rc = ares_init_options(&channel_, &opts, mask); rc != ARES_SUCCESS) {
    return MakeError(ErrorCode::kInternal, std::string("ares_init: ") + ares_strerror(rc));
  }
  bool v6 = hp->host.find(':') != std::string::npos;
  std::string csv = (v6 ? "[" + hp->host + "]" : hp->host) + ":" + std::to_string(hp->port);
  if (int rc = ares_set_servers_ports_csv(channel_, csv.c_str()); rc != ARES_SUCCESS) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "DNS server '" + server + "' must be an IP address: " + ares_strerror(rc));
  }
  return {};
}

void AresClient::Query(const std::string& name, int type, Callback done) {
  unsigned char* buf = nullptr;
  int len = 0;
  int rc = ares_create_query(name.c_str(), 1 /*IN*/, type, 0, /*rd=*/0, &buf, &len, 0);
  if (rc != ARES_SUCCESS) {
    DnsResult r;
    r.error = ErrorClass::kInternal;
    r.message = std::string("bad query: ") + ares_strerror(rc);
    asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    return;
  }
  auto* pending = new Pending{this, std::move(done), std::chrono::steady_clock::now()};
  ares_send(channel_, buf, len, &AresClient::OnAnswer, pending);
  ares_free_string(buf);
  RearmTimer();
}

void AresClient::OnAnswer(void* arg, int status, int, unsigned char* abuf, int alen) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
  if (p->self->destroying_ || status == ARES_EDESTRUCTION) return;
  DnsResult r;
  r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - p->start);
  if (status == ARES_SUCCESS && abuf != nullptr) {
    auto parsed = ParseDnsResponse(abuf, static_cast<size_t>(alen));
    if (parsed) {
      r.response = std::move(*parsed);
    } else {
      r.error = ErrorClass::kDns;
      r.message = parsed.error().message;
    }
  } else {
    r.error = status == ARES_ETIMEOUT ? ErrorClass::kTimeout : ErrorClass::kDns;
    r.message = ares_strerror(status);
  }
  // c-ares may call this from inside ares_send(): never run the user's callback inline.
  asio::post(p->self->io_,
             [done = std::move(p->done), r = std::move(r)]() mutable { done(std::move(r)); });
}

void AresClient::OnSockState(void* data, ares_socket_t fd, int readable, int writable) {
  auto* self = static_cast<AresClient*>(data);
  auto it = self->watches_.find(fd);
  if (!readable && !writable) {
    if (it != self->watches_.end()) {
      it->second->gone = true;
      it->second->desc.release();  // c-ares owns and closes the fd
      self->watches_.erase(it);
    }
    return;
  }
  if (self->destroying_) return;
  if (it == self->watches_.end()) {
    it = self->watches_.emplace(fd, std::make_shared<Watch>(self->io_, fd)).first;
  }
  auto w = it->second;
  w->want_read = readable != 0;
  w->want_write = writable != 0;
  if (w->want_read && !w->read_armed) self->Arm(fd, w, true);
  if (w->want_write && !w->write_armed) self->Arm(fd, w, false);
}

void AresClient::Arm(int fd, const std::shared_ptr<Watch>& w, bool read) {
  (read ? w->read_armed : w->write_armed) = true;
  auto kind =
      read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write;
  w->desc.async_wait(kind, [this, fd, w, read](const error_code& ec) {
    (read ? w->read_armed : w->write_armed) = false;
    if (w->gone || ec == asio::error::operation_aborted) return;
    if (!(read ? w->want_read : w->want_write)) return;
    ares_process_fd(channel_, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
    if (!w->gone && (read ? w->want_read : w->want_write)) Arm(fd, w, read);
    RearmTimer();
  });
}

void AresClient::RearmTimer() {
  timeval tv = {};
  if (ares_timeout(channel_, nullptr, &tv) == nullptr) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  timer_.async_wait([this](const error_code& ec) {
    if (ec) return;
    ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    RearmTimer();
  });
}

}  // namespace

Result<std::unique_ptr<DnsClient>> DnsClient::Create(asio::io_context& io,
                                                     const std::string& server,
                                                     std::chrono::milliseconds timeout) {
  auto client = std::make_unique<AresClient>(io, timeout);
  if (auto ok = client->Init(server); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<DnsClient>(std::move(client));
}

DnsResult QueryDnsServer(const std::string& server, const std::string& name, int type,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  DnsResult out;
  auto client = DnsClient::Create(io, server, timeout);
  if (!client) {
    out.error = ErrorClass::kInternal;
    out.message = client.error().message;
    return out;
  }
  (*client)->Query(name, type, [&out](DnsResult r) { out = std::move(r); });
  io.run();
  return out;
}

}  // namespace steer::probes
