#pragma once

// Real local servers for the probe fault tests, on 127.0.0.1 with a kernel-chosen port. Each
// runs one thread that accepts connections one at a time and hands each to a handler; the
// destructor stops the thread and closes every socket. Handlers should poll `stopping`.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace steer::probes::testing {

using ConnectionHandler = std::function<void(int fd, const std::atomic<bool>& stopping)>;

class TcpServer {
 public:
  explicit TcpServer(ConnectionHandler handler);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }

 private:
  void Loop();

  ConnectionHandler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Handlers for misbehaving servers.
ConnectionHandler RespondWith(std::string bytes);         // write, then close
ConnectionHandler NeverAnswer();                          // hold the connection silently
ConnectionHandler Trickle(std::string head, int gap_ms);  // head, then 1 byte per gap
ConnectionHandler HugeBody(size_t bytes);                 // 200 with a body of `bytes`
ConnectionHandler ResetMidResponse(std::string partial);  // partial response, then RST

// An HTTPS server answering every request with `response`, using cert/key PEM files.
ConnectionHandler TlsRespondWith(const std::string& cert_pem, const std::string& key_pem,
                                 std::string response);

// A port on 127.0.0.1 nothing listens on (connections are refused).
int ClosedPort();

// Number of open file descriptors of this process.
int OpenFdCount();

// "HTTP/1.1 <status> X\r\nContent-Length: ..\r\nConnection: close\r\n<extra>\r\n<body>"
std::string HttpResponseText(int status, const std::string& body, const std::string& extra = "");

}  // namespace steer::probes::testing
