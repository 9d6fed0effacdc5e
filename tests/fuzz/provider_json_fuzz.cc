// libFuzzer target: any bytes as the response of a DNS provider's HTTP API, through the
// providers themselves (dns::CloudflareProvider and dns::PowerDnsProvider Read and Replace)
// with a fake HTTP client that answers every request with the input: first byte = status
// (200, 200, 400, 403, 404, 422, 429, 500), the rest = body (JSON, or anything). A response
// may make the call fail, never crash or throw.
#include <cstdint>
#include <memory>
#include <string>

#include "steer/base/clock.h"
#include "steer/base/http_client.h"
#include "steer/base/log.h"
#include "steer/dns/cloudflare_provider.h"
#include "steer/dns/powerdns_provider.h"

namespace {

class CannedHttp : public steer::base::HttpClient {
 public:
  explicit CannedHttp(steer::base::HttpResponse r) : response_(std::move(r)) {}
  steer::Result<steer::base::HttpResponse> Send(const steer::base::HttpRequest&) override {
    if (++calls_ > 50) return steer::base::HttpResponse{500, {}, "enough"};
    return response_;
  }

 private:
  steer::base::HttpResponse response_;
  int calls_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet =
      steer::base::ConfigureLogging("error", steer::base::LogOutput::kText).has_value();
  (void)quiet;
  if (size == 0) return 0;
  static const int kStatus[] = {200, 200, 400, 403, 404, 422, 429, 500};
  steer::base::HttpResponse response;
  response.status = kStatus[data[0] % 8];
  response.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (response.status == 429) response.headers.emplace_back("Retry-After", "1");
  const steer::dns::RRset want{"www.example.test.", "A", 60, {"127.0.0.2", "127.0.0.3"}};

  steer::base::FakeClock clock;
  steer::dns::CloudflareOptions cf;
  cf.endpoint = "http://127.0.0.1:9/client/v4";
  cf.zone_id = "zone-1";
  cf.api_token = "t";
  steer::dns::CloudflareProvider cloudflare(cf, std::make_shared<CannedHttp>(response), &clock);
  (void)cloudflare.Read("example.test.", "www.example.test.", "A");
  (void)cloudflare.Replace("example.test.", want);

  steer::dns::PowerDnsOptions pdns;
  pdns.api_url = "http://127.0.0.1:9";
  pdns.api_key = "k";
  steer::dns::PowerDnsProvider powerdns(pdns, std::make_shared<CannedHttp>(response));
  (void)powerdns.Read("example.test.", "www.example.test.", "A");
  (void)powerdns.Replace("example.test.", want);
  return 0;
}
