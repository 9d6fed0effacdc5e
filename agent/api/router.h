#pragma once

// Maps one HTTP request to one response: routing, bearer authentication for POSTs, request
// validation, and the audit record of every authenticated operation (who, what, why, ok).
// Independent of sockets so it is tested directly; ServeApi() puts it behind base::HttpServer.
// Every response carries Server: steerd and Cache-Control: no-store.
//
// Routes:
//   GET  /healthz  /metrics  /api/v1/status  /api/v1/services/{name}
//   GET  /api/v1/history[?service=&limit=&before=]
//   POST /api/v1/services/{name}/{switchover|failover|pause|resume|ack}
//   POST /api/v1/regions/{name}/{drain|undrain}
//   POST /api/v1/{pause|resume|reload}
//   POST /api/v1/incidents  /api/v1/incidents/{id}/{update|resolve}
//   POST /api/v1/maintenance  /api/v1/maintenance/{id}/cancel
// POST bodies are JSON: {"to","force","override":[..],"why","for":"30m"}; the status page's
// operations take the fields of api::StatusRequest.
//
// Thread-safety: Handle() may be called concurrently if the backend and store allow it.

#include <memory>
#include <string>
#include <vector>

#include "agent_metrics.h"
#include "api/backend.h"
#include "api/token_holder.h"
#include "state_store.h"
#include "steer/base/error.h"
#include "steer/base/http_server.h"
#include "steer/config/policy.h"

namespace steer::agent::api {

class Router {
 public:
  // All references must outlive the router. `metrics` may be null. `tokens` may be swapped
  // while the router serves (steerd's reload).
  Router(Backend& backend, const TokenHolder& tokens, StateStore& audit, AgentMetrics* metrics)
      : backend_(backend), tokens_(tokens), audit_(audit), metrics_(metrics) {}

  base::ServerResponse Handle(const base::ServerRequest& request);

 private:
  base::ServerResponse Route(const base::ServerRequest& request);
  base::ServerResponse Get(const std::string& path, const std::string& query);
  base::ServerResponse Post(const base::ServerRequest& request, const std::string& path);
  base::ServerResponse Perform(OperationRequest op);
  base::ServerResponse PostStatus(const std::vector<std::string>& parts, const std::string& body,
                                  const std::string& who);

  Backend& backend_;
  const TokenHolder& tokens_;
  StateStore& audit_;
  AgentMetrics* metrics_;
};

// Splits "a/b/c" on '/', dropping empty parts.
std::vector<std::string> SplitPath(const std::string& path);
// Value of `key` in "a=1&b=2", percent-decoded; "" if absent.
std::string QueryParam(const std::string& query, const std::string& key);

// The API listener's options: `listen` ("127.0.0.1:9053", "[::1]:0"), one thread, keep-alive,
// agent.tls and agent.api_limits; plain HTTP only on loopback unless
// agent.insecure_plain_http (so a --listen override or an inherited socket off loopback is
// refused too). With listen_fd >= 0 (socket activation, base::InheritedListenSocket()) the
// server serves that socket instead of binding `listen`.
Result<base::HttpServerOptions> ApiServerOptions(const std::string& listen,
                                                 const config::AgentConfig& agent,
                                                 int listen_fd = -1);

// Serves `router` with `options` (bound before this returns, so a taken port fails). `router`
// must outlive the server.
Result<std::unique_ptr<base::HttpServer>> ServeApi(const base::HttpServerOptions& options,
                                                   Router& router);
// The same with the default agent settings (plain HTTP on loopback, default limits).
Result<std::unique_ptr<base::HttpServer>> ServeApi(const std::string& listen, Router& router,
                                                   int listen_fd = -1);

}  // namespace steer::agent::api
