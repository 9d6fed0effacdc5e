#pragma once

// Reads who leads, straight from etcd: a linearizable range of the leader key over the JSON
// gateway (POST /v3/kv/range, etcd 3.4+), trying the endpoints in order. Test-only code
// (tests/fault). Thread-safe (no state of its own; the client must be thread-safe).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/http_client.h"

namespace steer::fault {

struct LeaderView {
  std::optional<std::string> leader;  // the key's value; nullopt = no key (no leader)
  std::optional<int64_t> token;       // the key's create_revision
};

// kUnavailable naming the last endpoint's failure when no endpoint answers 200 with a valid
// range response.
Result<LeaderView> ReadLeader(base::HttpClient& http, const std::vector<std::string>& endpoints,
                              const std::string& key, std::chrono::milliseconds timeout);

// Standard base64 with padding, as etcd's gateway wants keys and values.
std::string Base64(const std::string& data);
// nullopt when malformed.
std::optional<std::string> Unbase64(const std::string& text);

}  // namespace steer::fault
