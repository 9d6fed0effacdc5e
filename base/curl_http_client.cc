// The libcurl client: one easy handle per request, so concurrent calls share nothing.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "steer/base/http_client.h"

namespace steer::base {
namespace {

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    auto not_space = [](unsigned char c) { return !std::isspace(c); };
    value.erase(value.begin(), std::find_if(value.begin(), value.end(), not_space));
    value.erase(std::find_if(value.rbegin(), value.rend(), not_space).base(), value.end());
    static_cast<Headers*>(user)->emplace_back(line.substr(0, colon), value);
  } else if (line.rfind("HTTP/", 0) == 0) {
    static_cast<Headers*>(user)->clear();  // a new response (after 100 Continue)
  }
  return size * count;
}

// "https://user@host:8443/path?q" -> "host:8443": what an error message may name.
std::string HostOf(const std::string& url) {
  auto begin = url.find("://");
  begin = begin == std::string::npos ? 0 : begin + 3;
  auto end = url.find_first_of("/?#", begin);
  std::string authority = url.substr(begin, end == std::string::npos ? end : end - begin);
  auto at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

void SetBody(CURL* curl, const HttpRequest& request) {
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
}

void SetTls(CURL* curl, const HttpRequest& request) {
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, request.cert_file.c_str());
  }
  if (!request.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, request.key_file.c_str());
}

bool IsTlsError(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// A TLS failure carries curl's detail ("SSL certificate problem: unable to get local issuer
// certificate"), which names no path or query.
Error TransportError(CURLcode rc, const HttpRequest& request, const char* detail) {
  std::string what = request.method + " " + HostOf(request.url);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Error(ErrorCode::kDeadlineExceeded, what + ": timed out");
  }
  std::string message = what + ": " + curl_easy_strerror(rc);
  if (IsTlsError(rc) && detail[0] != '\0') message += std::string(" (") + detail + ")";
  // With TLS 1.3 a server that refuses the client certificate does so after the handshake:
  // curl then sees only a connection closed while sending or reading.
  bool https = request.url.rfind("https://", 0) == 0;
  if (https && (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR)) {
    message += request.cert_file.empty()
                   ? " (TLS: closed by the server; it may require a client certificate)"
                   : " (TLS: closed by the server; it may have refused the client certificate)";
  }
  return Error(ErrorCode::kUnavailable, message);
}

class CurlHttpClient final : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override { return SendHttp(request); }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

Result<HttpResponse> SendHttp(const HttpRequest& request) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  curl_slist* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw = curl_slist_append(raw, (name + ": " + value).c_str());
  }
  // An empty Expect avoids curl's 1 s wait for "100 Continue" on larger bodies.
  raw = curl_slist_append(raw, "Expect:");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(raw, curl_slist_free_all);
  HttpResponse response;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  SetBody(c, request);
  SetTls(c, request);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return tl::unexpected(TransportError(rc, request, detail));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

std::unique_ptr<HttpClient> MakeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

}  // namespace steer::base
