#include "notify/factory.h"

#include "notify/slack_notifier.h"
#include "notify/smtp_notifier.h"
#include "notify/webhook_notifier.h"

namespace steer::agent::notify {
namespace {

constexpr std::chrono::milliseconds kTimeout{10000};

Result<std::string> UrlOf(const config::NotifierConfig& c) {
  if (c.url_secret.empty()) {
    if (c.url.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "notifier '" + c.name + "': no url");
    }
    return c.url;
  }
  auto url = base::ResolveSecret(c.url_secret);
  if (!url) {
    return MakeError(url.error().code, "notifier '" + c.name + "': url_secret " +
                                           c.url_secret.ToString() + " cannot be read");
  }
  return *url;
}

Result<std::unique_ptr<Notifier>> Make(const config::NotifierConfig& c) {
  auto url = UrlOf(c);
  if (!url) return tl::unexpected(url.error());
  switch (c.type) {
    case config::NotifierType::kWebhook: {
      std::vector<std::pair<std::string, std::string>> headers(c.headers.begin(), c.headers.end());
      return std::make_unique<WebhookNotifier>(c.name, *url, std::move(headers), kTimeout);
    }
    case config::NotifierType::kSlack:
      return std::make_unique<SlackNotifier>(c.name, *url, kTimeout);
    case config::NotifierType::kSmtp: {
      SmtpSettings s{*url, c.from, c.to, c.username, "", kTimeout};
      if (!c.password.empty()) {
        auto pw = base::ResolveSecret(c.password);
        if (!pw) {
          return MakeError(pw.error().code, "notifier '" + c.name + "': password " +
                                                c.password.ToString() + " cannot be read");
        }
        s.password = *pw;
      }
      return std::make_unique<SmtpNotifier>(c.name, std::move(s));
    }
  }
  return MakeError(ErrorCode::kInvalidArgument, "notifier '" + c.name + "': unknown type");
}

}  // namespace

Result<std::vector<Route>> BuildRoutes(const std::vector<config::NotifierConfig>& configs) {
  std::vector<Route> routes;
  for (const auto& c : configs) {
    auto n = Make(c);
    if (!n) return tl::unexpected(n.error());
    routes.push_back(Route{std::move(*n), c.events, c.max_attempts});
  }
  return routes;
}

}  // namespace steer::agent::notify
