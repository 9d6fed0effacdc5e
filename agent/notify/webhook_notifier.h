#pragma once

// Generic JSON webhook: POST {"event","service","summary","time","fields":{...}} to a URL,
// with configured extra headers. 2xx is success; 4xx other than 408/429 is permanent.

#include <string>
#include <utility>
#include <vector>

#include "notify/notifier.h"

namespace steer::agent::notify {

class WebhookNotifier : public Notifier {
 public:
  WebhookNotifier(std::string name, std::string url,
                  std::vector<std::pair<std::string, std::string>> headers,
                  std::chrono::milliseconds timeout)
      : name_(std::move(name)),
        url_(std::move(url)),
        headers_(std::move(headers)),
        timeout_(timeout) {}

  const std::string& name() const override { return name_; }
  Result<void> Send(const Notification& n) override;

 private:
  std::string name_;
  std::string url_;  // may embed a secret: never logged
  std::vector<std::pair<std::string, std::string>> headers_;
  std::chrono::milliseconds timeout_;
};

// Shared by the HTTP notifiers: POST `json` to `url`, map the status to a Result.
Result<void> PostJson(const std::string& notifier, const std::string& url,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& json, std::chrono::milliseconds timeout);

}  // namespace steer::agent::notify
