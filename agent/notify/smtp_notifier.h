#pragma once

// E-mail over SMTP with libcurl: one message per notification to every recipient.
// smtp:// upgrades with STARTTLS when the server offers it; smtps:// is TLS from the start.
// The password is held in memory only and never logged.

#include <string>
#include <utility>
#include <vector>

#include "notify/notifier.h"

namespace steer::agent::notify {

struct SmtpSettings {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string from;
  std::vector<std::string> to;
  std::string username;  // "" = no AUTH
  std::string password;
  std::chrono::milliseconds timeout{10000};
};

class SmtpNotifier : public Notifier {
 public:
  SmtpNotifier(std::string name, SmtpSettings settings)
      : name_(std::move(name)), settings_(std::move(settings)) {}

  const std::string& name() const override { return name_; }
  Result<void> Send(const Notification& n) override;

 private:
  std::string name_;
  SmtpSettings settings_;
};

// The RFC 5322 message, CRLF line endings, dot-stuffing left to libcurl.
std::string BuildMessage(const SmtpSettings& s, const Notification& n);

}  // namespace steer::agent::notify
