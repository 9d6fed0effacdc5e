#include "notify/smtp_notifier.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>

namespace steer::agent::notify {
namespace {

struct Payload {
  const std::string* text;
  size_t offset = 0;
};

size_t ReadPayload(char* buf, size_t size, size_t n, void* user) {
  auto* p = static_cast<Payload*>(user);
  size_t room = size * n;
  size_t left = p->text->size() - p->offset;
  size_t take = left < room ? left : room;
  std::memcpy(buf, p->text->data() + p->offset, take);
  p->offset += take;
  return take;
}

// Header values must not carry line breaks (header injection through a service name).
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

std::string ToCrlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

std::string BuildMessage(const SmtpSettings& s, const Notification& n) {
  std::string to;
  for (const auto& r : s.to) to += (to.empty() ? "" : ", ") + r;
  std::string msg;
  msg += "From: " + OneLine(s.from) + "\r\n";
  msg += "To: " + OneLine(to) + "\r\n";
  msg += "Subject: [steer] " + OneLine(n.summary) + "\r\n";
  msg += "Date: " + FormatUtc(n.when) + "\r\n";
  msg += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  msg += ToCrlf(RenderText(n));
  return msg;
}

Result<void> SmtpNotifier::Send(const Notification& n) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();
  curl_slist* rcpt = nullptr;
  for (const auto& r : settings_.to) rcpt = curl_slist_append(rcpt, r.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_guard(rcpt, curl_slist_free_all);
  std::string message = BuildMessage(settings_, n);
  Payload payload{&message};
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, settings_.from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadPayload);
  curl_easy_setopt(c, CURLOPT_READDATA, &payload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  if (!settings_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_LOGIN_DENIED) {
    return MakeError(ErrorCode::kPermissionDenied, "notifier '" + name_ + "': SMTP login denied");
  }
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     "notifier '" + name_ + "': SMTP failed: " + curl_easy_strerror(rc));
  }
  return {};
}

}  // namespace steer::agent::notify
