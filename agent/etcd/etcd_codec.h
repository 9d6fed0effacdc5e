#pragma once

// The etcd JSON gateway's encoding, kept apart from the client's transport: keys and values
// are base64, int64 fields are JSON strings, fields at their default value are left out.
// Private to agent/etcd. Decoders never throw; a malformed answer is kInternal naming `host`
// (never a value).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "etcd/etcd_client.h"
#include "steer/base/error.h"

namespace steer::agent::etcd {

nlohmann::json EncodeCompare(const Compare& compare);
nlohmann::json EncodeOp(const Op& op);
nlohmann::json EncodeInt(int64_t value);  // "123"
std::string EncodeBytes(const std::string& bytes);

// An int64 field given as a string (or a number); `fallback` when absent. Fails when present
// but not an integer.
Result<int64_t> DecodeInt(const nlohmann::json& object, const char* field, const std::string& host,
                          int64_t fallback = 0);
// A base64 field; "" when absent.
Result<std::string> DecodeBytes(const nlohmann::json& object, const char* field,
                                const std::string& host);
// The `kvs` array of a range response (absent = none).
Result<std::vector<KeyValue>> DecodeKvs(const nlohmann::json& object, const std::string& host);
// A whole txn response.
Result<TxnResult> DecodeTxn(const nlohmann::json& response, const std::string& host);

// An error answer: {"code":5,"error":"..."} (unary calls) or {"error":{"grpc_code":5,
// "message":"..."}} (streams). code -1 when the body is no error.
struct GatewayError {
  int code = -1;
  std::string message;
};
GatewayError DecodeError(const nlohmann::json& body);

}  // namespace steer::agent::etcd
