// The libcurl HttpClient: one easy handle per request, so concurrent calls share nothing.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "steer/dns/http_client.h"

namespace steer::dns {
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

class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    // An empty Expect avoids curl's 1 s wait for "100 Continue" on larger bodies.
    headers = curl_slist_append(headers, "Expect:");
    HttpResponse response;
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return MakeError(ErrorCode::kDeadlineExceeded,
                       request.method + " " + request.url + ": timed out");
    }
    if (rc != CURLE_OK) {
      return MakeError(ErrorCode::kUnavailable,
                       request.method + " " + request.url + ": " + curl_easy_strerror(rc));
    }
    response.status = static_cast<int>(status);
    return response;
  }
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

std::unique_ptr<HttpClient> MakeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

Error HttpStatusError(const HttpResponse& response, std::string_view what) {
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (response.status == 429) {
    code = ErrorCode::kResourceExhausted;
  } else if (response.status >= 500 || response.status == 0) {
    code = ErrorCode::kUnavailable;
  } else if (response.status == 401 || response.status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (response.status == 404) {
    code = ErrorCode::kNotFound;
  }
  std::string body = response.body.substr(0, 200);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!body.empty()) message += ": " + body;
  return Error(code, message);
}

}  // namespace steer::dns
