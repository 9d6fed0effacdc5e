// The recording reverse proxy (see write_recorder.h).
#include "write_recorder.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "leader_reader.h"
#include "write_check.h"

namespace steer::fault {
namespace {

using base::ServerRequest;
using base::ServerResponse;
using nlohmann::json;

const std::set<std::string> kHopByHop = {
    "connection", "keep-alive",   "proxy-authenticate",    "proxy-authorization", "te",
    "trailer",    "upgrade",      "transfer-encoding",     "content-length",      "host",
    "expect",     "content-type", "x-content-type-options"};

ServerResponse JsonAnswer(int status, const json& body) {
  ServerResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

ServerResponse BadRequest(const std::string& what) { return JsonAnswer(400, {{"error", what}}); }

// The fault a control request asks for, or the reason it is refused.
Result<std::pair<std::string, Fault>> ParseFault(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  auto bad = [](const std::string& what) { return MakeError(ErrorCode::kInvalidArgument, what); };
  if (j.is_discarded() || !j.is_object()) return bad("body is not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "writer" && key != "mode" && key != "hold_ms" && key != "scope") {
      return bad("unknown key \"" + key + "\" (writer, mode, hold_ms, scope)");
    }
  }
  if (!j.contains("writer") || !j["writer"].is_string() || j["writer"].get<std::string>() == "") {
    return bad("\"writer\" must be a non-empty string");
  }
  Fault fault;
  if (j.contains("hold_ms") == j.contains("mode"))
    return bad("give one of \"mode\" or \"hold_ms\"");
  if (j.contains("hold_ms")) {
    if (!j["hold_ms"].is_number_integer() || j["hold_ms"].get<int64_t>() < 0) {
      return bad("\"hold_ms\" must be an integer >= 0");
    }
    fault.mode = "hold";
    fault.hold_ms = j["hold_ms"].get<int64_t>();
  } else {
    fault.mode = j["mode"].is_string() ? j["mode"].get<std::string>() : "";
    if (fault.mode != "fail503" && fault.mode != "none") {
      return bad("\"mode\" must be \"fail503\" or \"none\"");
    }
  }
  std::string scope = j.value("scope", std::string("writes"));
  if (scope != "writes" && scope != "all") return bad("\"scope\" must be \"writes\" or \"all\"");
  fault.all_requests = scope == "all";
  return std::make_pair(j["writer"].get<std::string>(), fault);
}

std::string Ip(std::string ip) {
  constexpr std::string_view kMapped = "::ffff:";
  if (ip.rfind(kMapped, 0) == 0 && ip.find('.') != std::string::npos) ip.erase(0, kMapped.size());
  return ip;
}

std::optional<int64_t> ParseToken(const std::string& text) {
  try {
    size_t used = 0;
    int64_t value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

bool IsZoneWrite(const std::string& method, const std::string& path) {
  if (method != "PATCH" && method != "PUT" && method != "POST" && method != "DELETE") return false;
  constexpr std::string_view kServers = "/api/v1/servers/";
  if (path.rfind(kServers, 0) != 0) return false;
  size_t slash = path.find('/', kServers.size());
  if (slash == std::string::npos || slash == kServers.size()) return false;
  std::string rest = path.substr(slash);
  return rest == "/zones" || rest.rfind("/zones/", 0) == 0;
}

WriteRecorder::WriteRecorder(RecorderOptions options, base::HttpClient& http,
                             const base::Clock& clock, Sink sink)
    : options_(std::move(options)), http_(http), clock_(clock), sink_(std::move(sink)) {}

std::string WriteRecorder::WriterOf(const ServerRequest& request) const {
  std::string ip = Ip(request.remote_ip);
  auto it = options_.writers.find(ip);
  if (it != options_.writers.end()) return it->second;
  std::string vantage = request.Header("x-steer-vantage");
  return vantage.empty() ? ip : vantage;
}

int64_t WriteRecorder::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

Fault WriteRecorder::FaultFor(const std::string& writer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = faults_.find(writer);
  return it == faults_.end() ? Fault{} : it->second;
}

ServerResponse WriteRecorder::Handle(const ServerRequest& request) {
  if (request.path.rfind("/_recorder/", 0) == 0) return Control(request);
  std::string writer = WriterOf(request);
  Fault fault = FaultFor(writer);
  bool write = IsZoneWrite(request.method, request.path);
  if (write) return RecordWrite(request, writer, fault);
  if (fault.all_requests && fault.mode == "fail503") {
    return JsonAnswer(503, {{"error", "steer_write_recorder: injected fail503"}});
  }
  if (fault.all_requests && fault.mode == "hold") {
    clock_.SleepFor(std::chrono::milliseconds(fault.hold_ms));
  }
  return Forward(request);
}

ServerResponse WriteRecorder::RecordWrite(const ServerRequest& request, const std::string& writer,
                                          const Fault& fault) {
  WriteRecord record;
  record.t_ms = NowMs();
  record.writer = writer;
  record.writer_ip = Ip(request.remote_ip);
  record.writer_header = request.Header("x-steer-vantage");
  std::string token = request.Header("x-steer-fencing-token");
  if (!token.empty()) {
    record.writer_token = ParseToken(token);
    if (!record.writer_token) record.bad_writer_token = token;
  }
  record.method = request.method;
  record.path = request.path;
  record.rrsets = ParsePdnsRrsets(request.body);
  ServerResponse response;
  if (fault.mode == "fail503") {
    record.injected = "fail503";
    response = JsonAnswer(503, {{"error", "steer_write_recorder: injected fail503"}});
  } else {
    if (fault.mode == "hold") {
      record.injected = "hold_ms=" + std::to_string(fault.hold_ms);
      clock_.SleepFor(std::chrono::milliseconds(fault.hold_ms));
    }
    auto leader =
        ReadLeader(http_, options_.etcd_endpoints, options_.leader_key, options_.etcd_timeout);
    if (leader) {
      record.leader = leader->leader;
      record.leader_token = leader->token;
    } else {
      record.leader_error = leader.error().message;
    }
    response = Forward(request);
  }
  record.status = response.status;
  record.done_ms = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  sink_(ToJsonLine(record));
  return response;
}

ServerResponse WriteRecorder::Forward(const ServerRequest& request) {
  base::HttpRequest out;
  out.method = request.method;
  out.url = options_.upstream + request.path + (request.query.empty() ? "" : "?" + request.query);
  for (const auto& [name, value] : request.headers) {
    if (!kHopByHop.count(name)) out.headers.emplace_back(name, value);
  }
  std::string type = request.Header("content-type");
  if (!type.empty()) out.headers.emplace_back("Content-Type", type);
  out.body = request.body;
  out.timeout = options_.upstream_timeout;
  auto answer = http_.Send(out);
  if (!answer) {
    return JsonAnswer(502, {{"error", "steer_write_recorder: " + answer.error().message}});
  }
  ServerResponse response;
  response.status = answer->status;
  response.content_type = answer->Header("Content-Type");
  response.body = answer->body;
  for (const auto& [name, value] : answer->headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!kHopByHop.count(lower)) response.With(name, value);
  }
  return response;
}

ServerResponse WriteRecorder::Control(const ServerRequest& request) {
  if (request.method == "GET" && request.path == "/_recorder/faults") {
    std::lock_guard<std::mutex> lock(mu_);
    json out = json::object();
    for (const auto& [writer, f] : faults_) {
      out[writer] = {
          {"mode", f.mode}, {"hold_ms", f.hold_ms}, {"scope", f.all_requests ? "all" : "writes"}};
    }
    return JsonAnswer(200, out);
  }
  if (request.method != "POST" || request.path != "/_recorder/fault") {
    return JsonAnswer(404, {{"error", "POST /_recorder/fault or GET /_recorder/faults"}});
  }
  auto parsed = ParseFault(request.body);
  if (!parsed) return BadRequest(parsed.error().message);
  std::lock_guard<std::mutex> lock(mu_);
  if (parsed->second.mode == "none") {
    faults_.erase(parsed->first);
  } else {
    faults_[parsed->first] = parsed->second;
  }
  return JsonAnswer(200, {{"writer", parsed->first}, {"mode", parsed->second.mode}});
}

}  // namespace steer::fault
