#include "notify/slack_notifier.h"

#include <nlohmann/json.hpp>

#include "notify/webhook_notifier.h"
#include "steer/base/json_text.h"

namespace steer::agent::notify {

Result<void> SlackNotifier::Send(const Notification& n) {
  nlohmann::json body = {{"text", RenderText(n)}};
  return PostJson(name_, url_, {}, base::JsonText(body), timeout_);
}

}  // namespace steer::agent::notify
