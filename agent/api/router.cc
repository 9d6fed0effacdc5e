#include "api/router.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "api/status_routes.h"
#include "steer/base/duration.h"
#include "steer/base/json_text.h"
#include "steer/base/log.h"

namespace steer::agent::api {
namespace {

using json = nlohmann::json;

// Request text echoed in a response (a path, a service name) may be any bytes: invalid UTF-8
// becomes U+FFFD instead of json::dump throwing out of Handle.
base::ServerResponse Json(int status, const json& body) {
  return base::ServerResponse{status, "application/json", base::JsonText(body), {}, {}};
}

base::ServerResponse ErrorResponse(int status, const std::string& message) {
  return Json(status, json{{"ok", false}, {"error", message}});
}

int HttpStatus(OperationOutcome::Status s) {
  switch (s) {
    case OperationOutcome::Status::kOk:
      return 200;
    case OperationOutcome::Status::kRefused:
      return 409;
    case OperationOutcome::Status::kNotFound:
      return 404;
    case OperationOutcome::Status::kInvalid:
      return 400;
    case OperationOutcome::Status::kFailed:
      return 500;
  }
  return 500;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// "failover login --to b --force --override max_changes_per_hour"
std::string Describe(const OperationRequest& r) {
  std::string s = OpName(r.op);
  if (!r.service.empty()) s += " " + r.service;
  if (!r.region.empty()) s += " " + r.region;
  if (!r.to.empty()) s += " --to " + r.to;
  if (r.force) s += " --force";
  for (const auto& o : r.overrides) s += " --override " + o;
  if (r.duration) s += " --for " + base::FormatDuration(*r.duration);
  return s;
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kSwitchover:
      return "switchover";
    case Op::kFailover:
      return "failover";
    case Op::kDrain:
      return "drain";
    case Op::kUndrain:
      return "undrain";
    case Op::kPause:
      return "pause";
    case Op::kResume:
      return "resume";
    case Op::kAck:
      return "ack";
    case Op::kReload:
      return "reload";
  }
  return "unknown";
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(PercentDecode(path.substr(start, end - start)));
    start = end + 1;
  }
  return parts;
}

std::string QueryParam(const std::string& query, const std::string& key) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string kv = query.substr(pos, amp - pos);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key)
      return eq == std::string::npos ? "" : PercentDecode(kv.substr(eq + 1));
    pos = amp + 1;
  }
  return "";
}

base::ServerResponse Router::Handle(const base::ServerRequest& req) {
  base::ServerResponse r = Route(req);
  r.With("Server", "steerd").With("Cache-Control", "no-store");
  return r;
}

base::ServerResponse Router::Route(const base::ServerRequest& req) {
  if (req.method == "GET" || req.method == "HEAD") return Get(req.path, req.query);
  if (req.method == "POST") return Post(req, req.path);
  base::ServerResponse r = ErrorResponse(405, "method not allowed");
  r.headers.emplace_back("Allow", "GET, POST");
  return r;
}

base::ServerResponse Router::Get(const std::string& path, const std::string& query) {
  auto parts = SplitPath(path);
  if (path == "/healthz") {
    std::string reason;
    bool ok = backend_.Healthy(&reason);
    return base::ServerResponse{
        ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : reason + "\n", {}, {}};
  }
  if (path == "/metrics") {
    return base::ServerResponse{
        200, "text/plain; version=0.0.4; charset=utf-8", backend_.Metrics(), {}, {}};
  }
  if (path == "/api/v1/status") return Json(200, backend_.Status());
  if (parts.size() == 4 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "services") {
    auto s = backend_.Service(parts[3]);
    if (!s) return ErrorResponse(404, "no service '" + parts[3] + "'");
    return Json(200, *s);
  }
  if (path == "/api/v1/history") {
    HistoryRequest h;
    h.service = QueryParam(query, "service");
    std::string limit = QueryParam(query, "limit");
    std::string before = QueryParam(query, "before");
    try {
      if (!limit.empty()) h.limit = std::clamp(std::stoi(limit), 1, 1000);
      if (!before.empty()) h.before_id = std::stoll(before);
    } catch (const std::exception&) {
      return ErrorResponse(400, "limit and before must be integers");
    }
    return Json(200, backend_.History(h));
  }
  return ErrorResponse(404, "not found");
}

namespace {

// Fills the body's fields into `op`; an error message if malformed.
std::optional<std::string> ParseBody(const std::string& text, OperationRequest* op) {
  json body = text.empty() ? json::object() : json::parse(text, nullptr, false);
  if (!body.is_object()) return "body must be a JSON object";
  try {
    op->to = body.value("to", "");
    op->force = body.value("force", false);
    op->why = body.value("why", "");
    if (body.contains("override")) {
      op->overrides = body["override"].get<std::vector<std::string>>();
    }
    if (body.contains("for")) {
      auto d = base::ParseDuration(body["for"].get<std::string>());
      if (!d) return "for: " + d.error().message;
      op->duration = *d;
    }
  } catch (const json::exception&) {
    return "to/why/for must be strings, force a boolean, override a list of rule names";
  }
  return std::nullopt;
}

// Fills service/region from the path; false if the operation has no such route.
bool ParseTarget(const std::vector<std::string>& parts, OperationRequest* op) {
  Op o = op->op;
  bool service_op = o == Op::kSwitchover || o == Op::kFailover || o == Op::kAck ||
                    o == Op::kPause || o == Op::kResume;
  bool region_op = o == Op::kDrain || o == Op::kUndrain;
  bool global_op = o == Op::kPause || o == Op::kResume || o == Op::kReload;
  if (parts.size() == 5 && parts[2] == "services" && service_op) {
    op->service = parts[3];
  } else if (parts.size() == 5 && parts[2] == "regions" && region_op) {
    op->region = parts[3];
  } else if (!(parts.size() == 3 && global_op)) {
    return false;
  }
  return true;
}

}  // namespace

base::ServerResponse Router::Post(const base::ServerRequest& req, const std::string& path) {
  auto who = tokens_.Get()->Authenticate(req.Header("authorization"));
  if (!who) {
    base::Logger("agent")->warn("API: refused unauthenticated POST {}", path);
    if (metrics_) metrics_->operations->Inc({"unknown", "unauthorized"});
    base::ServerResponse r = ErrorResponse(401, "a valid bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"steerd\"");
    return r;
  }
  auto parts = SplitPath(path);
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") {
    return ErrorResponse(404, "not found");
  }
  if (parts[2] == "incidents" || parts[2] == "maintenance")
    return PostStatus(parts, req.body, *who);
  OperationRequest op;
  op.who = *who;
  auto verb = ParseOp(parts.back());
  if (!verb) return ErrorResponse(404, "no operation '" + parts.back() + "'");
  op.op = *verb;
  if (!ParseTarget(parts, &op)) {
    return ErrorResponse(404, "no route for " + std::string(OpName(op.op)) + " at " + path);
  }
  if (auto bad = ParseBody(req.body, &op)) return ErrorResponse(400, *bad);
  if ((op.op == Op::kSwitchover || op.op == Op::kFailover) && op.to.empty()) {
    return ErrorResponse(400, std::string(OpName(op.op)) + " needs \"to\": the target region");
  }
  if (op.op == Op::kFailover && !op.force) {
    return ErrorResponse(400, "failover needs \"force\": true (use switchover for a healthy move)");
  }
  return Perform(std::move(op));
}

base::ServerResponse Router::Perform(OperationRequest op) {
  OperationOutcome out = backend_.Operate(op);
  bool ok = out.status == OperationOutcome::Status::kOk;
  std::string what = Describe(op);
  std::string result = ok ? "ok"
                       : out.refused_by.empty()
                           ? out.message
                           : "refused by " + out.refused_by + ": " + out.message;
  auto id = audit_.Append(AuditEntry{0, std::chrono::system_clock::now(), AuditKind::kOperation,
                                     op.who, op.service, what + " => " + result, op.why, ok});
  if (!id) base::Logger("agent")->error("audit append failed: {}", id.error().message);
  base::Logger("agent")->info("operation by {}: {} => {}", op.who, what, result);
  if (metrics_) {
    metrics_->operations->Inc({OpName(op.op), ok                       ? "ok"
                                              : out.refused_by.empty() ? "error"
                                                                       : "refused"});
  }
  json body = {
      {"ok", ok}, {"operation", OpName(op.op)}, {"message", out.message}, {"detail", out.detail}};
  if (!ok) body["error"] = out.message;
  if (!out.refused_by.empty()) body["refused_by"] = out.refused_by;
  if (id) body["audit_id"] = *id;
  return Json(HttpStatus(out.status), body);
}

// Incidents and maintenance windows: routed, handed to the backend, audited like an operation
// (the message is the audit's why).
base::ServerResponse Router::PostStatus(const std::vector<std::string>& parts,
                                        const std::string& body, const std::string& who) {
  StatusRequest r;
  r.who = who;
  if (!ParseStatusRoute(parts, &r)) return ErrorResponse(404, "not found");
  r.body = body.empty() ? json::object() : json::parse(body, nullptr, false);
  if (!r.body.is_object()) return ErrorResponse(400, "body must be a JSON object");
  OperationOutcome out = backend_.OperateStatus(r);
  const bool ok = out.status == OperationOutcome::Status::kOk;
  std::string what = DescribeStatus(r);
  if (ok && out.detail.contains("id")) what += " (#" + base::JsonText(out.detail["id"]) + ")";
  std::string why;
  if (r.body.contains("message") && r.body["message"].is_string()) {
    why = r.body["message"].get<std::string>();
  }
  auto id = audit_.Append(AuditEntry{0, std::chrono::system_clock::now(), AuditKind::kOperation,
                                     who, "", what + " => " + (ok ? "ok" : out.message), why, ok});
  if (!id) base::Logger("agent")->error("audit append failed: {}", id.error().message);
  base::Logger("agent")->info("operation by {}: {} => {}", who, what, ok ? "ok" : out.message);
  std::string name = StatusOpName(r.op);
  std::replace(name.begin(), name.end(), ' ', '_');  // incident_open: the metric's label
  if (metrics_) metrics_->operations->Inc({name, ok ? "ok" : "error"});
  json reply = {{"ok", ok}, {"operation", name}, {"message", out.message}, {"detail", out.detail}};
  if (!ok) reply["error"] = out.message;
  if (id) reply["audit_id"] = *id;
  return Json(HttpStatus(out.status), reply);
}

Result<base::HttpServerOptions> ApiServerOptions(const std::string& listen,
                                                 const config::AgentConfig& agent, int listen_fd) {
  auto hp = base::ParseListen(listen);
  if (!hp) return tl::unexpected(hp.error());
  const config::ApiLimits& l = agent.api_limits;
  base::HttpServerOptions o;
  o.address = hp->first;
  o.port = static_cast<uint16_t>(hp->second);
  o.threads = 1;
  o.max_connections = static_cast<size_t>(l.max_connections);
  o.max_body_bytes = static_cast<size_t>(l.max_body_bytes);
  o.max_header_bytes = static_cast<size_t>(l.max_header_bytes);
  o.read_timeout = l.request_timeout;
  o.header_timeout = l.header_timeout;
  o.idle_timeout = l.idle_timeout;
  o.tls_cert_file = agent.tls.cert_file;
  o.tls_key_file = agent.tls.key_file;
  o.tls_client_ca_file = agent.tls.client_ca_file;
  o.plain_http_loopback_only = !agent.insecure_plain_http;
  o.listen_fd = listen_fd;
  return o;
}

Result<std::unique_ptr<base::HttpServer>> ServeApi(const base::HttpServerOptions& options,
                                                   Router& router) {
  auto server = base::HttpServer::Start(
      options, [&router](const base::ServerRequest& r) { return router.Handle(r); });
  if (!server) return tl::unexpected(server.error());
  base::Logger("agent")->info("API listening on {}://{}",
                              options.tls_cert_file.empty() ? "http" : "https",
                              (*server)->address());
  return server;
}

Result<std::unique_ptr<base::HttpServer>> ServeApi(const std::string& listen, Router& router,
                                                   int listen_fd) {
  auto o = ApiServerOptions(listen, config::AgentConfig{}, listen_fd);
  if (!o) return tl::unexpected(o.error());
  return ServeApi(*o, router);
}

std::optional<Op> ParseOp(const std::string& verb) {
  static const std::pair<const char*, Op> kOps[] = {{"switchover", Op::kSwitchover},
                                                    {"failover", Op::kFailover},
                                                    {"drain", Op::kDrain},
                                                    {"undrain", Op::kUndrain},
                                                    {"pause", Op::kPause},
                                                    {"resume", Op::kResume},
                                                    {"ack", Op::kAck},
                                                    {"reload", Op::kReload}};
  for (const auto& [name, op] : kOps) {
    if (verb == name) return op;
  }
  return std::nullopt;
}

}  // namespace steer::agent::api
