#pragma once

// Slack-compatible incoming webhook: POST {"text": "..."}; the URL itself is the credential
// (url_secret) and is never logged.

#include <string>
#include <utility>

#include "notify/notifier.h"

namespace steer::agent::notify {

class SlackNotifier : public Notifier {
 public:
  SlackNotifier(std::string name, std::string url, std::chrono::milliseconds timeout)
      : name_(std::move(name)), url_(std::move(url)), timeout_(timeout) {}

  const std::string& name() const override { return name_; }
  Result<void> Send(const Notification& n) override;

 private:
  std::string name_;
  std::string url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace steer::agent::notify
