#include "testing/test_servers.h"

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <stdexcept>

namespace steer::probes::testing {
namespace {

int BindLoopback(int type, int* port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// Waits up to `ms` for `fd` to become readable; false on timeout or stop.
bool WaitReadable(int fd, int ms, const std::atomic<bool>& stopping) {
  for (int waited = 0; waited < ms && !stopping; waited += 20) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) return true;
  }
  return false;
}

void DrainRequest(int fd, const std::atomic<bool>& stopping) {
  char buf[4096];
  if (WaitReadable(fd, 2000, stopping)) (void)!recv(fd, buf, sizeof buf, MSG_DONTWAIT);
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

TcpServer::TcpServer(ConnectionHandler handler) : handler_(std::move(handler)) {
  // OpenSSL writes with write(2): a client that hung up must not kill the test with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  listen_fd_ = BindLoopback(SOCK_STREAM, &port_);
  listen(listen_fd_, 64);
  thread_ = std::thread([this] { Loop(); });
}

TcpServer::~TcpServer() {
  stopping_ = true;
  thread_.join();
  close(listen_fd_);
}

void TcpServer::Loop() {
  while (!stopping_) {
    pollfd p = {listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++accepted_;
    handler_(fd, stopping_);
    close(fd);
  }
}

std::string HttpResponseText(int status, const std::string& body, const std::string& extra) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra + "\r\n" + body;
}

ConnectionHandler RespondWith(std::string bytes) {
  return [bytes](int fd, const std::atomic<bool>& stopping) {
    DrainRequest(fd, stopping);
    SendAll(fd, bytes);
  };
}

ConnectionHandler NeverAnswer() {
  return [](int fd, const std::atomic<bool>& stopping) {
    char buf[4096];
    while (!stopping) {
      if (WaitReadable(fd, 100, stopping) && recv(fd, buf, sizeof buf, MSG_DONTWAIT) == 0) return;
    }
  };
}

ConnectionHandler Trickle(std::string head, int gap_ms) {
  return [head, gap_ms](int fd, const std::atomic<bool>& stopping) {
    DrainRequest(fd, stopping);
    SendAll(fd, head);
    for (int i = 0; i < 10000 && !stopping; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
      if (send(fd, "x", 1, MSG_NOSIGNAL) != 1) return;
    }
  };
}

ConnectionHandler HugeBody(size_t bytes) {
  return [bytes](int fd, const std::atomic<bool>& stopping) {
    DrainRequest(fd, stopping);
    SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n");
    std::string chunk(64 * 1024, 'a');
    for (size_t sent = 0; sent < bytes && !stopping; sent += chunk.size()) {
      if (send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) return;  // client hung up
    }
  };
}

ConnectionHandler ResetMidResponse(std::string partial) {
  return [partial](int fd, const std::atomic<bool>& stopping) {
    DrainRequest(fd, stopping);
    SendAll(fd, partial);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    linger l = {1, 0};  // close() now sends RST
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  };
}

ConnectionHandler TlsRespondWith(const std::string& cert_pem, const std::string& key_pem,
                                 std::string response) {
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (SSL_CTX_use_certificate_file(raw, cert_pem.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(raw, key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(raw);
    throw std::runtime_error("cannot load test certificate");
  }
  std::shared_ptr<SSL_CTX> ctx(raw, SSL_CTX_free);
  return [ctx, response](int fd, const std::atomic<bool>& stopping) {
    timeval tv = {2, 0};  // a client that stalls the handshake must not hang the server
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      char buf[4096];
      if (WaitReadable(fd, 2000, stopping) || SSL_pending(ssl) > 0) {
        (void)!SSL_read(ssl, buf, sizeof buf);
      }
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
  };
}

int ClosedPort() {
  int port = 0;
  int fd = BindLoopback(SOCK_STREAM, &port);
  close(fd);
  return port;
}

int OpenFdCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace steer::probes::testing
