#pragma once

// EtcdClient: the few etcd v3 operations Steer's coordination needs, over etcd's JSON gateway
// (`POST /v3/...`, etcd 3.4+) and the project's one HTTP client (base::HttpClient). Keys and
// values are plain bytes here; the client does the gateway's base64 and its int64-as-string
// encoding.
//
// Endpoints: a request goes to the endpoint that answered last; on a transport failure (a
// timeout included: a hung member costs one request_timeout) or a 5xx / "etcdserver: no
// leader" / "leader changed" it moves on to the next, and after a full round without an answer
// it fails with kUnavailable naming each endpoint's failure. Any other answer is final: lease
// not found is kNotFound, refused credentials or permissions kPermissionDenied, a malformed
// request kInvalidArgument. The caller owns the retry loop and its
// backoff (dns::RetryPolicy's full jitter); this client never sleeps.
//
// Auth: with a username, the client authenticates (`/v3/auth/authenticate`) on first use and
// again when etcd answers "invalid auth token" (the token expires after --auth-token-ttl),
// sending the token as the bare `Authorization` header. Wrong credentials are
// kPermissionDenied naming the endpoint. TLS: https endpoints use `tls.ca_file` to verify the
// server and `tls.cert_file`/`tls.key_file` as the client certificate (mTLS).
//
// Errors never contain the password, the auth token or a value.
//
// Thread-safety: every method may be called from several threads at once (one mutex guards
// the current endpoint and the auth token; requests run outside it).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "steer/base/error.h"
#include "steer/base/http_client.h"

namespace steer::agent::etcd {

struct ClientOptions {
  std::vector<std::string> endpoints;  // http(s)://host:port
  std::string ca_file;                 // https: CA bundle to verify the server ("" = system)
  std::string cert_file;               // mTLS client certificate ("" = none)
  std::string key_file;                // mTLS client key
  std::string username;                // "" = no auth
  std::string password;                // the secret itself (resolved from the policy's ref)
  std::chrono::milliseconds request_timeout{2000};  // per request, connect included
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
};

struct RangeResult {
  std::vector<KeyValue> kvs;
  int64_t revision = 0;  // the store revision the read saw (header.revision)
};

// One txn compare. Only the targets coordination uses.
struct Compare {
  enum class Target { kCreate, kValue, kMod, kVersion, kLease };
  enum class Result { kEqual, kNotEqual, kGreater, kLess };
  std::string key;
  Target target = Target::kCreate;
  Result result = Result::kEqual;
  int64_t revision = 0;  // kCreate / kMod / kVersion; the lease ID for kLease
  std::string value;     // kValue
};

// One txn operation: a put (with an optional lease), a delete, or a range read.
struct Op {
  enum class Kind { kPut, kDelete, kRange };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;      // kPut
  int64_t lease = 0;      // kPut; 0 = none
  std::string range_end;  // kDelete / kRange: "" = the key alone

  static Op Put(std::string key, std::string value, int64_t lease = 0);
  static Op Delete(std::string key);
  static Op Get(std::string key);
};

struct TxnResult {
  bool succeeded = false;
  int64_t revision = 0;  // header.revision after the txn
  // One entry per op of the branch that ran: the kvs read by a kRange op (empty otherwise).
  std::vector<std::vector<KeyValue>> ranges;
};

struct LeaseGrant {
  int64_t id = 0;
  std::chrono::seconds ttl{0};  // as granted (etcd raises a TTL below its minimum)
};

// The smallest key greater than every key with this prefix ("" when none exists).
std::string PrefixEnd(const std::string& prefix);

class Client {
 public:
  // `http` must outlive the client. Fails on an empty endpoint list or a malformed endpoint.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options, base::HttpClient& http);

  Result<LeaseGrant> Grant(std::chrono::seconds ttl);
  // The lease's remaining TTL; kNotFound when the lease expired or was revoked.
  Result<std::chrono::seconds> KeepAlive(int64_t lease);
  // kNotFound when the lease no longer exists.
  Result<void> Revoke(int64_t lease);

  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease = 0);
  // `range_end` "" reads the key alone; PrefixEnd(prefix) reads a prefix. `serializable`
  // reads from the member asked without a round through the raft leader (may be stale).
  Result<RangeResult> Range(const std::string& key, const std::string& range_end = "",
                            bool serializable = false);
  Result<void> DeleteRange(const std::string& key, const std::string& range_end = "");
  Result<TxnResult> Txn(const std::vector<Compare>& compare, const std::vector<Op>& success,
                        const std::vector<Op>& failure);

  // The endpoint the next request goes to first (for logs and status).
  std::string CurrentEndpoint() const;

 private:
  Client(ClientOptions options, base::HttpClient& http);
  // POSTs `body` to `path` on the current endpoint, moving on through the list on
  // transport errors and unavailable members; authenticates when configured.
  Result<std::string> Call(const std::string& path, const std::string& body);
  // Call() with a JSON body, parsing the answer (an object).
  Result<nlohmann::json> CallJson(const std::string& path, const nlohmann::json& body);
  // One endpoint: authenticates when configured (and once more on an expired token);
  // kUnavailable means "try the next member".
  Result<std::string> CallOne(const std::string& endpoint, const std::string& path,
                              const std::string& body, std::string& token);
  // POST with the TLS options and the token; transport failures are kUnavailable.
  Result<base::HttpResponse> Post(const std::string& endpoint, const std::string& path,
                                  const std::string& body, const std::string& token);
  // A fresh token from this endpoint, also stored as token_.
  Result<std::string> Authenticate(const std::string& endpoint);

  const ClientOptions options_;
  base::HttpClient& http_;
  mutable std::mutex mu_;
  size_t current_ = 0;
  std::string token_;
};

}  // namespace steer::agent::etcd
