#pragma once

// A local Cloudflare DNS API (v4) for tests, served over HTTP on 127.0.0.1:0 under
// /client/v4. It follows the published API closely enough for the provider:
//  - every request needs "Authorization: Bearer <token>"; otherwise 403 with Cloudflare's
//    error envelope (code 10000, "Authentication error");
//  - GET /zones/{id}/dns_records (name, type, page, per_page filters; result_info),
//    POST /zones/{id}/dns_records, GET/PUT/PATCH/DELETE /zones/{id}/dns_records/{record},
//    POST /zones/{id}/dns_records/batch (deletes -> patches -> puts -> posts, all-or-nothing);
//  - validation Cloudflare performs: identical records (81058), CNAME next to other records
//    (81053), invalid A/AAAA content (9005), TTL 1 or within [min_ttl, 86400] (9021);
//  - scripted failures: the next N requests answer 429 (with Retry-After) or a 5xx first.
// Test-only. Thread-safe: the server thread and the test thread share state under a mutex.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "steer/fakes/fake_http.h"

namespace steer::fakes {

struct CloudflareFakeOptions {
  std::string api_token = "cf-steer-fake-TOKEN-0123456789abcdef";
  std::string zone_id = "023e105f4ecef8ad9ca31a8372d0c353";
  std::string zone_name = "example.test";
  int min_ttl = 30;  // Enterprise plans allow 30, others 60
};

struct CloudflareFailure {
  int status = 500;
  int retry_after_seconds = -1;  // >= 0 adds a Retry-After header
};

struct CloudflareFakeRecord {
  std::string id;
  std::string name;  // without trailing dot, as Cloudflare stores it
  std::string type;
  std::string content;
  int ttl = 1;
  bool proxied = false;
};

class CloudflareFake {
 public:
  explicit CloudflareFake(CloudflareFakeOptions options = {});
  ~CloudflareFake();

  std::string endpoint() const;  // http://127.0.0.1:PORT/client/v4

  void FailNext(std::vector<CloudflareFailure> failures);
  // Seeds a record directly (no API call); returns its id.
  std::string Add(const std::string& name, const std::string& type, const std::string& content,
                  int ttl);
  std::vector<CloudflareFakeRecord> Records(const std::string& name, const std::string& type) const;

  int requests() const;        // authenticated requests, failures included
  int batch_requests() const;  // POST .../dns_records/batch that were applied
  int write_requests() const;  // any applied write (batch, POST, PUT, PATCH, DELETE)
  int auth_failures() const;

 private:
  using json = nlohmann::json;
  using Store = std::vector<CloudflareFakeRecord>;

  base::ServerResponse Handle(const base::ServerRequest& request);
  base::ServerResponse Route(const base::ServerRequest& request, const std::string& path,
                             const std::string& query);
  base::ServerResponse List(const std::string& query);
  base::ServerResponse Batch(const json& body);
  base::ServerResponse Reply(int status, const json& result);
  base::ServerResponse Fail(int status, int code, const std::string& message);

  // Validation and mutation on a copy of the store; an error leaves it untouched.
  struct Problem {
    int status = 400;
    int code = 0;
    std::string message;
  };
  std::optional<Problem> Create(Store& store, const json& body, json* out);
  std::optional<Problem> Update(Store& store, const std::string& id, const json& body, bool replace,
                                json* out);
  std::optional<Problem> Delete(Store& store, const std::string& id);
  std::optional<Problem> Check(const Store& store, const CloudflareFakeRecord& record) const;
  json ToJson(const CloudflareFakeRecord& record) const;

  CloudflareFakeOptions options_;
  mutable std::mutex mu_;
  Store records_;
  std::deque<CloudflareFailure> failures_;
  int next_id_ = 1;
  int requests_ = 0;
  int batch_requests_ = 0;
  int write_requests_ = 0;
  int auth_failures_ = 0;
  std::unique_ptr<base::HttpServer> server_;  // last: stopped before the state goes
};

}  // namespace steer::fakes
