#include "http_prober.h"

#include <boost/asio/post.hpp>
#include <ctime>
#include <string_view>

#include "event_loop.h"

namespace steer::probes {

using std::chrono::microseconds;

ErrorClass ClassifyCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_OK:
      return ErrorClass::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ErrorClass::kDns;
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorClass::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return ErrorClass::kTls;
    case CURLE_TOO_MANY_REDIRECTS:  // a redirect loop is the server's HTTP answer
      return ErrorClass::kHttpStatus;
    case CURLE_URL_MALFORMAT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return ErrorClass::kInternal;
    default:  // refused, reset, nothing received, not HTTP (even HTTP/0.9): connection failed
      return ErrorClass::kConnect;
  }
}

Result<std::unique_ptr<Prober>> HttpProber::Create(const Target& target, EventLoop& loop) {
  auto checker = HttpChecker::Create(target.probe.expect);
  if (!checker) return tl::unexpected(checker.error());
  std::unique_ptr<HttpProber> p(new HttpProber(target, loop, std::move(*checker)));
  if (auto ok = p->Validate(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Prober>(std::move(p));
}

HttpProber::HttpProber(const Target& target, EventLoop& loop, HttpChecker checker)
    : loop_(loop), cfg_(target.probe), checker_(std::move(checker)) {}

HttpProber::~HttpProber() {
  loop_.ReleaseEasy(easy_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(connect_to_);
}

Result<void> HttpProber::Validate() {
  if (cfg_.url.rfind("http://", 0) != 0 && cfg_.url.rfind("https://", 0) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "url must start with http:// or https://");
  }
  for (const auto& [name, value] : cfg_.headers) {
    headers_ = curl_slist_append(headers_, (name + ": " + value).c_str());
  }
  if (!cfg_.connect_to.empty()) {
    // "::host:port": any URL host and port is dialled at host:port; SNI and Host stay.
    connect_to_ = curl_slist_append(nullptr, ("::" + cfg_.connect_to).c_str());
  }
  return {};
}

void HttpProber::Configure(CURL* easy) {
  long timeout_ms = static_cast<long>(std::max<int64_t>(1, cfg_.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_URL, cfg_.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpProber::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpProber::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "steer-probe/0.1");
  if (cfg_.method != "GET") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, cfg_.method.c_str());
  if (cfg_.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  if (!cfg_.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, cfg_.body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(cfg_.body.size()));
  }
  if (headers_ != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
  if (connect_to_ != nullptr) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_);
  if (!cfg_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, cfg_.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, cfg_.tls_verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, cfg_.tls_verify ? 2L : 0L);
  if (cfg_.min_days_left > 0) curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  if (cfg_.follow_redirects) {
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (!cfg_.reuse_connection) {
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  }
}

void HttpProber::Start(ProbeDone done) {
  done_ = std::move(done);
  response_ = HttpResponse();
  error_[0] = '\0';
  easy_ = loop_.AcquireEasy();
  if (easy_ != nullptr) Configure(easy_);
  if (easy_ == nullptr || !loop_.AddTransfer(easy_, [this](CURLcode rc) { OnTransferDone(rc); })) {
    boost::asio::post(loop_.io(), [this] {
      Observation obs;
      obs.error = ErrorClass::kInternal;
      obs.message = "curl refused the transfer";
      loop_.ReleaseEasy(std::exchange(easy_, nullptr));
      std::exchange(done_, nullptr)(std::move(obs));
    });
  }
}

size_t HttpProber::OnBody(char* data, size_t size, size_t n, void* self) {
  auto* p = static_cast<HttpProber*>(self);
  size_t len = size * n;
  size_t room = kBodyCap - p->response_.body.size();
  if (len > room) {
    p->response_.body.append(data, room);
    p->response_.body_truncated = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  p->response_.body.append(data, len);
  return len;
}

size_t HttpProber::OnHeader(char* data, size_t size, size_t n, void* self) {
  auto* p = static_cast<HttpProber*>(self);
  std::string_view line(data, size * n);
  // A new status line starts a new response (1xx interim): keep only the final one.
  if (line.rfind("HTTP/", 0) == 0) p->response_.headers.clear();
  if (p->response_.headers.size() + line.size() <= kHeaderCap) p->response_.headers.append(line);
  return size * n;
}

Phases HttpProber::ReadPhases() const {
  curl_off_t lookup = 0, connect = 0, app = 0, pre = 0, start = 0, total = 0;
  curl_easy_getinfo(easy_, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
  curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(easy_, CURLINFO_APPCONNECT_TIME_T, &app);
  curl_easy_getinfo(easy_, CURLINFO_PRETRANSFER_TIME_T, &pre);
  curl_easy_getinfo(easy_, CURLINFO_STARTTRANSFER_TIME_T, &start);
  curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total);
  Phases ph;
  ph.resolve = microseconds(lookup);
  if (connect > 0) ph.connect = microseconds(connect - lookup);
  if (app > 0 && connect > 0) ph.tls = microseconds(app - connect);
  if (start > 0 && pre > 0) ph.first_byte = microseconds(start - pre);
  ph.total = microseconds(total);
  return ph;
}

std::optional<int> HttpProber::ReadCertDaysLeft() const {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs < 1) {
    return std::nullopt;
  }
  constexpr std::string_view kKey = "Expire date:";
  for (curl_slist* item = info->certinfo[0]; item != nullptr; item = item->next) {
    std::string_view s(item->data);
    if (s.rfind(kKey, 0) != 0) continue;
    std::tm tm = {};
    std::string value(s.substr(kKey.size()));
    if (strptime(value.c_str(), "%b %d %H:%M:%S %Y", &tm) == nullptr) return std::nullopt;
    std::time_t expires = timegm(&tm);
    return static_cast<int>((expires - std::time(nullptr)) / 86400);
  }
  return std::nullopt;
}

void HttpProber::OnTransferDone(CURLcode rc) {
  Observation obs = Judge(rc);
  loop_.ReleaseEasy(std::exchange(easy_, nullptr));
  std::exchange(done_, nullptr)(std::move(obs));
}

Observation HttpProber::Judge(CURLcode rc) {
  Observation obs;
  obs.phases = ReadPhases();
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  obs.http_status = static_cast<int>(status);
  response_.status = obs.http_status;
  response_.total = obs.phases.total;
  if (rc == CURLE_WRITE_ERROR && response_.body_truncated) rc = CURLE_OK;
  if (rc != CURLE_OK) {
    obs.error = ClassifyCurlError(rc);
    obs.message = error_[0] != '\0' ? error_ : curl_easy_strerror(rc);
  } else {
    CheckOutcome out = checker_.Check(response_);
    obs.error = out.error;
    obs.message = std::move(out.message);
  }
  if (obs.error == ErrorClass::kNone && cfg_.min_days_left > 0) {
    obs.cert_days_left = ReadCertDaysLeft();
    if (obs.cert_days_left && *obs.cert_days_left < cfg_.min_days_left) {
      obs.error = ErrorClass::kCertExpiry;
      obs.message = "certificate expires in " + std::to_string(*obs.cert_days_left) +
                    " days, min " + std::to_string(cfg_.min_days_left);
    }
  }
  obs.ok = obs.error == ErrorClass::kNone;
  return obs;
}

}  // namespace steer::probes
