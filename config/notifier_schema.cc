// Notification keys (see policy_schema.cc for the scheme).
#include "policy_schema.h"

namespace steer::config {
namespace {

#define F STEER_FIELD

// Where a notifier's credential belongs instead of a user:password@ in its url.
UrlRule NotifierUrlRule(const NotifierConfig& t) {
  switch (t.type) {
    case NotifierType::kSmtp:
      return {{"smtp", "smtps"}, "use username and password: env:NAME"};
    case NotifierType::kSlack:
      return {{"http", "https"}, "put the whole URL in url_secret: env:NAME"};
    default:
      return {{"http", "https"},
              "put the whole URL in url_secret: env:NAME, or send the credential in headers "
              "by reference (Authorization: env:NAME)"};
  }
}

}  // namespace

ObjectSpec<NotifierConfig> MakeNotifier() {
  ObjectSpec<NotifierConfig> s;
  s.info.name = "notification";
  s.info.discriminator = "type";
  s.Add(EnumKey<NotifierConfig, NotifierType>(Required(K("type", "Channel kind.", "", "slack")),
                                              {{"webhook", NotifierType::kWebhook},
                                               {"slack", NotifierType::kSlack},
                                               {"smtp", NotifierType::kSmtp}},
                                              F(NotifierConfig, t.type)));
  s.Add(UrlKey<NotifierConfig>(
      Url(K("url", "Webhook URL (http, https), or smtp://host:port / smtps://host:port.", "",
            "https://hooks.example.com/steer"),
          {"http", "https", "smtp", "smtps"}),
      F(NotifierConfig, t.url), NotifierUrlRule));
  s.Add(SecretKey<NotifierConfig>(
      For(K("url_secret", "A URL that embeds a token (Slack), by reference.", "",
            "env:SLACK_WEBHOOK_URL"),
          {"webhook", "slack"}),
      F(NotifierConfig, t.url_secret)));
  s.Add(StringMapKey<NotifierConfig>(
      For(K("headers", "Extra request headers.", "", "{X-Team: sre}"), {"webhook"}),
      F(NotifierConfig, t.headers)));
  s.Add(StringKey<NotifierConfig>(
      For(K("from", "Sender address.", "", "steer@example.com"), {"smtp"}),
      F(NotifierConfig, t.from)));
  s.Add(StringListKey<NotifierConfig>(
      For(K("to", "Recipients.", "", "[oncall@example.com]"), {"smtp"}), F(NotifierConfig, t.to)));
  s.Add(StringKey<NotifierConfig>(For(K("username", "SMTP user.", "", "steer"), {"smtp"}),
                                  F(NotifierConfig, t.username)));
  s.Add(SecretKey<NotifierConfig>(
      For(K("password", "SMTP password, by reference.", "", "env:SMTP_PASSWORD"), {"smtp"}),
      F(NotifierConfig, t.password)));
  s.Add(StringListKey<NotifierConfig>(
      K("events",
        "Which events: decision, operation, dns_change, leadership (etcd mode: this agent "
        "became or stopped being the leader, or froze).",
        "[decision, operation, dns_change, leadership]", "[decision]"),
      F(NotifierConfig, t.events)));
  s.Add(IntKey<NotifierConfig>(
      Range(K("max_attempts", "Delivery tries, with backoff.", "5", "3"), 1, 50),
      F(NotifierConfig, t.max_attempts)));
  return s;
}

}  // namespace steer::config
