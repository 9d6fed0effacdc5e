#pragma once

// Maps one HTTP request to one response: routing, bearer authentication for POSTs, request
// validation, and the audit record of every authenticated operation (who, what, why, ok).
// Independent of sockets so it is tested directly; ApiServer feeds it.
//
// Routes:
//   GET  /healthz  /metrics  /api/v1/status  /api/v1/services/{name}
//   GET  /api/v1/history[?service=&limit=&before=]
//   POST /api/v1/services/{name}/{switchover|failover|pause|resume|ack}
//   POST /api/v1/regions/{name}/{drain|undrain}
//   POST /api/v1/{pause|resume|reload}
// POST bodies are JSON: {"to","force","override":[..],"why","for":"30m"}.
//
// Thread-safety: Handle() may be called concurrently if the backend and store allow it.

#include <string>
#include <vector>

#include "agent_metrics.h"
#include "api/backend.h"
#include "api/token_holder.h"
#include "state_store.h"

namespace steer::agent::api {

struct Request {
  std::string method;
  std::string target;  // path and query
  std::string authorization;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Router {
 public:
  // All references must outlive the router. `metrics` may be null. `tokens` may be swapped
  // while the router serves (steerd's reload).
  Router(Backend& backend, const TokenHolder& tokens, StateStore& audit, AgentMetrics* metrics)
      : backend_(backend), tokens_(tokens), audit_(audit), metrics_(metrics) {}

  Response Handle(const Request& request);

 private:
  Response Get(const std::string& path, const std::string& query);
  Response Post(const Request& request, const std::string& path);
  Response Perform(OperationRequest op);

  Backend& backend_;
  const TokenHolder& tokens_;
  StateStore& audit_;
  AgentMetrics* metrics_;
};

// Splits "a/b/c" on '/', dropping empty parts.
std::vector<std::string> SplitPath(const std::string& path);
// Value of `key` in "a=1&b=2", percent-decoded; "" if absent.
std::string QueryParam(const std::string& query, const std::string& key);

}  // namespace steer::agent::api
