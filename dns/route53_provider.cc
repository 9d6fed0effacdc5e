#include "steer/dns/route53_provider.h"

#include <algorithm>
#include <cctype>

#include "steer/base/clock.h"
#include "steer/base/log.h"
#include "steer/base/secret.h"
#include "steer/dns/route53_xml.h"

namespace steer::dns {
namespace {

constexpr char kService[] = "route53";

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// "https://host:port/base" -> {"https://host:port", "host:port", "/base"}.
struct Endpoint {
  std::string origin;
  std::string host;
  std::string base_path;
};

Endpoint SplitEndpoint(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  Endpoint e;
  size_t scheme = url.find("://");
  size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path_start = url.find('/', host_start);
  e.origin = url.substr(0, path_start);
  e.host = url.substr(host_start,
                      path_start == std::string::npos ? path_start : path_start - host_start);
  if (path_start != std::string::npos) e.base_path = url.substr(path_start);
  return e;
}

bool IsPermissionCode(const std::string& code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidClientTokenId" ||
         code == "AccessDenied" || code == "IncompleteSignature" ||
         code == "MissingAuthenticationToken" || code == "InvalidSignatureException" ||
         code == "ExpiredToken";
}

// Route 53's error document -> provider error codes (provider.h). Route 53's messages carry
// no credentials (a SignatureDoesNotMatch names the canonical request, never the key).
Error Route53Error(const base::HttpResponse& response, const std::string& what) {
  route53::ErrorDoc doc = route53::ParseError(response.body);
  if (doc.code.empty()) return HttpStatusError(response, what);
  std::string message = what + ": " + doc.code + " (HTTP " + std::to_string(response.status) + ")" +
                        (doc.message.empty() ? "" : ": " + doc.message.substr(0, 300));
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (doc.code == "Throttling" || doc.code == "ThrottlingException" ||
      doc.code == "RequestLimitExceeded") {
    code = ErrorCode::kResourceExhausted;
  } else if (doc.code == "PriorRequestNotComplete" || response.status >= 500) {
    code = ErrorCode::kUnavailable;  // the zone's previous change is still being applied
  } else if (IsPermissionCode(doc.code) || response.status == 401 || response.status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (doc.code == "NoSuchHostedZone" || doc.code == "NoSuchChange") {
    code = ErrorCode::kNotFound;
  } else if (doc.code == "InvalidChangeBatch") {
    message = what + ": Route 53 rejected the change batch (InvalidChangeBatch, not retried): " +
              doc.message.substr(0, 500);
  }
  Error error(code, message);
  NoteRetryAfter(response, error);
  return error;
}

}  // namespace

Route53Provider::Route53Provider(Route53Options options, std::shared_ptr<base::HttpClient> http,
                                 const base::Clock* clock)
    : options_(std::move(options)), http_(std::move(http)) {
  if (http_ == nullptr) http_ = base::MakeCurlHttpClient();
  if (clock == nullptr) {
    owned_clock_ = std::make_unique<base::SystemClock>();
    clock = owned_clock_.get();
  }
  if (options_.hosted_zone_id.rfind("/hostedzone/", 0) == 0) {
    options_.hosted_zone_id = options_.hosted_zone_id.substr(12);
  }
  limiter_ = std::make_unique<RateLimiter>(std::max(options_.rate_per_second, 0.001),
                                           std::max(options_.burst, 1.0), *clock);
}

Route53Provider::~Route53Provider() = default;

Result<std::unique_ptr<Provider>> Route53Provider::Create(const config::ProviderConfig& config,
                                                          const ProviderDeps& deps) {
  const config::Route53Config& c = config.route53;
  std::string who = "route53 provider '" + config.name + "'";
  if (c.hosted_zone_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, who + ": hosted_zone_id is required");
  }
  Route53Options options;
  for (auto [ref, out, key] :
       {std::tuple{&c.access_key_id, &options.credentials.access_key_id, "access_key_id"},
        std::tuple{&c.secret_access_key, &options.credentials.secret_access_key,
                   "secret_access_key"}}) {
    Result<std::string> value = base::ResolveSecret(*ref);
    if (!value) {
      // The message names the reference (env:NAME / file:/path), never a value.
      return MakeError(value.error().code,
                       who + ": " + key + " (" + ref->ToString() + "): " + value.error().message);
    }
    *out = std::move(*value);
  }
  options.name = "route53:" + config.name;
  options.endpoint = c.endpoint;
  options.region = c.region;
  options.hosted_zone_id = c.hosted_zone_id;
  options.timeout = config.timeout;
  RateLimit limit = RateLimitFor(config);
  options.rate_per_second = limit.rate_per_second;
  options.burst = limit.burst;
  return std::make_unique<Route53Provider>(std::move(options), deps.http, deps.clock);
}

std::string Route53Provider::ZonePath() const {
  return std::string(route53::kApiPrefix) + "/hostedzone/" + options_.hosted_zone_id;
}

Result<base::HttpResponse> Route53Provider::Call(const std::string& method, const std::string& path,
                                                 const std::string& query,
                                                 const std::string& body) {
  limiter_->Acquire();
  Endpoint endpoint = SplitEndpoint(options_.endpoint);
  auto now = options_.wall_clock ? options_.wall_clock() : std::chrono::system_clock::now();
  aws::SigV4Scope scope{aws::FormatAmzDate(now), options_.region, kService};
  aws::SigV4Request signed_part{method, endpoint.base_path + path, query, {}, body};
  // Host is sent explicitly so that the signed value is exactly the one on the wire.
  signed_part.headers = {{"host", endpoint.host}, {"x-amz-date", scope.amz_date}};
  if (!body.empty()) signed_part.headers.emplace_back("content-type", "application/xml");

  base::HttpRequest request;
  request.method = method;
  request.url = endpoint.origin + signed_part.path + (query.empty() ? "" : "?" + query);
  request.headers = signed_part.headers;
  request.headers.emplace_back("authorization",
                               aws::AuthorizationHeader(options_.credentials, scope, signed_part));
  request.body = body;
  request.timeout = options_.timeout;
  Result<base::HttpResponse> response = http_->Send(request);
  if (!response) {
    return MakeError(response.error().code,
                     options_.name + ": " + method + " " + path + ": " + response.error().message);
  }
  if (response->status / 100 != 2) {
    return tl::unexpected(Route53Error(*response, options_.name + ": " + method + " " + path));
  }
  return response;
}

Result<std::optional<RRset>> Route53Provider::Read(const std::string& zone, const std::string& name,
                                                   const std::string& type) {
  std::string want_name = CanonicalName(name);
  std::string want_type = Upper(type);
  std::string query = "maxitems=1&name=" + aws::UriEncode(want_name, false) +
                      "&type=" + aws::UriEncode(want_type, false);
  Result<base::HttpResponse> response = Call("GET", ZonePath() + "/rrset", query, "");
  if (!response) return tl::unexpected(response.error());
  Result<route53::ListPage> page = route53::ParseListResponse(response->body);
  if (!page) return tl::unexpected(page.error());
  // The list starts at name/type in Route 53's order: the first RRset may be a later one.
  if (page->rrsets.empty()) return std::optional<RRset>();
  const route53::ListedRRset& first = page->rrsets.front();
  if (CanonicalName(first.rrset.name) != want_name || Upper(first.rrset.type) != want_type) {
    return std::optional<RRset>();
  }
  std::string what = options_.name + ": " + want_name + " " + want_type + " in zone " + zone;
  if (first.is_alias) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     what + " is an alias record; Steer manages plain RRsets only");
  }
  if (!first.set_identifier.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     what + " uses a routing policy (SetIdentifier '" + first.set_identifier +
                         "'); Steer manages simple RRsets only");
  }
  RRset rrset = first.rrset;
  rrset.name = want_name;
  rrset.type = want_type;
  return std::optional<RRset>(rrset.Normalized());
}

Result<ChangeReceipt> Route53Provider::Replace(const std::string& zone, const RRset& rrset) {
  RRset desired = rrset;
  desired.name = CanonicalName(rrset.name);
  desired.type = Upper(rrset.type);
  if (desired.records.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, options_.name + ": refusing to write " +
                                                      desired.name + " " + desired.type +
                                                      " with no records");
  }
  std::string body = route53::BuildChangeRequest({{"UPSERT", desired}}, "steer");
  Result<base::HttpResponse> response = Call("POST", ZonePath() + "/rrset/", "", body);
  if (!response) return tl::unexpected(response.error());
  Result<route53::ChangeInfo> info = route53::ParseChangeInfo(response->body);
  if (!info) return tl::unexpected(info.error());
  base::Logger("dns")->info("{}: UPSERT {} in zone {} accepted as change {} ({})", options_.name,
                            ToString(desired), zone, info->id, info->status);
  ChangeReceipt receipt;
  receipt.change_id = info->id;
  return receipt;
}

Result<ChangeStatus> Route53Provider::Status(const std::string& change_id) {
  std::string id = change_id.rfind("/change/", 0) == 0 ? change_id.substr(8) : change_id;
  Result<base::HttpResponse> response =
      Call("GET", std::string(route53::kApiPrefix) + "/change/" + id, "", "");
  if (!response) return tl::unexpected(response.error());
  Result<route53::ChangeInfo> info = route53::ParseChangeInfo(response->body);
  if (!info) return tl::unexpected(info.error());
  if (info->status == "INSYNC") return ChangeStatus::kInSync;
  if (info->status == "PENDING") return ChangeStatus::kPending;
  return MakeError(ErrorCode::kInternal,
                   options_.name + ": change " + id + " has unknown status " + info->status);
}

void AddRoute53Provider(ProviderRegistry& registry) {
  registry[config::ProviderType::kRoute53] = &Route53Provider::Create;
}

}  // namespace steer::dns
