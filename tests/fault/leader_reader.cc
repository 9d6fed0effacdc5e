// The leader key read from etcd's JSON gateway (see leader_reader.h).
#include "leader_reader.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

namespace steer::fault {
namespace {

using nlohmann::json;

std::optional<int64_t> Int64(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t value = std::stoll(it->get<std::string>(), &used);
    if (used == it->get<std::string>().size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

Result<LeaderView> ParseRange(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(ErrorCode::kUnavailable, "range answer is not JSON");
  }
  LeaderView view;
  auto kvs = j.find("kvs");
  if (kvs == j.end() || !kvs->is_array() || kvs->empty()) return view;  // no leader
  const json& kv = (*kvs)[0];
  auto value = Unbase64(kv.value("value", std::string()));
  auto token = Int64(kv, "create_revision");
  if (!value || !token) {
    return MakeError(ErrorCode::kUnavailable, "range answer has a malformed kv");
  }
  view.leader = *value;
  view.token = *token;
  return view;
}

}  // namespace

std::string Base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

Result<LeaderView> ReadLeader(base::HttpClient& http, const std::vector<std::string>& endpoints,
                              const std::string& key, std::chrono::milliseconds timeout) {
  std::string last = "no etcd endpoint";
  for (const auto& endpoint : endpoints) {
    base::HttpRequest request;
    request.method = "POST";
    request.url = endpoint + "/v3/kv/range";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = json{{"key", Base64(key)}}.dump();  // serializable=false: linearizable
    request.timeout = timeout;
    auto response = http.Send(request);
    if (!response) {
      last = endpoint + ": " + response.error().message;
      continue;
    }
    if (response->status != 200) {
      last = endpoint + ": HTTP " + std::to_string(response->status);
      continue;
    }
    auto view = ParseRange(response->body);
    if (view) return view;
    last = endpoint + ": " + view.error().message;
  }
  return MakeError(ErrorCode::kUnavailable, "etcd: " + last);
}

}  // namespace steer::fault
