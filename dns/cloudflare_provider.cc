#include "steer/dns/cloudflare_provider.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "steer/base/clock.h"
#include "steer/base/json_text.h"
#include "steer/base/log.h"
#include "steer/base/secret.h"
#include "steer/dns/aws_sigv4.h"  // UriEncode: RFC 3986 percent-encoding

namespace steer::dns {
namespace {

using nlohmann::json;

// Types whose Cloudflare `content` is exactly the presentation format, except that names are
// written without the trailing dot. MX/SRV/CAA use structured fields and are not supported.
bool IsSupportedType(const std::string& type) {
  static const std::set<std::string> kTypes = {"A", "AAAA", "CNAME", "TXT", "NS", "PTR"};
  return kTypes.count(type) > 0;
}

bool HoldsName(const std::string& type) { return type == "CNAME" || type == "NS" || type == "PTR"; }

std::string ToCloudflareName(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

std::string ToCloudflareContent(const std::string& type, const std::string& content) {
  return HoldsName(type) ? ToCloudflareName(content) : content;
}

std::string FromCloudflareContent(const std::string& type, const std::string& content) {
  return HoldsName(type) ? CanonicalName(content) : content;
}

// "[9109] Invalid access token; [...]" from Cloudflare's error envelope.
std::string CloudflareErrors(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("errors") ||
      !doc["errors"].is_array()) {
    return body.substr(0, 200);
  }
  std::string out;
  for (const json& e : doc["errors"]) {
    if (!out.empty()) out += "; ";
    if (!e.is_object()) {  // not what Cloudflare documents: show it as it came
      out += "[?] " + base::JsonText(e);
      continue;
    }
    auto message = e.find("message");
    out += "[" + (e.contains("code") ? base::JsonText(e["code"]) : std::string("?")) + "] " +
           (message == e.end()     ? std::string()
            : message->is_string() ? message->get<std::string>()
                                   : message->dump());
  }
  return out;
}

// One page of GET dns_records; false when the document is not what Cloudflare documents.
bool ParseListPage(const std::string& body, const std::string& name, const std::string& type,
                   std::vector<CloudflareRecord>* records, int* pages) {
  json doc = json::parse(body, nullptr, false);
  try {
    if (doc.is_discarded() || !doc.value("success", false) || !doc["result"].is_array()) {
      return false;
    }
    for (const json& r : doc["result"]) {
      // Filtering is the server's job; checking again costs nothing.
      if (r.value("type", "") != type) continue;
      if (CanonicalName(r.value("name", "")) != CanonicalName(name)) continue;
      records->push_back({r.value("id", ""), FromCloudflareContent(type, r.value("content", "")),
                          r.value("ttl", 1)});
    }
    if (doc.contains("result_info") && doc["result_info"].is_object()) {
      *pages = doc["result_info"].value("total_pages", 1);
    }
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

}  // namespace

CloudflareBatch PlanCloudflareBatch(const std::vector<CloudflareRecord>& existing,
                                    const RRset& desired) {
  CloudflareBatch batch;
  std::vector<std::string> missing;
  std::set<std::string> wanted(desired.records.begin(), desired.records.end());
  std::set<std::string> satisfied;
  std::vector<const CloudflareRecord*> surplus;
  for (const CloudflareRecord& record : existing) {
    if (wanted.count(record.content) > 0 && satisfied.insert(record.content).second) {
      if (record.ttl != desired.ttl)
        batch.patches.push_back({record.id, record.content, desired.ttl});
    } else {
      surplus.push_back(&record);
    }
  }
  for (const std::string& content : desired.records) {
    if (satisfied.count(content) == 0) missing.push_back(content);
  }
  size_t reuse = std::min(surplus.size(), missing.size());
  for (size_t i = 0; i < reuse; ++i)
    batch.patches.push_back({surplus[i]->id, missing[i], desired.ttl});
  for (size_t i = reuse; i < missing.size(); ++i)
    batch.posts.push_back({"", missing[i], desired.ttl});
  for (size_t i = reuse; i < surplus.size(); ++i) batch.deletes.push_back(surplus[i]->id);
  return batch;
}

CloudflareProvider::CloudflareProvider(CloudflareOptions options,
                                       std::shared_ptr<base::HttpClient> http,
                                       const base::Clock* clock)
    : options_(std::move(options)), http_(std::move(http)), clock_(clock) {
  if (http_ == nullptr) http_ = base::MakeCurlHttpClient();
  if (clock_ == nullptr) {
    owned_clock_ = std::make_unique<base::SystemClock>();
    clock_ = owned_clock_.get();
  }
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
    options_.endpoint.pop_back();
  limiter_ = std::make_unique<RateLimiter>(std::max(options_.rate_per_second, 0.001),
                                           std::max(options_.burst, 1.0), *clock_);
}

CloudflareProvider::~CloudflareProvider() = default;

Result<std::unique_ptr<Provider>> CloudflareProvider::Create(const config::ProviderConfig& config,
                                                             const ProviderDeps& deps) {
  const config::CloudflareConfig& c = config.cloudflare;
  std::string who = "cloudflare provider '" + config.name + "'";
  if (c.zone_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, who + ": zone_id is required");
  }
  Result<std::string> token = base::ResolveSecret(c.api_token);
  if (!token) {
    // The message names the reference (env:NAME / file:/path), never a value.
    return MakeError(token.error().code, who + ": api_token (" + c.api_token.ToString() +
                                             "): " + token.error().message);
  }
  CloudflareOptions options;
  options.name = "cloudflare:" + config.name;
  options.endpoint = c.endpoint;
  options.zone_id = c.zone_id;
  options.api_token = std::move(*token);
  options.timeout = config.timeout;
  RateLimit limit = RateLimitFor(config);
  options.rate_per_second = limit.rate_per_second;
  options.burst = limit.burst;
  return std::make_unique<CloudflareProvider>(std::move(options), deps.http, deps.clock);
}

Result<base::HttpResponse> CloudflareProvider::Call(const std::string& method,
                                                    const std::string& path,
                                                    const std::string& body) {
  limiter_->Acquire();
  base::HttpRequest request;
  request.method = method;
  request.url = options_.endpoint + path;
  request.headers = {{"Authorization", "Bearer " + options_.api_token}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  request.timeout = options_.timeout;
  std::string what = options_.name + ": " + method + " " + path;
  Result<base::HttpResponse> response = http_->Send(request);
  if (!response) return MakeError(response.error().code, what + ": " + response.error().message);
  if (response->status / 100 == 2) return response;
  Error error = HttpStatusError(*response, what);
  error.message =
      what + ": HTTP " + std::to_string(response->status) + ": " + CloudflareErrors(response->body);
  NoteRetryAfter(*response, error);  // SafeWriter waits it out
  return tl::unexpected(error);
}

Result<std::vector<CloudflareRecord>> CloudflareProvider::List(const std::string& name,
                                                               const std::string& type, int* ttl) {
  std::vector<CloudflareRecord> records;
  std::string base = "/zones/" + options_.zone_id +
                     "/dns_records?name=" + aws::UriEncode(ToCloudflareName(name), false) +
                     "&type=" + type + "&per_page=100&page=";
  for (int page = 1, pages = 1; page <= pages; ++page) {
    Result<base::HttpResponse> response = Call("GET", base + std::to_string(page), "");
    if (!response) return tl::unexpected(response.error());
    if (!ParseListPage(response->body, name, type, &records, &pages)) {
      return MakeError(ErrorCode::kInternal, options_.name + ": malformed dns_records list");
    }
  }
  if (!records.empty()) *ttl = records.front().ttl;
  return records;
}

Result<std::optional<RRset>> CloudflareProvider::Read(const std::string& zone,
                                                      const std::string& name,
                                                      const std::string& type) {
  (void)zone;  // the zone is addressed by zone_id
  RRset rrset;
  rrset.name = CanonicalName(name);
  rrset.type = type;
  std::transform(rrset.type.begin(), rrset.type.end(), rrset.type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  Result<std::vector<CloudflareRecord>> records = List(rrset.name, rrset.type, &rrset.ttl);
  if (!records) return tl::unexpected(records.error());
  if (records->empty()) return std::optional<RRset>();
  for (const CloudflareRecord& r : *records) rrset.records.push_back(r.content);
  return std::optional<RRset>(rrset.Normalized());
}

Result<ChangeReceipt> CloudflareProvider::Replace(const std::string& zone, const RRset& rrset) {
  RRset desired = rrset.Normalized();
  std::string what = options_.name + ": " + desired.name + " " + desired.type;
  if (!IsSupportedType(desired.type)) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": type not supported for Cloudflare");
  }
  if (desired.records.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": refusing to write no records");
  }
  int ttl = 0;
  Result<std::vector<CloudflareRecord>> existing = List(desired.name, desired.type, &ttl);
  if (!existing) return tl::unexpected(existing.error());
  for (CloudflareRecord& record : *existing) {
    record.content = RRset{desired.name, desired.type, 1, {record.content}}.Normalized().records[0];
  }
  CloudflareBatch batch = PlanCloudflareBatch(*existing, desired);
  ChangeReceipt receipt;
  if (batch.empty()) return receipt;  // already right: no write
  json body = {{"deletes", json::array()}, {"patches", json::array()}, {"posts", json::array()}};
  for (const std::string& id : batch.deletes) body["deletes"].push_back({{"id", id}});
  for (const CloudflareRecord& p : batch.patches) {
    body["patches"].push_back(
        {{"id", p.id}, {"content", ToCloudflareContent(desired.type, p.content)}, {"ttl", p.ttl}});
  }
  for (const CloudflareRecord& p : batch.posts) {
    body["posts"].push_back({{"name", ToCloudflareName(desired.name)},
                             {"type", desired.type},
                             {"content", ToCloudflareContent(desired.type, p.content)},
                             {"ttl", p.ttl},
                             {"proxied", false}});  // DNS-only: resolvers must see the answers
  }
  Result<base::HttpResponse> response =
      Call("POST", "/zones/" + options_.zone_id + "/dns_records/batch", base::JsonText(body));
  if (!response) return tl::unexpected(response.error());
  base::Logger("dns")->info("{}: replaced {} in zone {} ({} deleted, {} patched, {} created)",
                            options_.name, ToString(desired), zone, batch.deletes.size(),
                            batch.patches.size(), batch.posts.size());
  return receipt;
}

void AddCloudflareProvider(ProviderRegistry& registry) {
  registry[config::ProviderType::kCloudflare] = &CloudflareProvider::Create;
}

}  // namespace steer::dns
