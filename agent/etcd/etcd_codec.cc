#include "etcd/etcd_codec.h"

#include <charconv>

#include "steer/auth/crypto_util.h"

namespace steer::agent::etcd {
namespace {

using nlohmann::json;

Error Malformed(const std::string& host, const std::string& what) {
  return Error(ErrorCode::kInternal, "etcd " + host + ": malformed answer: " + what);
}

const char* TargetName(Compare::Target target) {
  switch (target) {
    case Compare::Target::kCreate:
      return "CREATE";
    case Compare::Target::kValue:
      return "VALUE";
    case Compare::Target::kMod:
      return "MOD";
    case Compare::Target::kVersion:
      return "VERSION";
    case Compare::Target::kLease:
      return "LEASE";
  }
  return "CREATE";
}

const char* ResultName(Compare::Result result) {
  switch (result) {
    case Compare::Result::kEqual:
      return "EQUAL";
    case Compare::Result::kNotEqual:
      return "NOT_EQUAL";
    case Compare::Result::kGreater:
      return "GREATER";
    case Compare::Result::kLess:
      return "LESS";
  }
  return "EQUAL";
}

json EncodeRange(const std::string& key, const std::string& range_end) {
  json out = {{"key", EncodeBytes(key)}};
  if (!range_end.empty()) out["range_end"] = EncodeBytes(range_end);
  return out;
}

Result<KeyValue> DecodeKv(const json& kv, const std::string& host) {
  if (!kv.is_object()) return tl::unexpected(Malformed(host, "a kv is not an object"));
  KeyValue out;
  auto key = DecodeBytes(kv, "key", host);
  auto value = DecodeBytes(kv, "value", host);
  auto create = DecodeInt(kv, "create_revision", host);
  auto mod = DecodeInt(kv, "mod_revision", host);
  auto version = DecodeInt(kv, "version", host);
  auto lease = DecodeInt(kv, "lease", host);
  for (const Error* e : {key ? nullptr : &key.error(), value ? nullptr : &value.error(),
                         create ? nullptr : &create.error(), mod ? nullptr : &mod.error(),
                         version ? nullptr : &version.error(), lease ? nullptr : &lease.error()}) {
    if (e != nullptr) return tl::unexpected(*e);
  }
  out.key = std::move(*key);
  out.value = std::move(*value);
  out.create_revision = *create;
  out.mod_revision = *mod;
  out.version = *version;
  out.lease = *lease;
  return out;
}

}  // namespace

std::string EncodeBytes(const std::string& bytes) { return auth::Base64Encode(bytes); }

json EncodeInt(int64_t value) { return std::to_string(value); }

json EncodeCompare(const Compare& compare) {
  json out = {{"key", EncodeBytes(compare.key)},
              {"target", TargetName(compare.target)},
              {"result", ResultName(compare.result)}};
  switch (compare.target) {
    case Compare::Target::kCreate:
      out["create_revision"] = EncodeInt(compare.revision);
      break;
    case Compare::Target::kMod:
      out["mod_revision"] = EncodeInt(compare.revision);
      break;
    case Compare::Target::kVersion:
      out["version"] = EncodeInt(compare.revision);
      break;
    case Compare::Target::kValue:
      out["value"] = EncodeBytes(compare.value);
      break;
    case Compare::Target::kLease:
      out["lease"] = EncodeInt(compare.revision);
      break;
  }
  return out;
}

json EncodeOp(const Op& op) {
  switch (op.kind) {
    case Op::Kind::kPut: {
      json put = {{"key", EncodeBytes(op.key)}, {"value", EncodeBytes(op.value)}};
      if (op.lease != 0) put["lease"] = EncodeInt(op.lease);
      return {{"request_put", put}};
    }
    case Op::Kind::kDelete:
      return {{"request_delete_range", EncodeRange(op.key, op.range_end)}};
    case Op::Kind::kRange:
      return {{"request_range", EncodeRange(op.key, op.range_end)}};
  }
  return json::object();
}

Result<int64_t> DecodeInt(const json& object, const char* field, const std::string& host,
                          int64_t fallback) {
  if (!object.is_object() || !object.contains(field)) return fallback;
  const json& v = object.at(field);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return tl::unexpected(Malformed(host, std::string(field) + " not an int"));
  const auto& s = v.get_ref<const std::string&>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return tl::unexpected(Malformed(host, std::string(field) + " not an int"));
  }
  return out;
}

Result<std::string> DecodeBytes(const json& object, const char* field, const std::string& host) {
  if (!object.is_object() || !object.contains(field)) return std::string();
  const json& v = object.at(field);
  if (!v.is_string()) return tl::unexpected(Malformed(host, std::string(field) + " not base64"));
  auto decoded = auth::Base64Decode(v.get_ref<const std::string&>());
  if (!decoded) return tl::unexpected(Malformed(host, std::string(field) + " not base64"));
  return std::move(*decoded);
}

Result<std::vector<KeyValue>> DecodeKvs(const json& object, const std::string& host) {
  std::vector<KeyValue> out;
  if (!object.is_object() || !object.contains("kvs")) return out;
  const json& kvs = object.at("kvs");
  if (!kvs.is_array()) return tl::unexpected(Malformed(host, "kvs not an array"));
  for (const json& kv : kvs) {
    auto decoded = DecodeKv(kv, host);
    if (!decoded) return tl::unexpected(decoded.error());
    out.push_back(std::move(*decoded));
  }
  return out;
}

Result<TxnResult> DecodeTxn(const json& response, const std::string& host) {
  TxnResult out;
  const json* succeeded = response.contains("succeeded") ? &response.at("succeeded") : nullptr;
  out.succeeded = succeeded != nullptr && succeeded->is_boolean() && succeeded->get<bool>();
  auto revision = DecodeInt(response.value("header", json::object()), "revision", host);
  if (!revision) return tl::unexpected(revision.error());
  out.revision = *revision;
  json responses = response.value("responses", json::array());
  if (!responses.is_array()) return tl::unexpected(Malformed(host, "responses not an array"));
  for (const json& r : responses) {
    const json* range =
        r.is_object() && r.contains("response_range") ? &r.at("response_range") : nullptr;
    if (range == nullptr) {
      out.ranges.emplace_back();
      continue;
    }
    auto kvs = DecodeKvs(*range, host);
    if (!kvs) return tl::unexpected(kvs.error());
    out.ranges.push_back(std::move(*kvs));
  }
  return out;
}

GatewayError DecodeError(const json& body) {
  GatewayError out;
  if (!body.is_object() || !body.contains("error")) return out;
  const json& e = body.at("error");
  if (e.is_object()) {  // a stream's error
    out.code = e.value("grpc_code", 2);
    out.message = e.value("message", "");
    return out;
  }
  out.code =
      body.contains("code") && body.at("code").is_number_integer() ? body.at("code").get<int>() : 2;
  out.message = e.is_string() ? e.get<std::string>() : body.value("message", "");
  return out;
}

}  // namespace steer::agent::etcd
