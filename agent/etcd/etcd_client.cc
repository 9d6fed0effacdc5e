#include "etcd/etcd_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "etcd/etcd_codec.h"
#include "steer/base/json_text.h"

namespace steer::agent::etcd {
namespace {

using nlohmann::json;

// gRPC status codes etcd answers with.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcNotFound = 5;
constexpr int kGrpcPermissionDenied = 7;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcFailedPrecondition = 9;
constexpr int kGrpcUnavailable = 14;
constexpr int kGrpcUnauthenticated = 16;

// "https://10.0.0.1:2379" -> "10.0.0.1:2379": what an error names.
std::string HostOf(const std::string& endpoint) {
  auto begin = endpoint.find("://");
  return begin == std::string::npos ? endpoint : endpoint.substr(begin + 3);
}

Result<std::string> NormalizeEndpoint(std::string endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  bool scheme = endpoint.rfind("http://", 0) == 0 || endpoint.rfind("https://", 0) == 0;
  std::string host = HostOf(endpoint);
  if (!scheme || host.empty() || host.find_first_of("/?#@ ") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "etcd endpoint '" + endpoint + "': want http(s)://host:port");
  }
  return endpoint;
}

// An answer that means "ask another member": a 5xx, no leader, leader changed, timed out.
bool MemberUnavailable(int status, const GatewayError& e) {
  return status >= 500 || e.code == kGrpcUnavailable ||
         e.message.find("no leader") != std::string::npos ||
         e.message.find("leader changed") != std::string::npos;
}

bool AuthRefused(const GatewayError& e) {
  return e.code == kGrpcPermissionDenied || e.code == kGrpcUnauthenticated ||
         e.message.find("authentication failed") != std::string::npos ||
         e.message.find("user name is empty") != std::string::npos ||
         e.message.find("permission denied") != std::string::npos;
}

// What went wrong: etcd's message, else the status and the first line of a body that is not
// JSON (the gateway refuses some requests in plain text, e.g. a client certificate with a
// CommonName under --client-cert-auth). etcd's messages name no value ("etcdserver:
// requested lease not found"); cut them short anyway.
std::string Describe(const GatewayError& e, int status, const std::string& body) {
  if (!e.message.empty()) return e.message.substr(0, 200);
  std::string what = "HTTP " + std::to_string(status);
  std::string text = body.substr(0, std::min(body.find('\n'), size_t{200}));
  if (text.empty() || !json::parse(text, nullptr, false).is_discarded()) return what;
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return what + ": " + text;
}

Error MapError(const GatewayError& e, int status, const std::string& body,
               const std::string& host) {
  std::string what = "etcd " + host + ": " + Describe(e, status, body);
  if (AuthRefused(e) || status == 401 || status == 403) {
    return Error(ErrorCode::kPermissionDenied, what);
  }
  switch (e.code) {
    case kGrpcNotFound:
      return Error(ErrorCode::kNotFound, what);
    case kGrpcInvalidArgument:
      return Error(ErrorCode::kInvalidArgument, what);
    case kGrpcFailedPrecondition:
      return Error(ErrorCode::kFailedPrecondition, what);
    case kGrpcResourceExhausted:
      return Error(ErrorCode::kResourceExhausted, what);
    default:
      return Error(ErrorCode::kInternal, what);
  }
}

// The first JSON document of an answer (a stream's answer may hold several, one a line).
json ParseFirst(const std::string& body) {
  return json::parse(body.substr(0, body.find('\n')), nullptr, false);
}

Result<json> ParseObject(const std::string& body, const std::string& host) {
  json parsed = ParseFirst(body);
  if (!parsed.is_object()) {
    return MakeError(ErrorCode::kInternal, "etcd " + host + ": answer is not a JSON object");
  }
  return parsed;
}

}  // namespace

Op Op::Put(std::string key, std::string value, int64_t lease) {
  Op op;
  op.kind = Kind::kPut;
  op.key = std::move(key);
  op.value = std::move(value);
  op.lease = lease;
  return op;
}

Op Op::Delete(std::string key) {
  Op op;
  op.kind = Kind::kDelete;
  op.key = std::move(key);
  return op;
}

Op Op::Get(std::string key) {
  Op op;
  op.kind = Kind::kRange;
  op.key = std::move(key);
  return op;
}

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return "";
}

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options, base::HttpClient& http) {
  if (options.endpoints.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "etcd: no endpoints");
  }
  for (auto& endpoint : options.endpoints) {
    auto normalized = NormalizeEndpoint(endpoint);
    if (!normalized) return tl::unexpected(normalized.error());
    endpoint = std::move(*normalized);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "etcd: a client certificate needs both cert_file and key_file");
  }
  if (options.username.empty() && !options.password.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "etcd: a password without a username");
  }
  if (options.request_timeout.count() <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "etcd: request_timeout must be positive");
  }
  return std::unique_ptr<Client>(new Client(std::move(options), http));
}

Client::Client(ClientOptions options, base::HttpClient& http)
    : options_(std::move(options)), http_(http) {}

std::string Client::CurrentEndpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.endpoints[current_];
}

Result<base::HttpResponse> Client::Post(const std::string& endpoint, const std::string& path,
                                        const std::string& body, const std::string& token) {
  base::HttpRequest request;
  request.method = "POST";
  request.url = endpoint + path;
  request.body = body;
  request.timeout = options_.request_timeout;
  request.ca_file = options_.ca_file;
  request.cert_file = options_.cert_file;
  request.key_file = options_.key_file;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!token.empty()) request.headers.emplace_back("Authorization", token);
  auto response = http_.Send(request);
  if (!response) {
    // base names the method and the member's host, with curl's reason.
    return MakeError(ErrorCode::kUnavailable, response.error().message);
  }
  return response;
}

// kUnavailable: try the next member. Any other error is final.
Result<std::string> Client::Authenticate(const std::string& endpoint) {
  std::string host = HostOf(endpoint);
  json credentials = {{"name", options_.username}, {"password", options_.password}};
  auto response = Post(endpoint, "/v3/auth/authenticate", base::JsonText(credentials), "");
  if (!response) return tl::unexpected(response.error());
  json body = ParseFirst(response->body);
  GatewayError e = DecodeError(body);
  if (response->status == 200 && e.code < 0 && body.is_object() && body.contains("token") &&
      body.at("token").is_string()) {
    std::string token = body.at("token").get<std::string>();
    std::lock_guard<std::mutex> lock(mu_);
    token_ = token;
    return token;
  }
  if (MemberUnavailable(response->status, e)) {
    return MakeError(ErrorCode::kUnavailable,
                     host + ": " + Describe(e, response->status, response->body));
  }
  Error error = MapError(e, response->status, response->body, host);
  if (error.code == ErrorCode::kPermissionDenied || e.code == kGrpcInvalidArgument) {
    error.code = ErrorCode::kPermissionDenied;
    error.message = "etcd " + host + ": authentication as '" + options_.username +
                    "' refused: " + e.message.substr(0, 200);
  }
  return tl::unexpected(error);
}

Result<std::string> Client::Call(const std::string& path, const std::string& body) {
  const size_t n = options_.endpoints.size();
  size_t start = 0;
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = current_;
    token = token_;
  }
  std::string failures;
  for (size_t i = 0; i < n; ++i) {
    size_t index = (start + i) % n;
    auto answer = CallOne(options_.endpoints[index], path, body, token);
    if (answer || answer.error().code != ErrorCode::kUnavailable) {
      std::lock_guard<std::mutex> lock(mu_);
      current_ = index;
      return answer;
    }
    failures += (failures.empty() ? "" : "; ") + answer.error().message;
  }
  return MakeError(ErrorCode::kUnavailable, "etcd: no endpoint answered: " + failures);
}

// One member: authenticates first when needed, and once more when the token has expired.
Result<std::string> Client::CallOne(const std::string& endpoint, const std::string& path,
                                    const std::string& body, std::string& token) {
  const std::string host = HostOf(endpoint);
  const bool auth = !options_.username.empty();
  for (int attempt = 0;; ++attempt) {
    if (auth && token.empty()) {
      auto fresh = Authenticate(endpoint);
      if (!fresh) return tl::unexpected(fresh.error());
      token = std::move(*fresh);
    }
    auto response = Post(endpoint, path, body, token);
    if (!response) return tl::unexpected(response.error());
    GatewayError e = DecodeError(ParseFirst(response->body));
    if (response->status == 200 && e.code < 0) return std::move(response->body);
    if (auth && e.code == kGrpcUnauthenticated && attempt == 0) {
      token.clear();  // expired (--auth-token-ttl) or issued by a restarted member
      continue;
    }
    if (MemberUnavailable(response->status, e)) {
      return MakeError(ErrorCode::kUnavailable,
                       host + ": " + Describe(e, response->status, response->body));
    }
    return tl::unexpected(MapError(e, response->status, response->body, host));
  }
}

Result<json> Client::CallJson(const std::string& path, const json& body) {
  auto answer = Call(path, base::JsonText(body));
  if (!answer) return tl::unexpected(answer.error());
  return ParseObject(*answer, HostOf(CurrentEndpoint()));
}

Result<LeaseGrant> Client::Grant(std::chrono::seconds ttl) {
  auto answer = CallJson("/v3/lease/grant", {{"TTL", EncodeInt(ttl.count())}});
  if (!answer) return tl::unexpected(answer.error());
  std::string host = HostOf(CurrentEndpoint());
  auto id = DecodeInt(*answer, "ID", host);
  auto granted = DecodeInt(*answer, "TTL", host);
  if (!id) return tl::unexpected(id.error());
  if (!granted) return tl::unexpected(granted.error());
  if (*id == 0) return MakeError(ErrorCode::kInternal, "etcd " + host + ": lease grant without ID");
  return LeaseGrant{*id, std::chrono::seconds(*granted)};
}

Result<std::chrono::seconds> Client::KeepAlive(int64_t lease) {
  auto answer = CallJson("/v3/lease/keepalive", {{"ID", EncodeInt(lease)}});
  if (!answer) return tl::unexpected(answer.error());
  std::string host = HostOf(CurrentEndpoint());
  // A revoked or expired lease answers a result without a TTL rather than an error.
  auto ttl = DecodeInt(answer->value("result", json::object()), "TTL", host);
  if (!ttl) return tl::unexpected(ttl.error());
  if (*ttl <= 0) {
    return MakeError(ErrorCode::kNotFound, "etcd " + host + ": lease " + std::to_string(lease) +
                                               " not found (expired or revoked)");
  }
  return std::chrono::seconds(*ttl);
}

Result<void> Client::Revoke(int64_t lease) {
  auto answer = CallJson("/v3/lease/revoke", {{"ID", EncodeInt(lease)}});
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

Result<int64_t> Client::Put(const std::string& key, const std::string& value, int64_t lease) {
  json body = {{"key", EncodeBytes(key)}, {"value", EncodeBytes(value)}};
  if (lease != 0) body["lease"] = EncodeInt(lease);
  auto answer = CallJson("/v3/kv/put", body);
  if (!answer) return tl::unexpected(answer.error());
  return DecodeInt(answer->value("header", json::object()), "revision", HostOf(CurrentEndpoint()));
}

Result<RangeResult> Client::Range(const std::string& key, const std::string& range_end,
                                  bool serializable) {
  json body = {{"key", EncodeBytes(key)}};
  if (!range_end.empty()) body["range_end"] = EncodeBytes(range_end);
  if (serializable) body["serializable"] = true;
  auto answer = CallJson("/v3/kv/range", body);
  if (!answer) return tl::unexpected(answer.error());
  std::string host = HostOf(CurrentEndpoint());
  auto revision = DecodeInt(answer->value("header", json::object()), "revision", host);
  if (!revision) return tl::unexpected(revision.error());
  auto kvs = DecodeKvs(*answer, host);
  if (!kvs) return tl::unexpected(kvs.error());
  return RangeResult{std::move(*kvs), *revision};
}

Result<void> Client::DeleteRange(const std::string& key, const std::string& range_end) {
  json body = {{"key", EncodeBytes(key)}};
  if (!range_end.empty()) body["range_end"] = EncodeBytes(range_end);
  auto answer = CallJson("/v3/kv/deleterange", body);
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

Result<TxnResult> Client::Txn(const std::vector<Compare>& compare, const std::vector<Op>& success,
                              const std::vector<Op>& failure) {
  json body = {{"compare", json::array()}, {"success", json::array()}, {"failure", json::array()}};
  for (const auto& c : compare) body["compare"].push_back(EncodeCompare(c));
  for (const auto& op : success) body["success"].push_back(EncodeOp(op));
  for (const auto& op : failure) body["failure"].push_back(EncodeOp(op));
  auto answer = CallJson("/v3/kv/txn", body);
  if (!answer) return tl::unexpected(answer.error());
  return DecodeTxn(*answer, HostOf(CurrentEndpoint()));
}

}  // namespace steer::agent::etcd
