#include "steer/fakes/route53_fake.h"

#include <algorithm>
#include <ctime>

#include "steer/dns/aws_sigv4.h"
#include "steer/dns/route53_xml.h"

namespace steer::fakes {
namespace {

namespace r53 = dns::route53;

bool InZone(const std::string& name, const std::string& apex) {
  return name == apex || (name.size() > apex.size() &&
                          name.compare(name.size() - apex.size(), apex.size(), apex) == 0 &&
                          name[name.size() - apex.size() - 1] == '.');
}

std::string Describe(const dns::RRset& rrset) {
  return "[name='" + rrset.name + "', type='" + rrset.type + "']";
}

}  // namespace

Route53Fake::Route53Fake(Route53FakeOptions options) : options_(std::move(options)) {
  for (const auto& [id, apex] : options_.zones) records_[id];
  server_ = StartFakeServer([this](const base::ServerRequest& r) { return Handle(r); });
}

Route53Fake::~Route53Fake() { server_.reset(); }

std::string Route53Fake::endpoint() const { return BaseUrl(*server_); }

void Route53Fake::FailNext(Route53Action action, std::vector<Route53Failure> failures) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Route53Failure f : failures) failures_[action].push_back(f);
}

void Route53Fake::SetPendingPolls(int polls) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.pending_polls = polls;
}

Route53Fake::Key Route53Fake::KeyOf(const std::string& name, const std::string& type) {
  // Route 53 lists names ordered by their labels read right to left.
  std::string canonical = dns::CanonicalName(name);
  std::vector<std::string> labels;
  size_t start = 0;
  for (size_t dot; (dot = canonical.find('.', start)) != std::string::npos; start = dot + 1) {
    labels.push_back(canonical.substr(start, dot - start));
  }
  std::string key;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) key += *it + '\x01';
  return {key, type};
}

void Route53Fake::Put(const std::string& zone_id, const dns::RRset& rrset) {
  std::lock_guard<std::mutex> lock(mu_);
  dns::RRset n = rrset.Normalized();
  records_[zone_id][KeyOf(n.name, n.type)] = n;
}

std::optional<dns::RRset> Route53Fake::Get(const std::string& zone_id, const std::string& name,
                                           const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto zone = records_.find(zone_id);
  if (zone == records_.end()) return std::nullopt;
  auto it = zone->second.find(KeyOf(name, type));
  if (it == zone->second.end()) return std::nullopt;
  return it->second;
}

int Route53Fake::requests(Route53Action action) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(action);
  return it == requests_.end() ? 0 : it->second;
}

int Route53Fake::signature_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return signature_failures_;
}

std::string Route53Fake::last_error_body() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_body_;
}

base::ServerResponse Route53Fake::Error(int status, const std::string& code,
                                        const std::string& message) {
  last_error_body_ = r53::BuildErrorResponse({code, message});
  return MakeResponse(status, "text/xml", last_error_body_);
}

std::optional<base::ServerResponse> Route53Fake::CheckSignature(
    const base::ServerRequest& request) {
  auto deny = [&](const std::string& code, const std::string& message) {
    ++signature_failures_;
    return Error(403, code, message);
  };
  std::string header = request.Header("authorization");
  if (header.empty()) {
    return deny("MissingAuthenticationToken", "Missing Authentication Token");
  }
  auto parsed = dns::aws::ParseAuthorization(header);
  if (!parsed) return deny("IncompleteSignature", "Authorization header is malformed");
  if (parsed->access_key_id != options_.access_key_id) {
    return deny("InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  std::string amz_date = request.Header("x-amz-date");
  auto& sh = parsed->signed_headers;
  if (std::find(sh.begin(), sh.end(), "host") == sh.end() ||
      std::find(sh.begin(), sh.end(), "x-amz-date") == sh.end() ||
      amz_date.substr(0, 8) != parsed->date || parsed->region != options_.region ||
      parsed->service != "route53") {
    return deny("IncompleteSignature", "Credential scope or signed headers are invalid");
  }
  dns::aws::SigV4Request signed_part;
  signed_part.method = request.method;
  signed_part.path = dns::aws::PercentDecode(request.path);
  signed_part.query = request.query;
  signed_part.body = request.body;
  for (const std::string& name : sh) {
    auto it = request.headers.find(name);  // SigV4 signed header names are lower-case
    if (it != request.headers.end()) signed_part.headers.emplace_back(name, it->second);
  }
  dns::aws::SigV4Scope scope{amz_date, options_.region, "route53"};
  std::string expected =
      dns::aws::Signature({options_.access_key_id, options_.secret_access_key}, scope, signed_part);
  if (expected != parsed->signature) {
    return deny("SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method.");
  }
  return std::nullopt;
}

namespace {

struct Operation {
  std::optional<Route53Action> action;
  std::string id;  // hosted zone id or change id
};

Operation Classify(const base::ServerRequest& request, const std::string& path) {
  const std::string zone_prefix = std::string(r53::kApiPrefix) + "/hostedzone/";
  const std::string change_prefix = std::string(r53::kApiPrefix) + "/change/";
  Operation op;
  if (path.rfind(zone_prefix, 0) == 0) {
    std::string rest = path.substr(zone_prefix.size());
    op.id = rest.substr(0, rest.find('/'));
    std::string tail = rest.substr(op.id.size());
    if (tail != "/rrset" && tail != "/rrset/") return op;
    if (request.method == "POST") op.action = Route53Action::kChange;
    if (request.method == "GET") op.action = Route53Action::kList;
  } else if (path.rfind(change_prefix, 0) == 0 && request.method == "GET") {
    op.action = Route53Action::kGetChange;
    op.id = path.substr(change_prefix.size());
  }
  return op;
}

}  // namespace

base::ServerResponse Route53Fake::Scripted(Route53Failure failure) {
  switch (failure) {
    case Route53Failure::kThrottling:
      return Error(400, "Throttling", "Rate exceeded");
    case Route53Failure::kPriorRequestNotComplete:
      return Error(400, "PriorRequestNotComplete",
                   "The request was rejected because Route 53 was still processing a prior "
                   "request.");
    case Route53Failure::kInternalError:
      return Error(500, "InternalFailure", "An internal error occurred.");
    case Route53Failure::kUnavailable:
      break;
  }
  return Error(503, "ServiceUnavailable", "Service is unavailable.");
}

base::ServerResponse Route53Fake::Handle(const base::ServerRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& path = request.path;
  const std::string& query = request.query;
  Operation op = Classify(request, path);
  if (auto denied = CheckSignature(request)) return *denied;
  if (!op.action) return Error(404, "UnknownOperationException", "Unknown operation");
  ++requests_[*op.action];
  std::deque<Route53Failure>& scripted = failures_[*op.action];
  if (!scripted.empty()) {
    Route53Failure failure = scripted.front();
    scripted.pop_front();
    return Scripted(failure);
  }
  if (*op.action == Route53Action::kGetChange) return HandleGetChange(op.id);
  if (records_.count(op.id) == 0) {
    return Error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + op.id);
  }
  if (*op.action == Route53Action::kChange) return HandleChange(request, op.id);
  return HandleList(op.id, query);
}

std::optional<std::string> Route53Fake::Apply(std::map<Key, dns::RRset>& zone,
                                              const dns::route53::Change& change,
                                              const std::string& apex) {
  dns::RRset rrset = change.rrset;
  rrset.name = dns::CanonicalName(rrset.name);
  Key key = KeyOf(rrset.name, rrset.type);
  auto existing = zone.find(key);
  if (!InZone(rrset.name, apex)) {
    return "RRSet with DNS name " + rrset.name + " is not permitted in zone " + apex;
  }
  if (rrset.records.empty() || rrset.type.empty()) {
    return "Invalid request: Missing field 'ResourceRecords' in " + Describe(rrset);
  }
  if (change.action == "CREATE" && existing != zone.end()) {
    return "Tried to create resource record set " + Describe(rrset) + " but it already exists";
  }
  if (change.action == "DELETE" && existing == zone.end()) {
    return "Tried to delete resource record set " + Describe(rrset) + " but it was not found";
  }
  if (change.action == "DELETE" && !dns::SameRRset(existing->second, rrset)) {
    return "Tried to delete resource record set " + Describe(rrset) +
           " but the values provided do not match the current values";
  }
  if (change.action == "DELETE") {
    zone.erase(existing);
  } else if (change.action == "CREATE" || change.action == "UPSERT") {
    zone[key] = rrset.Normalized();
  } else {
    return "Invalid action " + change.action;
  }
  return std::nullopt;
}

base::ServerResponse Route53Fake::HandleChange(const base::ServerRequest& request,
                                               const std::string& zone_id) {
  auto changes = r53::ParseChangeRequest(request.body);
  if (!changes || changes->empty()) {
    return Error(400, "InvalidInput", "Invalid XML ; no changes in the change batch");
  }
  std::map<Key, dns::RRset> next = records_[zone_id];  // applied only if every change is valid
  std::vector<std::string> problems;
  for (const r53::Change& change : *changes) {
    if (auto problem = Apply(next, change, options_.zones[zone_id])) problems.push_back(*problem);
  }
  if (!problems.empty()) {
    last_error_body_ = r53::BuildInvalidChangeBatch(problems);
    return MakeResponse(400, "text/xml", last_error_body_);
  }
  records_[zone_id] = std::move(next);
  r53::ChangeInfo info{"C" + std::to_string(100000 + next_change_++),
                       options_.pending_polls > 0 ? "PENDING" : "INSYNC"};
  changes_[info.id].remaining_pending = options_.pending_polls;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char submitted[32];
  std::strftime(submitted, sizeof(submitted), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return MakeResponse(
      200, "text/xml",
      r53::BuildChangeInfoResponse("ChangeResourceRecordSetsResponse", info, submitted));
}

base::ServerResponse Route53Fake::HandleList(const std::string& zone_id, const std::string& query) {
  std::map<std::string, std::string> params = ParseQuery(query);
  if (params.count("type") && !params.count("name")) {
    return Error(400, "InvalidInput", "The input is not valid: type without name");
  }
  int max_items = 300;
  if (params.count("maxitems"))
    max_items = std::clamp(std::atoi(params["maxitems"].c_str()), 1, 300);
  const std::map<Key, dns::RRset>& zone = records_[zone_id];
  auto it = zone.begin();
  if (params.count("name")) {
    it = zone.lower_bound(KeyOf(params["name"], params.count("type") ? params["type"] : ""));
  }
  r53::ListPage page;
  for (; it != zone.end() && static_cast<int>(page.rrsets.size()) < max_items; ++it) {
    page.rrsets.push_back({it->second, false, ""});
  }
  if (it != zone.end()) {
    page.is_truncated = true;
    page.next_name = it->second.name;
    page.next_type = it->second.type;
  }
  return MakeResponse(200, "text/xml", r53::BuildListResponse(page, max_items));
}

base::ServerResponse Route53Fake::HandleGetChange(const std::string& change_id) {
  auto it = changes_.find(change_id);
  if (it == changes_.end()) {
    return Error(404, "NoSuchChange", "A change with the specified change ID does not exist.");
  }
  std::string status = "INSYNC";
  if (it->second.remaining_pending > 0) {
    --it->second.remaining_pending;
    status = "PENDING";
  }
  return MakeResponse(200, "text/xml",
                      r53::BuildChangeInfoResponse("GetChangeResponse", {change_id, status},
                                                   "2026-01-01T00:00:00.000Z"));
}

}  // namespace steer::fakes
