#include "notify/webhook_notifier.h"

#include <nlohmann/json.hpp>

#include "steer/base/http_client.h"
#include "steer/base/json_text.h"

namespace steer::agent::notify {

Result<void> PostJson(const std::string& notifier, const std::string& url,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& json, std::chrono::milliseconds timeout) {
  base::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = headers;
  req.body = json;
  req.timeout = timeout;
  req.headers.emplace_back("Content-Type", "application/json");
  auto resp = base::SendHttp(req);
  if (!resp) {
    return MakeError(resp.error().code, "notifier '" + notifier + "': " + resp.error().message);
  }
  if (resp->status >= 200 && resp->status < 300) return {};
  bool permanent =
      resp->status >= 400 && resp->status < 500 && resp->status != 408 && resp->status != 429;
  return MakeError(permanent ? ErrorCode::kInvalidArgument : ErrorCode::kUnavailable,
                   "notifier '" + notifier + "': HTTP " + std::to_string(resp->status));
}

Result<void> WebhookNotifier::Send(const Notification& n) {
  nlohmann::json body = {{"event", n.event},
                         {"service", n.service},
                         {"summary", n.summary},
                         {"time", FormatUtc(n.when)},
                         {"fields", n.fields}};
  return PostJson(name_, url_, headers_, base::JsonText(body), timeout_);
}

}  // namespace steer::agent::notify
