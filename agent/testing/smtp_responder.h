#pragma once

// Test support: a tiny SMTP server on 127.0.0.1, port 0, one connection at a time on its own
// thread. Enough of RFC 5321 for libcurl: EHLO, AUTH PLAIN (with or without initial
// response), MAIL, RCPT, DATA, QUIT. Records what it received.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace steer::agent::testing {

struct SmtpSession {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string auth;  // base64 of the AUTH PLAIN credentials; "" if none
  std::string data;
};

class SmtpResponder {
 public:
  explicit SmtpResponder(std::string accept_auth = "") : accept_auth_(std::move(accept_auth)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpResponder() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }

  int port() const { return port_; }
  std::vector<SmtpSession> sessions() {
    std::lock_guard lock(mu_);
    return sessions_;
  }

 private:
  static bool ReadLine(int fd, std::string* line) {
    line->clear();
    char c;
    while (read(fd, &c, 1) == 1) {
      if (c == '\n') return true;
      if (c != '\r') *line += c;
    }
    return false;
  }
  static void Say(int fd, const std::string& s) {
    std::string out = s + "\r\n";
    (void)!write(fd, out.data(), out.size());
  }

  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      SmtpSession s;
      Converse(c, &s);
      close(c);
    }
  }

  void Converse(int c, SmtpSession* s) {
    std::string line;
    Say(c, "220 localhost ESMTP test");
    while (ReadLine(c, &line)) {
      if (line.rfind("EHLO", 0) == 0) {
        Say(c, accept_auth_.empty() ? "250 localhost" : "250-localhost\r\n250 AUTH PLAIN");
      } else if (line.rfind("AUTH PLAIN", 0) == 0) {
        s->auth = line.size() > 11 ? line.substr(11) : "";
        if (s->auth.empty()) {
          Say(c, "334 ");
          ReadLine(c, &s->auth);
        }
        Say(c, s->auth == accept_auth_ ? "235 ok" : "535 denied");
      } else if (line.rfind("MAIL FROM:", 0) == 0) {
        s->mail_from = line.substr(10);
        Say(c, "250 ok");
      } else if (line.rfind("RCPT TO:", 0) == 0) {
        s->rcpt_to.push_back(line.substr(8));
        Say(c, "250 ok");
      } else if (line == "DATA") {
        Say(c, "354 go on");
        while (ReadLine(c, &line) && line != ".") s->data += line + "\n";
        Say(c, "250 queued");
      } else if (line == "QUIT") {
        {
          // Recorded before the reply, so the client has returned only after it is visible.
          std::lock_guard lock(mu_);
          sessions_.push_back(*s);
        }
        Say(c, "221 bye");
        return;
      } else {
        Say(c, "250 ok");
      }
    }
  }

  std::string accept_auth_;
  int fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<SmtpSession> sessions_;
  std::thread thread_;
};

}  // namespace steer::agent::testing
