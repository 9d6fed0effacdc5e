#include "auth_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "auth_transfer.h"
#include "steer/base/inherited_sockets.h"
#include "steer/base/log.h"

namespace steer::dns::auth {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using boost::system::error_code;
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr size_t kMaxMessage = 65535;
constexpr unsigned kUdpBatch = 64;  // datagrams answered per wake-up before TCP gets a turn

// Spawned daemons (tests) must not inherit the server's sockets.
void CloseOnExec(int fd) { fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC); }

Peer PeerOf(const net::ip::address& address, uint16_t port) {
  Peer peer;
  if (address.is_v4()) {
    auto v4 = address.to_v4().to_bytes();
    peer.address[10] = peer.address[11] = 0xff;
    std::copy(v4.begin(), v4.end(), peer.address.begin() + 12);
  } else {
    peer.address = address.to_v6().to_bytes();
  }
  peer.text = address.to_string() + ":" + std::to_string(port);
  return peer;
}

uint64_t UnixNow() { return static_cast<uint64_t>(std::time(nullptr)); }

struct Shared {
  std::shared_ptr<const ZoneStore> store;
  AuthServerOptions options;
  size_t tcp_open = 0;  // touched only on the io thread
};

// One TCP client: length-prefixed queries answered in order until idle or closed.
class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(tcp::socket socket, Shared& shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(shared) {
    ++shared_.tcp_open;
    error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) peer_ = PeerOf(remote.address(), remote.port());
  }
  ~TcpConnection() { --shared_.tcp_open; }

  void ReadLength() {
    timer_.expires_after(shared_.options.tcp_idle_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec != net::error::operation_aborted) self->Close();
    });
    net::async_read(
        socket_, net::buffer(length_), [self = shared_from_this()](error_code ec, size_t) {
          if (ec) return self->Close();
          self->in_.resize(static_cast<size_t>(self->length_[0]) << 8 | self->length_[1]);
          self->ReadQuery();
        });
  }

 private:
  void ReadQuery() {
    net::async_read(socket_, net::buffer(in_), [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->Close();
      self->Answer();
    });
  }

  void Answer() {
    bool handed_over = false;
    RespondOptions options{true, shared_.options.max_udp_size, &handed_over};
    auto zones = shared_.store->Load();
    size_t n = Respond(*zones, in_.data(), in_.size(), out_.data() + 2, kMaxMessage, options);
    if (handed_over) return AnswerSlow(*zones, options);
    if (n == 0) return Close();  // not a query: nothing sensible left to say on this stream
    out_[0] = static_cast<uint8_t>(n >> 8);
    out_[1] = static_cast<uint8_t>(n);
    Write(net::buffer(out_.data(), n + 2));
  }

  // Zone transfers and signed queries (auth_transfer.h): one or more messages.
  void AnswerSlow(const ZoneSet& zones, const RespondOptions& options) {
    auto msgs = RespondSlow(zones, in_.data(), in_.size(), peer_, options, UnixNow());
    if (msgs.empty()) return Close();
    stream_.clear();
    for (const auto& m : msgs) {
      stream_.push_back(static_cast<uint8_t>(m.size() >> 8));
      stream_.push_back(static_cast<uint8_t>(m.size()));
      stream_.insert(stream_.end(), m.begin(), m.end());
    }
    Write(net::buffer(stream_));
  }

  void Write(net::const_buffer buffer) {
    net::async_write(socket_, buffer, [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->Close();
      self->ReadLength();
    });
  }

  void Close() {
    error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  Shared& shared_;
  std::array<uint8_t, 2> length_{};
  std::vector<uint8_t> in_;
  std::array<uint8_t, kMaxMessage + 2> out_{};
  std::vector<uint8_t> stream_;  // the messages of a slow-path answer, length-prefixed
  Peer peer_;
};

// A batch of datagrams in and of replies out (recvmmsg / sendmmsg). The slots are not zeroed:
// pages a burst never reaches are never touched.
struct UdpListener {
  UdpListener(net::io_context& ioc, uint16_t max_udp_size)
      : socket(ioc),
        out_size(std::max<size_t>(512, max_udp_size)),
        in(new uint8_t[kUdpBatch * kMaxMessage]),
        out(new uint8_t[kUdpBatch * out_size]) {}
  udp::socket socket;
  size_t out_size;  // a UDP reply never exceeds our EDNS payload size (nor 512 without EDNS)
  std::unique_ptr<uint8_t[]> in, out;
  std::array<mmsghdr, kUdpBatch> rx{}, tx{};
  std::array<iovec, kUdpBatch> rx_iov{}, tx_iov{};
  std::array<sockaddr_storage, kUdpBatch> peers{};
};

class AsioAuthServer final : public AuthServer {
 public:
  AsioAuthServer(const AuthServerOptions& options, std::shared_ptr<const ZoneStore> store)
      : shared_{std::move(store), options},
        threads_(options.udp_threads > 0 ? options.udp_threads
                                         : std::max(1u, std::thread::hardware_concurrency())) {}
  ~AsioAuthServer() override {
    uint64_t one = 1;
    if (!workers_.empty() && write(stop_fd_, &one, sizeof one) < 0)
      base::Logger("dns")->error("cannot stop UDP threads");
    for (auto& t : workers_) t.join();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
    if (stop_fd_ >= 0) close(stop_fd_);
  }

  Result<void> Bind() {
    if (stop_fd_ < 0) threads_ = 1;  // no eventfd to stop workers with: the Asio thread alone
    for (const auto& address : shared_.options.listen) {
      if (auto ok = BindOne(address); !ok) return ok;
    }
    return {};
  }

  void Run() {
    for (auto& u : udp_) ReceiveUdp(*u);
    for (auto& a : tcp_) Accept(*a);
    thread_ = std::thread([this] { ioc_.run(); });
    for (auto& u : worker_udp_) workers_.emplace_back([this, &u] { RunWorker(*u); });
  }

  std::vector<uint16_t> Ports() const override {
    std::vector<uint16_t> out;
    for (const auto& a : tcp_) out.push_back(a->local_endpoint().port());
    return out;
  }

 private:
  Result<void> BindOne(const ListenAddress& address) {
    error_code ec;
    auto ip = net::ip::make_address(address.host, ec);
    if (ec)
      return MakeError(ErrorCode::kInvalidArgument, "listen: bad address '" + address.host + "'");
    auto acceptor = std::make_unique<tcp::acceptor>(ioc_);
    auto listener = std::make_unique<UdpListener>(ioc_, shared_.options.max_udp_size);
    tcp::endpoint tep(ip, address.port);
    // Sockets passed by socket activation (steerd-dns.socket) for this address are served as
    // they are: they outlive the process, so a restart drops no query.
    int tcp_fd = base::TakeInheritedSocket(SOCK_STREAM, address.host, address.port);
    int udp_fd = base::TakeInheritedSocket(SOCK_DGRAM, address.host, address.port);
    if (tcp_fd >= 0) {
      acceptor->assign(tep.protocol(), tcp_fd, ec);
    } else {
      acceptor->open(tep.protocol(), ec);
      if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) acceptor->bind(tep, ec);
      if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    }
    // UDP on the port TCP got (the same one unless 0 was asked for).
    udp::endpoint uep(ip, ec ? 0 : acceptor->local_endpoint().port());
    if (udp_fd >= 0) {
      if (!ec) listener->socket.assign(uep.protocol(), udp_fd, ec);
    } else {
      if (!ec) listener->socket.open(uep.protocol(), ec);
      if (!ec && threads_ > 1) listener->socket.set_option(reuse_port(true), ec);
      if (!ec) listener->socket.bind(uep, ec);
    }
    if (!ec) uep = listener->socket.local_endpoint(ec);
    for (unsigned i = 1; i < threads_ && !ec; ++i)
      AddUdpWorker(listener->socket, uep, udp_fd >= 0, ec);
    if (!ec) listener->socket.non_blocking(true, ec);
    if (tcp_fd >= 0 || udp_fd >= 0) {
      base::Logger("dns")->info("embedded DNS server: serving the passed {}{}{}",
                                tcp_fd >= 0 ? "tcp" : "", tcp_fd >= 0 && udp_fd >= 0 ? "+" : "",
                                udp_fd >= 0 ? "udp" : "");
    }
    std::string where = address.host + ":" + std::to_string(address.port);
    if (ec) {
      if (tcp_fd >= 0 && !acceptor->is_open()) ::close(tcp_fd);
      if (udp_fd >= 0 && !listener->socket.is_open()) ::close(udp_fd);
      return MakeError(ErrorCode::kUnavailable,
                       "embedded DNS server cannot listen on " + where + ": " + ec.message());
    }
    CloseOnExec(acceptor->native_handle());
    CloseOnExec(listener->socket.native_handle());
    tcp_.push_back(std::move(acceptor));
    udp_.push_back(std::move(listener));
    return {};
  }

  // One more UDP socket for a thread of its own: bound to the same address with SO_REUSEPORT
  // (the kernel spreads clients over the sockets), or the passed socket itself when it was
  // inherited (the threads then take turns on its queue).
  void AddUdpWorker(udp::socket& first, const udp::endpoint& at, bool inherited, error_code& ec) {
    auto u = std::make_unique<UdpListener>(ioc_, shared_.options.max_udp_size);
    if (inherited) {
      int fd = dup(first.native_handle());
      if (fd < 0) return;  // out of descriptors: fewer threads serve this address
      u->socket.assign(at.protocol(), fd, ec);
    } else {
      u->socket.open(at.protocol(), ec);
      if (!ec) u->socket.set_option(reuse_port(true), ec);
      if (!ec) u->socket.bind(at, ec);
    }
    if (!ec) u->socket.non_blocking(true, ec);
    if (ec) return;
    CloseOnExec(u->socket.native_handle());
    worker_udp_.push_back(std::move(u));
  }

  // A UDP thread besides the Asio one: waits for datagrams or for the server to stop.
  void RunWorker(UdpListener& u) {
    pollfd p[2] = {{u.socket.native_handle(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    while (true) {
      if (poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (p[1].revents != 0) return;
      if (p[0].revents != 0) DrainUdp(u);
    }
  }

  // Waits for readiness only, then takes what has arrived (up to a batch, so TCP is not
  // starved) with one recvmmsg and sends the replies with one sendmmsg: two system calls per
  // burst instead of two per datagram.
  void ReceiveUdp(UdpListener& u) {
    u.socket.async_wait(udp::socket::wait_read, [this, &u](error_code ec) {
      if (ec == net::error::operation_aborted) return;
      DrainUdp(u);
      ReceiveUdp(u);
    });
  }

  void DrainUdp(UdpListener& u) {
    for (unsigned i = 0; i < kUdpBatch; ++i) {
      u.rx_iov[i] = {u.in.get() + i * kMaxMessage, kMaxMessage};
      u.rx[i].msg_hdr =
          msghdr{&u.peers[i], sizeof(sockaddr_storage), &u.rx_iov[i], 1, nullptr, 0, 0};
    }
    int fd = u.socket.native_handle();
    int n = recvmmsg(fd, u.rx.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    auto zones = shared_.store->Load();  // every query of the batch arrived before this
    unsigned replies = 0;
    for (unsigned i = 0; i < static_cast<unsigned>(n); ++i) {
      uint8_t* out = u.out.get() + replies * u.out_size;
      size_t len = AnswerUdp(u, *zones, i, out);
      if (len == 0) continue;
      u.tx_iov[replies] = {out, len};
      u.tx[replies].msg_hdr =
          msghdr{&u.peers[i], u.rx[i].msg_hdr.msg_namelen, &u.tx_iov[replies], 1, nullptr, 0, 0};
      ++replies;
    }
    // A reply the kernel refuses (full send buffer) is dropped, as a lost packet would be.
    for (unsigned sent = 0; sent < replies;) {
      int k = sendmmsg(fd, u.tx.data() + sent, replies - sent, MSG_DONTWAIT);
      sent += k > 0 ? static_cast<unsigned>(k) : 1;
    }
  }

  // The reply to datagram `i` of the batch in `out`, or 0 when there is none to batch (no
  // reply, or a signed query answered here by RespondSlow).
  size_t AnswerUdp(UdpListener& u, const ZoneSet& zones, unsigned i, uint8_t* out) {
    const uint8_t* in = u.in.get() + i * kMaxMessage;
    bool handed_over = false;
    RespondOptions options{false, shared_.options.max_udp_size, &handed_over};
    size_t len = Respond(zones, in, u.rx[i].msg_len, out, u.out_size, options);
    if (!handed_over) return len;
    udp::endpoint peer;
    std::memcpy(peer.data(), &u.peers[i], u.rx[i].msg_hdr.msg_namelen);
    peer.resize(u.rx[i].msg_hdr.msg_namelen);
    auto msgs = RespondSlow(zones, in, u.rx[i].msg_len, PeerOf(peer.address(), peer.port()),
                            options, UnixNow());
    error_code send_ec;  // a full send buffer drops the reply, as a lost packet would
    if (!msgs.empty()) u.socket.send_to(net::buffer(msgs[0]), peer, 0, send_ec);
    return 0;
  }

  void Accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec && shared_.tcp_open < shared_.options.max_tcp_connections) {
        CloseOnExec(socket.native_handle());
        std::make_shared<TcpConnection>(std::move(socket), shared_)->ReadLength();
      }
      Accept(acceptor);
    });
  }

  Shared shared_;  // before ioc_: connections (destroyed with ioc_) refer to it
  net::io_context ioc_{1};
  std::vector<std::unique_ptr<tcp::acceptor>> tcp_;
  std::vector<std::unique_ptr<UdpListener>> udp_;         // served by the Asio thread
  std::vector<std::unique_ptr<UdpListener>> worker_udp_;  // one thread each
  unsigned threads_;                                      // UDP threads per listen address
  int stop_fd_ = eventfd(0, EFD_CLOEXEC);                 // written once: the workers return
  std::thread thread_;
  std::vector<std::thread> workers_;
};

}  // namespace

Result<std::unique_ptr<AuthServer>> AuthServer::Start(const AuthServerOptions& options,
                                                      std::shared_ptr<const ZoneStore> store) {
  if (options.listen.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "embedded DNS server: no listen address");
  }
  auto server = std::make_unique<AsioAuthServer>(options, std::move(store));
  if (auto ok = server->Bind(); !ok) return tl::unexpected(ok.error());
  server->Run();
  return std::unique_ptr<AuthServer>(std::move(server));
}

}  // namespace steer::dns::auth
