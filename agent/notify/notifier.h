#pragma once

// Telling people: every decision, DNS change and operator operation becomes a Notification,
// sent to each configured Notifier (webhook, Slack, e-mail). A Notifier makes one attempt per
// Send(); retries, backoff and the background thread belong to the Dispatcher, so the decision
// loop never waits on a slow receiver.
//
// Thread-safety: Send() may be called from one thread at a time (the dispatcher's worker).
// Implementations never log or return their secrets (URLs with tokens, passwords).

#include <chrono>
#include <map>
#include <string>

#include "steer/base/error.h"

namespace steer::agent::notify {

struct Notification {
  std::string event;    // "decision" | "dns_change" | "operation" (matches NotifierConfig.events)
  std::string service;  // "" when not about one service
  std::string summary;  // one line, e.g. "login: failover a -> b"
  std::map<std::string, std::string> fields;  // who, why, from, to, rule ...
  std::chrono::system_clock::time_point when{};
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // The configured name, for logs and metrics.
  virtual const std::string& name() const = 0;
  // One attempt. Errors are retryable unless their code is kInvalidArgument/kPermissionDenied.
  virtual Result<void> Send(const Notification& n) = 0;
};

// "2026-11-28T02:40:00Z"
std::string FormatUtc(std::chrono::system_clock::time_point t);

// Plain-text rendering shared by Slack and e-mail: the summary, then "key: value" lines.
std::string RenderText(const Notification& n);

}  // namespace steer::agent::notify
