#include "steer/fakes/cloudflare_fake.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace steer::fakes {
namespace {

constexpr char kPrefix[] = "/client/v4/zones/";

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool ValidAddress(const std::string& type, const std::string& content) {
  unsigned char buf[16];
  if (type == "A") return inet_pton(AF_INET, content.c_str(), buf) == 1;
  if (type == "AAAA") return inet_pton(AF_INET6, content.c_str(), buf) == 1;
  return true;
}

}  // namespace

CloudflareFake::CloudflareFake(CloudflareFakeOptions options) : options_(std::move(options)) {
  server_ = StartFakeServer([this](const base::ServerRequest& r) { return Handle(r); });
}

CloudflareFake::~CloudflareFake() { server_.reset(); }

std::string CloudflareFake::endpoint() const { return BaseUrl(*server_) + "/client/v4"; }

void CloudflareFake::FailNext(std::vector<CloudflareFailure> failures) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.insert(failures_.end(), failures.begin(), failures.end());
}

std::string CloudflareFake::Add(const std::string& name, const std::string& type,
                                const std::string& content, int ttl) {
  std::lock_guard<std::mutex> lock(mu_);
  json out;
  auto problem =
      Create(records_, {{"name", name}, {"type", type}, {"content", content}, {"ttl", ttl}}, &out);
  return problem ? "" : out["id"].get<std::string>();
}

std::vector<CloudflareFakeRecord> CloudflareFake::Records(const std::string& name,
                                                          const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string want = Lower(name);
  if (!want.empty() && want.back() == '.') want.pop_back();
  std::vector<CloudflareFakeRecord> out;
  for (const auto& r : records_) {
    if (r.name == want && r.type == type) out.push_back(r);
  }
  return out;
}

int CloudflareFake::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int CloudflareFake::batch_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batch_requests_;
}

int CloudflareFake::write_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return write_requests_;
}

int CloudflareFake::auth_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return auth_failures_;
}

CloudflareFake::json CloudflareFake::ToJson(const CloudflareFakeRecord& r) const {
  return {{"id", r.id},
          {"zone_id", options_.zone_id},
          {"zone_name", options_.zone_name},
          {"name", r.name},
          {"type", r.type},
          {"content", r.content},
          {"proxiable", r.type != "TXT"},
          {"proxied", r.proxied},
          {"ttl", r.ttl},
          {"locked", false},
          {"meta", {{"auto_added", false}}},
          {"comment", nullptr},
          {"tags", json::array()},
          {"created_on", "2026-01-01T00:00:00.000000Z"},
          {"modified_on", "2026-01-01T00:00:00.000000Z"}};
}

base::ServerResponse CloudflareFake::Reply(int status, const json& result) {
  json body = {{"success", true},
               {"errors", json::array()},
               {"messages", json::array()},
               {"result", result}};
  return MakeResponse(status, "application/json", body.dump());
}

base::ServerResponse CloudflareFake::Fail(int status, int code, const std::string& message) {
  json body = {{"success", false},
               {"errors", {{{"code", code}, {"message", message}}}},
               {"messages", json::array()},
               {"result", nullptr}};
  return MakeResponse(status, "application/json", body.dump());
}

std::optional<CloudflareFake::Problem> CloudflareFake::Check(
    const Store& store, const CloudflareFakeRecord& record) const {
  if (!ValidAddress(record.type, record.content)) {
    return Problem{400, 9005, "Content for " + record.type + " record is invalid."};
  }
  if (record.ttl != 1 && (record.ttl < options_.min_ttl || record.ttl > 86400)) {
    return Problem{400, 9021,
                   "Invalid TTL. Must be between " + std::to_string(options_.min_ttl) +
                       " and 86400 seconds, or 1 for Automatic."};
  }
  for (const auto& other : store) {
    if (other.id == record.id || other.name != record.name) continue;
    if (other.type == record.type && other.content == record.content) {
      return Problem{400, 81058, "An identical record already exists."};
    }
    if (other.type == "CNAME" || record.type == "CNAME") {
      return Problem{400, 81053, "An A, AAAA, or CNAME record with that host already exists."};
    }
  }
  return std::nullopt;
}

std::optional<CloudflareFake::Problem> CloudflareFake::Create(Store& store, const json& body,
                                                              json* out) {
  if (!body.is_object() || !body.contains("name") || !body.contains("type") ||
      !body.contains("content")) {
    return Problem{400, 9207, "Request body is invalid: name, type and content are required."};
  }
  CloudflareFakeRecord record;
  char id[40];
  std::snprintf(id, sizeof(id), "%032x", next_id_++);
  record.id = id;
  record.name = Lower(body["name"].get<std::string>());
  if (!record.name.empty() && record.name.back() == '.') record.name.pop_back();
  if (record.name == "@") record.name = options_.zone_name;
  if (record.name != options_.zone_name &&
      (record.name.size() <= options_.zone_name.size() ||
       record.name.substr(record.name.size() - options_.zone_name.size() - 1) !=
           "." + options_.zone_name)) {
    record.name += "." + options_.zone_name;  // a relative name
  }
  record.type = body["type"].get<std::string>();
  record.content = body["content"].get<std::string>();
  record.ttl = body.value("ttl", 1);
  record.proxied = body.value("proxied", false);
  if (auto problem = Check(store, record)) return problem;
  store.push_back(record);
  *out = ToJson(record);
  return std::nullopt;
}

std::optional<CloudflareFake::Problem> CloudflareFake::Update(Store& store, const std::string& id,
                                                              const json& body, bool replace,
                                                              json* out) {
  auto it = std::find_if(store.begin(), store.end(), [&](const auto& r) { return r.id == id; });
  if (it == store.end()) return Problem{404, 81044, "Record does not exist."};
  if (!body.is_object() || (replace && (!body.contains("type") || !body.contains("content")))) {
    return Problem{400, 9207, "Request body is invalid."};
  }
  CloudflareFakeRecord record = *it;
  if (body.contains("type")) record.type = body["type"].get<std::string>();
  if (body.contains("content")) record.content = body["content"].get<std::string>();
  if (body.contains("ttl")) record.ttl = body["ttl"].get<int>();
  if (body.contains("proxied")) record.proxied = body["proxied"].get<bool>();
  if (auto problem = Check(store, record)) return problem;
  *it = record;
  *out = ToJson(record);
  return std::nullopt;
}

std::optional<CloudflareFake::Problem> CloudflareFake::Delete(Store& store, const std::string& id) {
  auto it = std::find_if(store.begin(), store.end(), [&](const auto& r) { return r.id == id; });
  if (it == store.end()) return Problem{404, 81044, "Record does not exist."};
  store.erase(it);
  return std::nullopt;
}

base::ServerResponse CloudflareFake::Handle(const base::ServerRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string auth = request.Header("authorization");
  if (auth != "Bearer " + options_.api_token) {
    ++auth_failures_;
    return Fail(403, 10000, "Authentication error");
  }
  ++requests_;
  if (!failures_.empty()) {
    CloudflareFailure failure = failures_.front();
    failures_.pop_front();
    base::ServerResponse response =
        failure.status == 429
            ? Fail(429, 971, "Please wait and consider throttling your request speed")
            : Fail(failure.status, 10000 + failure.status, "Internal server error");
    if (failure.retry_after_seconds >= 0) {
      response.With("Retry-After", std::to_string(failure.retry_after_seconds));
    }
    return response;
  }
  const std::string& path = request.path;
  const std::string& query = request.query;
  try {
    return Route(request, path, query);
  } catch (const json::exception& e) {
    return Fail(400, 9207, std::string("Request body is invalid: ") + e.what());
  }
}

base::ServerResponse CloudflareFake::Route(const base::ServerRequest& request,
                                           const std::string& path, const std::string& query) {
  std::string zone_records = kPrefix + options_.zone_id + "/dns_records";
  if (path.rfind(kPrefix, 0) != 0 || path.rfind(zone_records, 0) != 0) {
    return Fail(404, 7003,
                "Could not route to " + path + ", perhaps your object identifier is invalid?");
  }
  std::string rest = path.substr(zone_records.size());
  const std::string& verb = request.method;
  if (rest.empty() && verb == "GET") return List(query);
  json body = request.body.empty() ? json::object() : json::parse(request.body);
  Store next = records_;
  json result;
  std::optional<Problem> problem;
  std::string id = rest.empty() ? "" : rest.substr(1);
  if (rest == "/batch" && verb == "POST") return Batch(body);
  if (rest.empty() && verb == "POST") {
    problem = Create(next, body, &result);
  } else if (!id.empty() && verb == "GET") {
    auto it = std::find_if(next.begin(), next.end(), [&](const auto& r) { return r.id == id; });
    if (it == next.end()) return Fail(404, 81044, "Record does not exist.");
    return Reply(200, ToJson(*it));
  } else if (!id.empty() && (verb == "PUT" || verb == "PATCH")) {
    problem = Update(next, id, body, verb == "PUT", &result);
  } else if (!id.empty() && verb == "DELETE") {
    problem = Delete(next, id);
    result = {{"id", id}};
  } else {
    return Fail(405, 10405, "Method not allowed for this route");
  }
  if (problem) return Fail(problem->status, problem->code, problem->message);
  records_ = std::move(next);
  ++write_requests_;
  return Reply(200, result);
}

base::ServerResponse CloudflareFake::List(const std::string& query) {
  std::map<std::string, std::string> params = ParseQuery(query);
  std::string name = params.count("name.exact") ? params["name.exact"] : params["name"];
  name = Lower(name);
  if (!name.empty() && name.back() == '.') name.pop_back();
  std::vector<CloudflareFakeRecord> matched;
  for (const auto& r : records_) {
    if ((name.empty() || r.name == name) && (params["type"].empty() || r.type == params["type"]) &&
        (params["content"].empty() || r.content == params["content"])) {
      matched.push_back(r);
    }
  }
  int page = std::max(1, params.count("page") ? std::atoi(params["page"].c_str()) : 1);
  int per_page = params.count("per_page") ? std::atoi(params["per_page"].c_str()) : 100;
  per_page = std::clamp(per_page, 5, 5000000);
  json result = json::array();
  for (size_t i = static_cast<size_t>((page - 1) * per_page);
       i < matched.size() && result.size() < static_cast<size_t>(per_page); ++i) {
    result.push_back(ToJson(matched[i]));
  }
  int total = static_cast<int>(matched.size());
  json body = {{"success", true},
               {"errors", json::array()},
               {"messages", json::array()},
               {"result", result},
               {"result_info",
                {{"page", page},
                 {"per_page", per_page},
                 {"count", result.size()},
                 {"total_count", total},
                 {"total_pages", (total + per_page - 1) / per_page}}}};
  return MakeResponse(200, "application/json", body.dump());
}

base::ServerResponse CloudflareFake::Batch(const json& body) {
  Store next = records_;
  json result = {{"deletes", json::array()},
                 {"patches", json::array()},
                 {"puts", json::array()},
                 {"posts", json::array()}};
  std::optional<Problem> problem;
  // Cloudflare's documented order inside the one transaction.
  for (const json& d : body.value("deletes", json::array())) {
    json before;
    std::string id = d.at("id").get<std::string>();
    for (const auto& r : next) {
      if (r.id == id) before = ToJson(r);
    }
    if (!problem) problem = Delete(next, id);
    result["deletes"].push_back(before);
  }
  for (const char* kind : {"patches", "puts"}) {
    for (const json& p : body.value(kind, json::array())) {
      json out;
      if (!problem)
        problem = Update(next, p.at("id").get<std::string>(), p, std::string(kind) == "puts", &out);
      result[kind].push_back(out);
    }
  }
  for (const json& p : body.value("posts", json::array())) {
    json out;
    if (!problem) problem = Create(next, p, &out);
    result["posts"].push_back(out);
  }
  if (problem) return Fail(problem->status, problem->code, problem->message);
  records_ = std::move(next);
  ++batch_requests_;
  ++write_requests_;
  return Reply(200, result);
}

}  // namespace steer::fakes
