#include "steer/dns/powerdns_provider.h"

#include <nlohmann/json.hpp>

#include "steer/base/json_text.h"
#include "steer/base/log.h"
#include "steer/base/secret.h"

namespace steer::dns {
namespace {

using nlohmann::json;

Result<json> ParseJson(const std::string& body, const std::string& what) {
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kUnavailable, what + ": malformed JSON from PowerDNS");
  }
}

// PowerDNS's rrset objects -> RRsets, leaving out disabled records.
Result<std::vector<RRset>> RRsetsFromZone(const json& zone) {
  std::vector<RRset> out;
  try {
    for (const auto& item : zone.at("rrsets")) {
      RRset rrset;
      rrset.name = item.at("name").get<std::string>();
      rrset.type = item.at("type").get<std::string>();
      rrset.ttl = item.value("ttl", 0);
      for (const auto& record : item.at("records")) {
        if (record.value("disabled", false)) continue;
        rrset.records.push_back(record.at("content").get<std::string>());
      }
      if (!rrset.records.empty()) out.push_back(rrset.Normalized());
    }
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string("unexpected zone JSON from PowerDNS: ") + e.what());
  }
  return out;
}

}  // namespace

PowerDnsProvider::PowerDnsProvider(PowerDnsOptions options, std::shared_ptr<base::HttpClient> http)
    : options_(std::move(options)), http_(std::move(http)) {
  while (!options_.api_url.empty() && options_.api_url.back() == '/') options_.api_url.pop_back();
}

Result<std::unique_ptr<Provider>> PowerDnsProvider::Create(const config::ProviderConfig& config,
                                                           std::shared_ptr<base::HttpClient> http) {
  if (config.powerdns.api_url.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "provider " + config.name + ": api_url is empty");
  }
  auto key = base::ResolveSecret(config.powerdns.api_key);
  if (!key) {
    return MakeError(key.error().code, "provider " + config.name + ": api_key (" +
                                           config.powerdns.api_key.ToString() +
                                           "): " + key.error().message);
  }
  PowerDnsOptions options;
  options.name = "powerdns:" + config.name;
  options.api_url = config.powerdns.api_url;
  options.server_id = config.powerdns.server_id;
  options.api_key = *key;
  options.timeout = config.timeout;
  return std::make_unique<PowerDnsProvider>(std::move(options), std::move(http));
}

std::string PowerDnsProvider::ZonePath(const std::string& zone) const {
  return "/api/v1/servers/" + options_.server_id + "/zones/" + CanonicalName(zone);
}

Result<base::HttpResponse> PowerDnsProvider::Call(const std::string& method,
                                                  const std::string& path,
                                                  const std::string& body) {
  base::HttpRequest request;
  request.method = method;
  request.url = options_.api_url + path;
  request.headers = {{"X-API-Key", options_.api_key}, {"Accept", "application/json"}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  request.timeout = options_.timeout;
  base::Logger("dns")->debug("{}: {} {}", options_.name, method, path);
  auto response = http_->Send(request);
  if (!response) {
    return MakeError(response.error().code, options_.name + ": " + response.error().message);
  }
  return response;
}

Result<std::vector<RRset>> PowerDnsProvider::List(const std::string& zone) {
  auto response = Call("GET", ZonePath(zone), "");
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404 || response->status == 422) {
    return MakeError(ErrorCode::kNotFound,
                     options_.name + ": zone " + CanonicalName(zone) + " does not exist");
  }
  if (response->status != 200) {
    return tl::unexpected(HttpStatusError(*response, options_.name + ": GET zone " + zone));
  }
  auto parsed = ParseJson(response->body, options_.name + ": GET zone " + zone);
  if (!parsed) return tl::unexpected(parsed.error());
  return RRsetsFromZone(*parsed);
}

Result<std::optional<RRset>> PowerDnsProvider::Read(const std::string& zone,
                                                    const std::string& name,
                                                    const std::string& type) {
  auto rrsets = List(zone);
  if (!rrsets) return tl::unexpected(rrsets.error());
  RRset key = RRset{name, type, 0, {}}.Normalized();
  for (auto& rrset : *rrsets) {
    if (rrset.name == key.name && rrset.type == key.type) return std::optional<RRset>(rrset);
  }
  return std::optional<RRset>();
}

Result<ChangeReceipt> PowerDnsProvider::Replace(const std::string& zone, const RRset& rrset_in) {
  RRset rrset = rrset_in.Normalized();
  json records = json::array();
  for (const auto& r : rrset.records) records.push_back({{"content", r}, {"disabled", false}});
  json body = {{"rrsets",
                {{{"name", rrset.name},
                  {"type", rrset.type},
                  {"ttl", rrset.ttl},
                  {"changetype", "REPLACE"},
                  {"records", records}}}}};
  std::string what = options_.name + ": PATCH " + rrset.name + " " + rrset.type;
  auto response = Call("PATCH", ZonePath(zone), base::JsonText(body));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 404) {
    return MakeError(ErrorCode::kNotFound,
                     options_.name + ": zone " + CanonicalName(zone) + " does not exist");
  }
  if (response->status != 204 && response->status != 200) {
    return tl::unexpected(HttpStatusError(*response, what));
  }
  return ChangeReceipt{};
}

Result<void> PowerDnsProvider::CreateZone(const std::string& zone,
                                          const std::vector<std::string>& nameservers) {
  json body = {{"name", CanonicalName(zone)}, {"kind", "Native"}, {"nameservers", nameservers}};
  auto response =
      Call("POST", "/api/v1/servers/" + options_.server_id + "/zones", base::JsonText(body));
  if (!response) return tl::unexpected(response.error());
  if (response->status == 409) {
    return MakeError(ErrorCode::kAlreadyExists, options_.name + ": zone " + zone + " exists");
  }
  if (response->status != 201) {
    return tl::unexpected(HttpStatusError(*response, options_.name + ": create zone " + zone));
  }
  return {};
}

}  // namespace steer::dns
